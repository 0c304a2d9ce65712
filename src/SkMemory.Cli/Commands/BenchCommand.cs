using System.CommandLine;
using System.Text.Json;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench locomo --data &lt;folder&gt; [--output docs/benchmarks.md] [--no-write]</c>: the LoCoMo retrieval
/// benchmark, through a fresh embedded store per conversation and the offline embedder; <c>skmem bench capture [--data
/// &lt;folder&gt;]</c>: the capture benchmark (the offline extractor, gate and evolve step against the labelled set, and
/// against LoCoMo's observations when a folder is given); <c>skmem bench latency</c>: the recall latency benchmark
/// (<see cref="BenchLatencyCommand"/>).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CommandRunner runner)
    {
        var data = new Option<string>("--data")
        {
            Description = "The folder with the LoCoMo conversation files (conv-*.json); read in place, never copied.",
            Required = true,
            HelpName = "folder",
        };
        var report = new ReportFile("LoCoMo retrieval");
        var locomo = new Command("locomo", "LoCoMo evidence recall@5/10/20 and recall inside a 1,000-token packet, per category, vs the BM25 bar.") { data, report.Output, report.NoWrite };
        runner.SetAction(locomo, async (context, parseResult) =>
        {
            var folder = Path.GetFullPath(parseResult.GetValue(data)!);
            if (!Directory.Exists(folder) || Directory.GetFiles(folder, "*.json").Length == 0)
            {
                throw CliException.Invalid(
                    "data",
                    Directory.Exists(folder) ? $"{folder} holds no LoCoMo .json file" : $"the folder {folder} does not exist",
                    "pass the LoCoMo data folder, e.g. 'skmem bench locomo --data ../shared/data/locomo'");
            }

            var target = report.Target(parseResult);
            var progress = new SynchronousProgress(line => context.Error.WriteLine(line));
            var result = await LoCoMoBenchmark.RunAsync(folder, progress, context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                WriteJson(context.Out, result);
            }
            else
            {
                context.Out.Write(LoCoMoReport.ToTable(result));
            }

            await report.WriteAsync(context, target, existing => LoCoMoReport.UpdateDocument(existing, LoCoMoReport.ToMarkdown(result, "skmem bench locomo --data <folder>"))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return new Command("bench", "Run a benchmark.") { locomo, CreateCapture(runner), BenchLatencyCommand.Create(runner), BenchRedactionCommand.Create(runner), BenchGovernanceCommand.Create(runner), BenchMcpCommand.Create(runner), BenchConcurrencyCommand.Create(runner), BenchLoadCommand.Create(runner) };
    }

    private static Command CreateCapture(CommandRunner runner)
    {
        var data = new Option<string?>("--data")
        {
            Description = "Also capture the LoCoMo conversations in this folder (conv-*.json; read in place, never copied) and score them against their annotated observations.",
            HelpName = "folder",
        };
        var report = new ReportFile("Capture");
        var capture = new Command(
            "capture",
            "Capture quality: the offline extractor, gate and evolve step on the labelled conversations shipped with the evals (recall and precision per type, "
            + "rejection accuracy, end state, replay), and on LoCoMo when --data is given (observation evidence coverage).")
        {
            data, report.Output, report.NoWrite,
        };
        runner.SetAction(capture, async (context, parseResult) =>
        {
            var folder = parseResult.GetValue(data) is { } given ? Path.GetFullPath(given) : null;
            if (folder is not null && (!Directory.Exists(folder) || Directory.GetFiles(folder, "*.json").Length == 0))
            {
                throw CliException.Invalid(
                    "data",
                    Directory.Exists(folder) ? $"{folder} holds no LoCoMo .json file" : $"the folder {folder} does not exist",
                    "pass the LoCoMo data folder, e.g. 'skmem bench capture --data ../shared/data/locomo', or leave --data out to run the labelled set only");
            }

            var target = report.Target(parseResult);
            var progress = new SynchronousProgress(line => context.Error.WriteLine(line));
            var result = await CaptureBenchmark.RunAsync(folder, progress, cancellationToken: context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                WriteJson(context.Out, result);
            }
            else
            {
                context.Out.Write(CaptureReport.ToTable(result));
            }

            var command = folder is null ? "skmem bench capture" : "skmem bench capture --data <folder>";
            await report.WriteAsync(context, target, existing => CaptureReport.UpdateDocument(existing, CaptureReport.ToMarkdown(result, command))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return capture;
    }

    private static void WriteJson(TextWriter output, CaptureResult result) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("extractor", result.Extractor);
            w.WriteString("resolver", result.Resolver);
            w.WriteString("embedding_model", result.EmbeddingModel);
            w.WriteString("embedding_runtime", result.EmbeddingRuntime);
            w.WriteString("store", result.Store);
            w.WriteString("finished_at", result.FinishedAt);
            var seeded = result.Seeded;
            w.WriteStartObject("seeded");
            w.WriteString("name", seeded.Name);
            w.WriteNumber("conversations", seeded.Conversations.Count);
            w.WriteNumber("turns", seeded.MessageCount);
            WriteCounts(w, seeded.Counts);
            w.WriteStartArray("types");
            foreach (var row in seeded.Types)
            {
                w.WriteStartObject();
                w.WriteString("type", row.Type);
                w.WriteNumber("labels", row.Labels);
                w.WriteNumber("found", row.Found);
                w.WriteNumber("recall", Math.Round(row.Recall, 4));
                w.WriteNumber("memories", row.Memories);
                w.WriteNumber("correct", row.Correct);
                w.WriteNumber("precision", Math.Round(row.Precision, 4));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("rejection_accuracy", Math.Round(seeded.RejectionAccuracy, 4));
            w.WriteNumber("kept_out", Math.Round(seeded.KeptOut, 4));
            w.WriteNumber("end_state_accuracy", Math.Round(seeded.EndStateAccuracy, 4));
            WriteReplay(w, seeded.Replay);
            w.WriteNumber("seconds", Math.Round(result.SeededTime.TotalSeconds, 2));
            w.WriteEndObject();
            if (result.LoCoMo is { } locomo)
            {
                w.WriteStartObject("locomo");
                w.WriteNumber("conversations", locomo.Conversations.Count);
                w.WriteNumber("turns", locomo.Turns);
                w.WriteNumber("observations", locomo.Observations);
                WriteCounts(w, locomo.Counts);
                w.WriteNumber("memories", locomo.Memories);
                w.WriteNumber("observations_covered", locomo.ObservationsCovered);
                w.WriteNumber("coverage", Math.Round(locomo.Coverage, 4));
                w.WriteNumber("memories_citing_evidence", locomo.MemoriesCitingEvidence);
                w.WriteNumber("evidence_precision", Math.Round(locomo.EvidencePrecision, 4));
                WriteReplay(w, locomo.Replay);
                w.WriteNumber("seconds", Math.Round(result.LoCoMoTime?.TotalSeconds ?? 0, 2));
                w.WriteEndObject();
            }
        });

    private static void WriteCounts(Utf8JsonWriter w, CaptureCounts c)
    {
        w.WriteStartObject("counts");
        w.WriteNumber("jobs", c.Jobs);
        w.WriteNumber("failed_jobs", c.FailedJobs);
        w.WriteNumber("candidates", c.Candidates);
        w.WriteNumber("accepted", c.Accepted);
        w.WriteNumber("rejected", c.Rejected);
        w.WriteNumber("added", c.Added);
        w.WriteNumber("merged", c.Merged);
        w.WriteNumber("superseded", c.Superseded);
        w.WriteNumber("noop", c.NoOp);
        w.WriteNumber("errors", c.Errors);
        w.WriteStartObject("rejected_by_reason");
        foreach (var (reason, n) in c.RejectedByReason.OrderBy(kv => kv.Key))
        {
            w.WriteNumber(MemoryJson.EnumName(reason), n);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteReplay(Utf8JsonWriter w, CaptureReplay replay)
    {
        w.WriteStartObject("replay");
        w.WriteNumber("items", replay.Items);
        w.WriteNumber("replayed", replay.Replayed);
        w.WriteNumber("candidates", replay.Candidates);
        w.WriteNumber("events_added", replay.EventsAdded);
        w.WriteEndObject();
    }

    private static void WriteJson(TextWriter output, LoCoMoResult result) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("embedding_model", result.EmbeddingModel);
            w.WriteString("embedding_runtime", result.EmbeddingRuntime);
            w.WriteString("store", result.Store);
            w.WriteString("packet_method", result.PacketMethod);
            w.WriteNumber("packet_budget", result.PacketBudget);
            w.WriteString("finished_at", result.FinishedAt);
            w.WriteNumber("questions", result.Questions.Count);
            w.WriteNumber("packet_tokens", Math.Round(result.PacketTokens, 1));
            w.WriteNumber("conversation_tokens", Math.Round(result.ConversationTokens, 1));
            w.WriteStartArray("categories");
            foreach (var row in result.Categories)
            {
                var bar = LoCoMoReport.Bm25Bar.FirstOrDefault(b => b.Category == row.Category);
                w.WriteStartObject();
                w.WriteString("category", row.Category);
                w.WriteNumber("questions", row.Questions);
                w.WriteNumber("recall_at_5", Math.Round(row.RecallAt5, 4));
                w.WriteNumber("recall_at_10", Math.Round(row.RecallAt10, 4));
                w.WriteNumber("recall_at_20", Math.Round(row.RecallAt20, 4));
                w.WriteNumber("packet_recall", Math.Round(row.PacketRecall, 4));
                w.WriteNumber("packet_tokens", Math.Round(row.PacketTokens, 1));
                if (bar is not null)
                {
                    w.WriteStartObject("bm25");
                    w.WriteNumber("recall_at_5", bar.RecallAt5);
                    w.WriteNumber("recall_at_10", bar.RecallAt10);
                    w.WriteNumber("recall_at_20", bar.RecallAt20);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("conversations");
            foreach (var c in result.Conversations)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteNumber("sessions", c.Sessions);
                w.WriteNumber("turns", c.Turns);
                w.WriteNumber("memories", c.Memories);
                w.WriteNumber("tokens", c.Tokens);
                w.WriteNumber("questions", c.Questions);
                w.WriteNumber("ingest_seconds", Math.Round(c.IngestTime.TotalSeconds, 2));
                w.WriteNumber("search_seconds", Math.Round(c.SearchTime.TotalSeconds, 2));
                w.WriteNumber("packet_seconds", Math.Round(c.PacketTime.TotalSeconds, 2));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

    /// <summary>The Markdown file a benchmark writes its section of: <c>--output</c>/<c>-o</c> and <c>--no-write</c>.</summary>
    /// <param name="section">The section's title, for the help text and the message after writing.</param>
    internal sealed class ReportFile(string section)
    {
        public Option<string> Output { get; } = new("--output", "-o")
        {
            Description = $"The Markdown file whose \"{section}\" section is written or updated.",
            DefaultValueFactory = _ => Path.Combine("docs", "benchmarks.md"),
            HelpName = "file.md",
        };

        public Option<bool> NoWrite { get; } = new("--no-write") { Description = "Print the results only; do not touch the Markdown file." };

        /// <summary>The file to write, or null with --no-write.</summary>
        public string? Target(ParseResult parseResult) =>
            parseResult.GetValue(NoWrite) ? null : Path.GetFullPath(parseResult.GetValue(Output)!);

        /// <summary>Rewrites the section in <paramref name="target"/> (creating the file and its folder when missing) and says so on stderr; nothing when it is null.</summary>
        /// <param name="context">The command's context.</param>
        /// <param name="target">The file, or null.</param>
        /// <param name="update">Turns the current text (null when there is no file) into the new text.</param>
        /// <returns>A task that completes when the file is written.</returns>
        public async Task WriteAsync(CliContext context, string? target, Func<string?, string> update)
        {
            if (target is null)
            {
                return;
            }

            var existing = File.Exists(target) ? await File.ReadAllTextAsync(target, context.CancellationToken).ConfigureAwait(false) : null;
            if (Path.GetDirectoryName(target) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            await File.WriteAllTextAsync(target, update(existing), context.CancellationToken).ConfigureAwait(false);
            context.Error.WriteLine($"wrote the {section} section of {target}");
        }
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
