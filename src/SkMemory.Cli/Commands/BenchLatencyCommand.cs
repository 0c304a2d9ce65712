using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench latency [--postgres &lt;connection-string&gt;] [--output docs/benchmarks.md] [--no-write]</c>: recall
/// latency (search plus packet, end to end, p50/p95/p99) on the embedded store and, when given, on PostgreSQL, over
/// synthetic data sets that are loaded once and reused.
/// </summary>
internal static class BenchLatencyCommand
{
    // The benchmark's own checks (RecallLatencyOptions.Validate and the targets') name what is out of range; these are the
    // options that set it.
    private static readonly Dictionary<string, (string Field, string Hint)> Fields = new(StringComparer.Ordinal)
    {
        [nameof(RecallLatencyOptions.Queries)] = ("queries", "pass --queries 1 or more"),
        [nameof(RecallLatencyOptions.Warmup)] = ("warmup", "pass --warmup 0 or more"),
        [nameof(RecallLatencyOptions.Top)] = ("top", "pass --top between 1 and 100"),
        [nameof(RecallLatencyOptions.PacketBudget)] = ("budget", "pass --budget 1 or more"),
        [nameof(RecallLatencyOptions.IngestConcurrency)] = ("concurrency", "pass --concurrency 1 or more"),
        [nameof(RecallLatencyTarget.Memories)] = ("memories", "pass --sqlite-memories / --postgres-memories 1 or more"),
        [nameof(RecallLatencyTarget.Subjects)] = ("subjects", "give each subject at least one memory: fewer --sqlite-subjects / --postgres-subjects, or more memories"),
    };

    public static Command Create(CommandRunner runner)
    {
        var defaults = new RecallLatencyOptions();
        var report = new BenchCommand.ReportFile("Recall latency");
        var postgres = new Option<string?>("--postgres")
        {
            Description = "Also benchmark PostgreSQL: a connection string ('Host=...;Database=...' or postgres://...) to a database with pgvector. "
                + $"The data set goes into --schema (default: {RecallLatencyTarget.DefaultSchema}), never a real store's schema.",
            HelpName = "connection-string",
        };
        var noSqlite = new Option<bool>("--no-sqlite") { Description = "Skip the embedded SQLite store (with --postgres)." };
        var sqliteFile = new Option<string?>("--sqlite-file")
        {
            Description = "The SQLite file holding the data set (default: $SKMEMORY_HOME/bench/<data set>.db); kept, so a re-run reuses it.",
            HelpName = "file.db",
        };
        var sqliteMemories = BenchOptions.Number("--sqlite-memories", "Memories in the SQLite data set.", RecallLatencyTarget.DefaultSqliteMemories);
        var sqliteSubjects = BenchOptions.Number("--sqlite-subjects", "Subjects they are spread over.", 1);
        var postgresMemories = BenchOptions.Number("--postgres-memories", "Memories in the PostgreSQL data set.", RecallLatencyTarget.DefaultPostgresMemories);
        var postgresSubjects = BenchOptions.Number("--postgres-subjects", "Subjects they are spread over.", RecallLatencyTarget.DefaultPostgresSubjects);
        var queries = BenchOptions.Number("--queries", "Timed recalls per store.", defaults.Queries);
        var warmup = BenchOptions.Number("--warmup", "Untimed warm-up recalls per store (until the JIT has optimized the search path).", defaults.Warmup);
        var top = BenchOptions.Number("--top", "Results per search, 1..100.", defaults.Top);
        var budget = BenchOptions.Number("--budget", "Packet budget in o200k tokens.", defaults.PacketBudget);
        var seed = BenchOptions.Number("--seed", "Seed of the synthetic memories and queries.", defaults.Seed);
        var concurrency = BenchOptions.Number("--concurrency", "Concurrent writes while loading PostgreSQL.", defaults.IngestConcurrency);

        var command = new Command("latency", "Recall latency (embed query, hybrid search, score, rerank, pack) p50/p95/p99 on SQLite and PostgreSQL.")
        {
            postgres, noSqlite, sqliteFile, sqliteMemories, sqliteSubjects, postgresMemories, postgresSubjects, queries, warmup, top, budget, seed, concurrency, report.Output, report.NoWrite,
        };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var options = new RecallLatencyOptions
            {
                Queries = parseResult.GetValue(queries),
                Warmup = parseResult.GetValue(warmup),
                Top = parseResult.GetValue(top),
                PacketBudget = parseResult.GetValue(budget),
                Seed = parseResult.GetValue(seed),
                IngestConcurrency = parseResult.GetValue(concurrency),
            };
            var targets = new List<RecallLatencyTarget>();
            var commandLine = new List<string> { "skmem bench latency" };
            if (!parseResult.GetValue(noSqlite))
            {
                var memories = parseResult.GetValue(sqliteMemories);
                var subjects = parseResult.GetValue(sqliteSubjects);
                var file = parseResult.GetValue(sqliteFile) is { Length: > 0 } given
                    ? Path.GetFullPath(given)
                    : Path.Combine(SkMemoryPaths.Home, "bench", RecallLatencyBenchmark.DataSetName(memories, subjects, options.Seed) + ".db");
                targets.Add(Target(context, new StoreTarget(StoreKind.Sqlite, file, string.Empty, IsDefault: false), memories, subjects));
                BenchOptions.AddIfNot(commandLine, "--sqlite-memories", memories, RecallLatencyTarget.DefaultSqliteMemories);
                BenchOptions.AddIfNot(commandLine, "--sqlite-subjects", subjects, 1);
            }
            else
            {
                commandLine.Add("--no-sqlite");
            }

            if (parseResult.GetValue(postgres) is { Length: > 0 } connection)
            {
                var resolved = StoreOpener.Resolve(connection, schema: null);
                if (resolved.Kind != StoreKind.Postgres)
                {
                    throw CliException.Invalid("postgres", "is not a PostgreSQL connection string", "use 'Host=localhost;Port=5432;Database=bench;Username=...' or postgres://user:password@host:5432/bench");
                }

                var postgresTarget = resolved with { Schema = context.Schema ?? RecallLatencyTarget.DefaultSchema };
                var memories = parseResult.GetValue(postgresMemories);
                var subjects = parseResult.GetValue(postgresSubjects);
                targets.Add(Target(context, postgresTarget, memories, subjects) with { Server = (postgresTarget.Location, postgresTarget.Schema) });
                commandLine.Add("--postgres <connection string>");
                BenchOptions.AddIfNot(commandLine, "--postgres-memories", memories, RecallLatencyTarget.DefaultPostgresMemories);
                BenchOptions.AddIfNot(commandLine, "--postgres-subjects", subjects, RecallLatencyTarget.DefaultPostgresSubjects);
            }

            if (targets.Count == 0)
            {
                throw CliException.Invalid("postgres", "--no-sqlite leaves no store to benchmark", "add --postgres <connection-string>, or drop --no-sqlite");
            }

            BenchOptions.AddIfNot(commandLine, "--queries", options.Queries, defaults.Queries);
            BenchOptions.AddIfNot(commandLine, "--warmup", options.Warmup, defaults.Warmup);
            BenchOptions.AddIfNot(commandLine, "--top", options.Top, defaults.Top);
            BenchOptions.AddIfNot(commandLine, "--budget", options.PacketBudget, defaults.PacketBudget);
            BenchOptions.AddIfNot(commandLine, "--seed", options.Seed, defaults.Seed);

            var target = report.Target(parseResult);
            var progress = new BenchCommand.SynchronousProgress(line => context.Error.WriteLine(line));
            RecallLatencyResult result;
            try
            {
                // The options and targets are checked before anything is loaded or opened.
                result = await RecallLatencyBenchmark.RunAsync(targets, options, progress, context.CancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentOutOfRangeException ex) when (ex.ParamName is { } name && Fields.TryGetValue(name, out var field))
            {
                throw BenchOptions.Invalid(ex, field);
            }

            if (context.Json)
            {
                WriteJson(context.Out, result);
            }
            else
            {
                context.Out.Write(RecallLatencyReport.ToTable(result));
            }

            await report.WriteAsync(context, target, existing => RecallLatencyReport.UpdateDocument(existing, RecallLatencyReport.ToMarkdown(result, string.Join(' ', commandLine)))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    // The store is opened the way every command opens one (StoreOpener maps its errors); the context names the store in
    // use, so ErrorReporter maps what fails later while the benchmark runs on it.
    private static RecallLatencyTarget Target(CliContext context, StoreTarget store, int memories, int subjects) =>
        new(
            store.Kind == StoreKind.Sqlite ? RecallLatencyStoreKind.Sqlite : RecallLatencyStoreKind.Postgres,
            store.Display,
            (generator, cancellationToken) =>
            {
                context.Target = store;
                return StoreOpener.OpenAsync(store, StoreAccess.Write, cancellationToken, generator);
            },
            memories,
            subjects);

    private static void WriteJson(TextWriter output, RecallLatencyResult result) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("embedding_model", result.EmbeddingModel);
            w.WriteString("embedding_runtime", result.EmbeddingRuntime);
            w.WriteString("reranker", result.Reranker);
            w.WriteNumber("top", result.Top);
            w.WriteNumber("packet_budget", result.PacketBudget);
            w.WriteNumber("queries", result.Queries);
            w.WriteNumber("warmup", result.Warmup);
            w.WriteNumber("seed", result.Seed);
            w.WriteString("finished_at", result.FinishedAt);
            w.WriteStartArray("stores");
            foreach (var s in result.Stores)
            {
                w.WriteStartObject();
                w.WriteString("store", s.Kind == RecallLatencyStoreKind.Sqlite ? "sqlite" : "postgres");
                w.WriteString("location", s.Location);
                w.WriteString("details", s.Details);
                w.WriteString("tenant", s.Tenant);
                w.WriteNumber("memories", s.Memories);
                w.WriteNumber("subjects", s.Subjects);
                BenchOptions.Summary(w, "recall_ms", s.Recall);
                BenchOptions.Summary(w, "search_ms", s.Search);
                BenchOptions.Summary(w, "pack_ms", s.Pack);
                BenchOptions.Summary(w, "query_embedding_ms", s.QueryEmbedding);
                w.WriteNumber("recalls_per_second", Math.Round(s.RecallsPerSecond, 2));
                w.WriteNumber("aimed_queries", s.AimedQueries);
                w.WriteNumber("target_hits", s.TargetHits);
                w.WriteNumber("mean_results", Math.Round(s.MeanResults, 2));
                w.WriteNumber("mean_packet_tokens", Math.Round(s.MeanPacketTokens, 1));
                w.WriteNumber("mean_packet_items", Math.Round(s.MeanPacketItems, 2));
                w.WriteNumber("live_embeddings", s.LiveEmbeddings);
                WriteShare(w, "other_cpu", s.OtherCpu);
                if (s.Ingest is { } ingest)
                {
                    w.WriteStartObject("ingest");
                    w.WriteNumber("written", ingest.Written);
                    w.WriteNumber("embed_seconds", Math.Round(ingest.EmbedTime.TotalSeconds, 2));
                    w.WriteNumber("write_seconds", Math.Round(ingest.WriteTime.TotalSeconds, 2));
                    w.WriteNumber("concurrency", ingest.Concurrency);
                    w.WriteString("measured_at", ingest.MeasuredAt);
                    w.WriteBoolean("this_run", ingest.ThisRun);
                    WriteShare(w, "other_cpu", ingest.OtherCpu);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNull("ingest");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

    private static void WriteShare(Utf8JsonWriter w, string name, double? share)
    {
        if (share is { } value)
        {
            w.WriteNumber(name, Math.Round(value, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
