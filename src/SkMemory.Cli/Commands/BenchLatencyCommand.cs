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
    public static Command Create(CommandRunner runner)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "The Markdown file whose \"Recall latency\" section is written or updated.",
            DefaultValueFactory = _ => Path.Combine("docs", "benchmarks.md"),
            HelpName = "file.md",
        };
        var noWrite = new Option<bool>("--no-write") { Description = "Print the table only; do not touch the Markdown file." };
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
        var sqliteMemories = Positive("--sqlite-memories", "Memories in the SQLite data set.", RecallLatencyTarget.DefaultSqliteMemories);
        var sqliteSubjects = Positive("--sqlite-subjects", "Subjects they are spread over.", 1);
        var postgresMemories = Positive("--postgres-memories", "Memories in the PostgreSQL data set.", RecallLatencyTarget.DefaultPostgresMemories);
        var postgresSubjects = Positive("--postgres-subjects", "Subjects they are spread over.", RecallLatencyTarget.DefaultPostgresSubjects);
        var queries = Positive("--queries", "Timed recalls per store.", 200);
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up recalls per store (until the JIT has optimized the search path).", DefaultValueFactory = _ => 200, HelpName = "n" };
        var top = Positive("--top", "Results per search, 1..100.", 10);
        var budget = Positive("--budget", "Packet budget in o200k tokens.", 1000);
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic memories and queries.", DefaultValueFactory = _ => 7, HelpName = "n" };
        var concurrency = Positive("--concurrency", "Concurrent writes while loading PostgreSQL.", 4);

        var command = new Command("latency", "Recall latency (embed query, hybrid search, score, rerank, pack) p50/p95/p99 on SQLite and PostgreSQL.")
        {
            postgres, noSqlite, sqliteFile, sqliteMemories, sqliteSubjects, postgresMemories, postgresSubjects, queries, warmup, top, budget, seed, concurrency, output, noWrite,
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
            if (options.Warmup < 0)
            {
                throw CliException.Invalid("warmup", "must not be negative", "pass --warmup 0 or more");
            }

            if (options.Top > 100)
            {
                throw CliException.Invalid("top", $"must be between 1 and 100; it is {options.Top}", "pass --top 10");
            }

            var targets = new List<RecallLatencyTarget>();
            var commandLine = new List<string> { "skmem bench latency" };
            if (!parseResult.GetValue(noSqlite))
            {
                var memories = parseResult.GetValue(sqliteMemories);
                var subjects = Subjects(parseResult.GetValue(sqliteSubjects), memories, "sqlite-subjects");
                var file = parseResult.GetValue(sqliteFile) is { Length: > 0 } given
                    ? Path.GetFullPath(given)
                    : Path.Combine(SkMemoryPaths.Home, "bench", RecallLatencyBenchmark.DataSetName(memories, subjects, options.Seed) + ".db");
                targets.Add(Target(context, new StoreTarget(StoreKind.Sqlite, file, string.Empty, IsDefault: false), memories, subjects));
                AddIfNot(commandLine, "--sqlite-memories", memories, RecallLatencyTarget.DefaultSqliteMemories);
                AddIfNot(commandLine, "--sqlite-subjects", subjects, 1);
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
                var subjects = Subjects(parseResult.GetValue(postgresSubjects), memories, "postgres-subjects");
                targets.Add(Target(context, postgresTarget, memories, subjects) with { Server = (postgresTarget.Location, postgresTarget.Schema) });
                commandLine.Add("--postgres <connection string>");
                AddIfNot(commandLine, "--postgres-memories", memories, RecallLatencyTarget.DefaultPostgresMemories);
                AddIfNot(commandLine, "--postgres-subjects", subjects, RecallLatencyTarget.DefaultPostgresSubjects);
            }

            if (targets.Count == 0)
            {
                throw CliException.Invalid("postgres", "--no-sqlite leaves no store to benchmark", "add --postgres <connection-string>, or drop --no-sqlite");
            }

            AddIfNot(commandLine, "--queries", options.Queries, 200);
            AddIfNot(commandLine, "--warmup", options.Warmup, 200);
            AddIfNot(commandLine, "--top", options.Top, 10);
            AddIfNot(commandLine, "--budget", options.PacketBudget, 1000);
            AddIfNot(commandLine, "--seed", options.Seed, 7);

            var target = parseResult.GetValue(noWrite) ? null : Path.GetFullPath(parseResult.GetValue(output)!);
            var progress = new BenchCommand.SynchronousProgress(line => context.Error.WriteLine(line));
            var result = await RecallLatencyBenchmark.RunAsync(targets, options, progress, context.CancellationToken).ConfigureAwait(false);

            if (context.Json)
            {
                WriteJson(context.Out, result);
            }
            else
            {
                context.Out.Write(RecallLatencyReport.ToTable(result));
            }

            if (target is not null)
            {
                await BenchCommand.WriteSectionAsync(target, existing => RecallLatencyReport.UpdateDocument(existing, RecallLatencyReport.ToMarkdown(result, string.Join(' ', commandLine))), context.CancellationToken).ConfigureAwait(false);
                context.Error.WriteLine($"wrote the recall latency section of {target}");
            }

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

    private static Option<int> Positive(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "n" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    private static int Subjects(int subjects, int memories, string field) =>
        subjects <= memories
            ? subjects
            : throw CliException.Invalid(field, $"is {subjects}, more than the {memories} memories to spread over them", "give each subject at least one memory");

    private static void AddIfNot(List<string> commandLine, string name, int value, int defaultValue)
    {
        if (value != defaultValue)
        {
            commandLine.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value}"));
        }
    }

    private static void WriteJson(TextWriter output, RecallLatencyResult result) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("embeddingModel", result.EmbeddingModel);
            w.WriteString("reranker", result.Reranker);
            w.WriteNumber("top", result.Top);
            w.WriteNumber("packetBudget", result.PacketBudget);
            w.WriteNumber("queries", result.Queries);
            w.WriteNumber("warmup", result.Warmup);
            w.WriteNumber("seed", result.Seed);
            w.WriteString("finishedAt", result.FinishedAt);
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
                Summary(w, "recallMs", s.Recall);
                Summary(w, "searchMs", s.Search);
                Summary(w, "packMs", s.Pack);
                Summary(w, "queryEmbeddingMs", s.QueryEmbedding);
                w.WriteNumber("recallsPerSecond", Math.Round(s.RecallsPerSecond, 2));
                w.WriteNumber("aimedQueries", s.AimedQueries);
                w.WriteNumber("targetHits", s.TargetHits);
                w.WriteNumber("meanResults", Math.Round(s.MeanResults, 2));
                w.WriteNumber("meanPacketTokens", Math.Round(s.MeanPacketTokens, 1));
                w.WriteNumber("meanPacketItems", Math.Round(s.MeanPacketItems, 2));
                w.WriteNumber("liveEmbeddings", s.LiveEmbeddings);
                WriteShare(w, "otherCpu", s.OtherCpu);
                if (s.Ingest is { } ingest)
                {
                    w.WriteStartObject("ingest");
                    w.WriteNumber("written", ingest.Written);
                    w.WriteNumber("embedSeconds", Math.Round(ingest.EmbedTime.TotalSeconds, 2));
                    w.WriteNumber("writeSeconds", Math.Round(ingest.WriteTime.TotalSeconds, 2));
                    w.WriteNumber("concurrency", ingest.Concurrency);
                    w.WriteString("measuredAt", ingest.MeasuredAt);
                    w.WriteBoolean("thisRun", ingest.ThisRun);
                    WriteShare(w, "otherCpu", ingest.OtherCpu);
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

    private static void Summary(Utf8JsonWriter w, string name, LatencySummary summary)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", summary.Count);
        w.WriteNumber("mean", Math.Round(summary.Mean, 3));
        w.WriteNumber("p50", Math.Round(summary.P50, 3));
        w.WriteNumber("p95", Math.Round(summary.P95, 3));
        w.WriteNumber("p99", Math.Round(summary.P99, 3));
        w.WriteNumber("min", Math.Round(summary.Min, 3));
        w.WriteNumber("max", Math.Round(summary.Max, 3));
        w.WriteEndObject();
    }
}
