using System.CommandLine;
using System.Text.Json;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench load [--postgres &lt;connection string&gt;] [--embedded]</c>: the scale benchmark
/// (<see cref="LoadBenchmark"/>): 1,000,000 memories bulk-loaded into PostgreSQL and/or 100,000 into an embedded SQLite
/// file, then write throughput, scoped search latency and filtered-ANN recall, each over repeated rounds.
/// </summary>
internal static class BenchLoadCommand
{
    // LoadOptions.Validate names the property that is out of range; these are the options that set it.
    private static readonly Dictionary<string, (string Field, string Hint)> Fields = new(StringComparer.Ordinal)
    {
        [nameof(LoadOptions.Embedded)] = ("postgres", "pass --postgres <connection-string>, --embedded, or both"),
        [nameof(LoadOptions.PostgresMemories)] = ("memories", "pass --memories 1 or more"),
        [nameof(LoadOptions.PostgresSubjects)] = ("subjects", "pass --subjects between 1 and --memories"),
        [nameof(LoadOptions.PostgresTenants)] = ("tenants", "pass --tenants between 1 and --subjects"),
        [nameof(LoadOptions.EmbeddedMemories)] = ("embedded-memories", "pass --embedded-memories 1 or more"),
        [nameof(LoadOptions.EmbeddedSubjects)] = ("embedded-subjects", "pass --embedded-subjects between 1 and --embedded-memories"),
        [nameof(LoadOptions.EmbeddedTenants)] = ("embedded-tenants", "pass --embedded-tenants between 1 and --embedded-subjects"),
        [nameof(LoadOptions.MemoriesPerText)] = ("memories-per-text", "pass --memories-per-text 1 or more"),
        [nameof(LoadOptions.Rounds)] = ("rounds", "pass --rounds 1 or more"),
        [nameof(LoadOptions.Queries)] = ("queries", "pass --queries 1 or more"),
        [nameof(LoadOptions.Warmup)] = ("warmup", "pass --warmup 0 or more"),
        [nameof(LoadOptions.RecallQueries)] = ("recall-queries", "pass --recall-queries 1 or more"),
        [nameof(LoadOptions.SingleWrites)] = ("single-writes", "pass --single-writes 1 or more"),
        [nameof(LoadOptions.BatchWrites)] = ("batch-writes", "pass --batch-writes 1 or more"),
        [nameof(LoadOptions.BatchSize)] = ("batch-size", "pass --batch-size 1 or more"),
        [nameof(LoadOptions.IndexBuildWorkers)] = ("index-workers", "pass --index-workers 0 or more"),
        ["distinctTexts"] = ("memories-per-text", "use fewer --memories-per-text, or more memories per subject's share"),
    };

    public static Command Create(CommandRunner runner)
    {
        var defaults = new LoadOptions();
        var report = new BenchCommand.ReportFile("Scale (load)");
        var postgres = new Option<string?>("--postgres")
        {
            Description = "Load and benchmark PostgreSQL: a connection string to a database with pgvector. The data set goes into its own schema "
                + $"('{LoadOptions.SchemaPrefix}...', or --schema), which a re-run reuses; an incomplete one is dropped and loaded again.",
            HelpName = "connection-string",
        };
        var schema = new Option<string?>("--schema") { Description = $"The PostgreSQL schema of the data set (must start with '{LoadOptions.SchemaPrefix}'; default: named after its shape).", HelpName = "name" };
        var embedded = new Option<bool>("--embedded") { Description = "Load and benchmark the embedded SQLite store." };
        var sqliteFile = new Option<string?>("--sqlite-file") { Description = "The SQLite file of the embedded data set (default: in the temp folder, named after its shape); kept, so a re-run reuses it.", HelpName = "file.db" };
        var memories = BenchOptions.Number("--memories", "Memories loaded into PostgreSQL.", defaults.PostgresMemories);
        var subjects = BenchOptions.Number("--subjects", "Subjects of the PostgreSQL data set.", defaults.PostgresSubjects);
        var tenants = BenchOptions.Number("--tenants", "Tenants of the PostgreSQL data set.", defaults.PostgresTenants);
        var embeddedMemories = BenchOptions.Number("--embedded-memories", "Memories loaded into SQLite.", defaults.EmbeddedMemories);
        var embeddedSubjects = BenchOptions.Number("--embedded-subjects", "Subjects of the SQLite data set.", defaults.EmbeddedSubjects);
        var embeddedTenants = BenchOptions.Number("--embedded-tenants", "Tenants of the SQLite data set.", defaults.EmbeddedTenants);
        var perText = BenchOptions.Number("--memories-per-text", "Memories per distinct text (each distinct text is embedded once).", defaults.MemoriesPerText);
        var rounds = BenchOptions.Number("--rounds", "Repeated rounds of every measurement.", defaults.Rounds);
        var queries = BenchOptions.Number("--queries", "Timed searches per scope per round.", defaults.Queries);
        var warmup = BenchOptions.Number("--warmup", "Untimed warm-up searches per scope.", defaults.Warmup);
        var recallQueries = BenchOptions.Number("--recall-queries", "Queries of the filtered-ANN recall measurement.", defaults.RecallQueries);
        var singleWrites = BenchOptions.Number("--single-writes", "Single writes per round per variant.", defaults.SingleWrites);
        var batchWrites = BenchOptions.Number("--batch-writes", "Batched writes per round per variant (PostgreSQL).", defaults.BatchWrites);
        var batchSize = BenchOptions.Number("--batch-size", "Memories per COPY transaction of the PostgreSQL load.", defaults.BatchSize);
        var indexMemory = new Option<string>("--index-memory") { Description = "maintenance_work_mem of the HNSW build.", DefaultValueFactory = _ => defaults.IndexBuildMemory, HelpName = "size" };
        var indexWorkers = BenchOptions.Number("--index-workers", "Parallel workers of the HNSW build.", defaults.IndexBuildWorkers);
        var seed = BenchOptions.Number("--seed", "Seed of the corpus and queries.", defaults.Seed);
        var measure = new Option<string>("--measure")
        {
            Description = "What to measure after the load, comma-separated: writes, search, recall (default: all three; 'none' only loads).",
            DefaultValueFactory = _ => "writes,search,recall",
            HelpName = "list",
        };

        var command = new Command("load", "Scale: bulk-load 1,000,000 memories into PostgreSQL (and/or 100,000 into SQLite), then write throughput, scoped search p50/p95/p99 and filtered-ANN recall.")
        {
            postgres, schema, embedded, sqliteFile, memories, subjects, tenants, embeddedMemories, embeddedSubjects, embeddedTenants, perText, rounds, queries, warmup,
            recallQueries, singleWrites, batchWrites, batchSize, indexMemory, indexWorkers, seed, measure, report.Output, report.NoWrite,
        };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var options = new LoadOptions
            {
                PostgresSchema = parseResult.GetValue(schema),
                Embedded = parseResult.GetValue(embedded),
                SqliteFile = parseResult.GetValue(sqliteFile) is { Length: > 0 } file ? Path.GetFullPath(file) : null,
                PostgresMemories = parseResult.GetValue(memories),
                PostgresSubjects = parseResult.GetValue(subjects),
                PostgresTenants = parseResult.GetValue(tenants),
                EmbeddedMemories = parseResult.GetValue(embeddedMemories),
                EmbeddedSubjects = parseResult.GetValue(embeddedSubjects),
                EmbeddedTenants = parseResult.GetValue(embeddedTenants),
                MemoriesPerText = parseResult.GetValue(perText),
                Rounds = parseResult.GetValue(rounds),
                Queries = parseResult.GetValue(queries),
                Warmup = parseResult.GetValue(warmup),
                RecallQueries = parseResult.GetValue(recallQueries),
                SingleWrites = parseResult.GetValue(singleWrites),
                BatchWrites = parseResult.GetValue(batchWrites),
                BatchSize = parseResult.GetValue(batchSize),
                IndexBuildMemory = parseResult.GetValue(indexMemory)!,
                IndexBuildWorkers = parseResult.GetValue(indexWorkers),
                Seed = parseResult.GetValue(seed),
                Measure = ParseMeasure(parseResult.GetValue(measure)!),
            };
            var commandLine = new List<string> { "skmem bench load" };
            if (parseResult.GetValue(postgres) is { Length: > 0 } connection)
            {
                var resolved = StoreOpener.Resolve(connection, schema: null);
                if (resolved.Kind != StoreKind.Postgres)
                {
                    throw CliException.Invalid("postgres", "is not a PostgreSQL connection string", "use 'Host=localhost;Port=5432;Database=bench;Username=...' or postgres://user:password@host:5432/bench");
                }

                options.PostgresConnectionString = resolved.Location;
                commandLine.Add("--postgres <connection string>");
                BenchOptions.AddIfNot(commandLine, "--memories", options.PostgresMemories, defaults.PostgresMemories);
                BenchOptions.AddIfNot(commandLine, "--subjects", options.PostgresSubjects, defaults.PostgresSubjects);
                BenchOptions.AddIfNot(commandLine, "--tenants", options.PostgresTenants, defaults.PostgresTenants);
            }

            if (options.Embedded)
            {
                commandLine.Add("--embedded");
                BenchOptions.AddIfNot(commandLine, "--embedded-memories", options.EmbeddedMemories, defaults.EmbeddedMemories);
                BenchOptions.AddIfNot(commandLine, "--embedded-subjects", options.EmbeddedSubjects, defaults.EmbeddedSubjects);
                BenchOptions.AddIfNot(commandLine, "--embedded-tenants", options.EmbeddedTenants, defaults.EmbeddedTenants);
            }

            BenchOptions.AddIfNot(commandLine, "--memories-per-text", options.MemoriesPerText, defaults.MemoriesPerText);
            BenchOptions.AddIfNot(commandLine, "--rounds", options.Rounds, defaults.Rounds);
            BenchOptions.AddIfNot(commandLine, "--queries", options.Queries, defaults.Queries);
            BenchOptions.AddIfNot(commandLine, "--seed", options.Seed, defaults.Seed);
            if (options.Measure != LoadMeasurements.All)
            {
                commandLine.Add("--measure " + parseResult.GetValue(measure));
            }

            var target = report.Target(parseResult);
            var progress = new BenchCommand.SynchronousProgress(line => context.Error.WriteLine(line));
            LoadResult result;
            try
            {
                result = await LoadBenchmark.RunAsync(options, progress, context.CancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentOutOfRangeException ex) when (ex.ParamName is { } name && Fields.TryGetValue(name, out var field))
            {
                throw BenchOptions.Invalid(ex, field);
            }
            catch (ArgumentException ex) when (ex.ParamName is nameof(LoadOptions.PostgresSchema) or nameof(LoadOptions.IndexBuildMemory))
            {
                throw CliException.Invalid(ex.ParamName == nameof(LoadOptions.PostgresSchema) ? "schema" : "index-memory", ex.Message.Split(" (Parameter '", 2)[0], "leave it out for the default");
            }

            if (context.Json)
            {
                WriteJson(context.Out, result);
            }
            else
            {
                context.Out.Write(LoadReport.ToTable(result));
            }

            await report.WriteAsync(context, target, existing => LoadReport.UpdateDocument(existing, LoadReport.ToMarkdown(result, string.Join(' ', commandLine)))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static LoadMeasurements ParseMeasure(string text)
    {
        var measure = LoadMeasurements.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            measure |= part.ToLowerInvariant() switch
            {
                "writes" => LoadMeasurements.Writes,
                "search" => LoadMeasurements.Search,
                "recall" => LoadMeasurements.Recall,
                "none" => LoadMeasurements.None,
                _ => throw CliException.Invalid("measure", $"'{part}' is not a measurement", "list some of writes, search, recall (comma-separated), or none"),
            };
        }

        return measure;
    }

    private static void WriteJson(TextWriter output, LoadResult result) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("embedding_model", result.EmbeddingModel);
            w.WriteString("embedding_runtime", result.EmbeddingRuntime);
            w.WriteString("machine", result.Machine);
            w.WriteNumber("rounds", result.Rounds);
            w.WriteString("finished_at", result.FinishedAt);
            w.WriteStartArray("stores");
            foreach (var s in result.Stores)
            {
                w.WriteStartObject();
                w.WriteString("kind", s.Kind);
                w.WriteString("details", s.Details);
                w.WriteNumber("memories", s.Ingest.Memories);
                w.WriteNumber("rows", s.Ingest.Rows);
                w.WriteNumber("distinct_texts", s.Ingest.DistinctTexts);
                w.WriteNumber("embed_seconds", Math.Round(s.Ingest.EmbedTime.TotalSeconds, 2));
                w.WriteNumber("write_seconds", Math.Round(s.Ingest.WriteTime.TotalSeconds, 2));
                w.WriteNumber("index_seconds", Math.Round(s.Ingest.IndexTime.TotalSeconds, 2));
                w.WriteNumber("load_per_second", Math.Round(s.Ingest.PerSecond, 1));
                w.WriteBoolean("loaded_this_run", s.Ingest.ThisRun);
                w.WriteStartArray("writes");
                foreach (var write in s.Writes)
                {
                    w.WriteStartObject();
                    w.WriteString("name", write.Name);
                    w.WriteBoolean("batched", write.Batched);
                    w.WriteBoolean("embedding", write.Embedding);
                    w.WriteNumber("median_per_second", Math.Round(write.MedianRate, 1));
                    w.WriteStartArray("rounds_per_second");
                    foreach (var rate in write.RoundRates)
                    {
                        w.WriteNumberValue(Math.Round(rate, 1));
                    }

                    w.WriteEndArray();
                    if (write.Latency is { } latency)
                    {
                        BenchOptions.Summary(w, "latency_ms", latency);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("searches");
                foreach (var search in s.Searches)
                {
                    w.WriteStartObject();
                    w.WriteString("scope", search.Scope);
                    w.WriteBoolean("live_embedding", search.LiveEmbedding);
                    w.WriteNumber("rows_in_scope", Math.Round(search.RowsInScope));
                    w.WriteNumber("p50_ms", Math.Round(search.P50, 3));
                    w.WriteNumber("p95_ms", Math.Round(search.P95, 3));
                    w.WriteNumber("p99_ms", Math.Round(search.P99, 3));
                    BenchOptions.Summary(w, "pooled_ms", search.Pooled);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                if (s.Recall is { } recall)
                {
                    w.WriteStartObject("recall");
                    w.WriteNumber("k", recall.K);
                    w.WriteNumber("queries", recall.Queries);
                    w.WriteNumber("mean", Math.Round(recall.Mean, 4));
                    w.WriteNumber("min", Math.Round(recall.Min, 4));
                    BenchOptions.Summary(w, "approximate_ms", recall.Approximate);
                    BenchOptions.Summary(w, "exact_ms", recall.Exact);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
}
