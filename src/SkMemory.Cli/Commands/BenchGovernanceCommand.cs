using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench governance [--memories N] [--subjects N] [--output docs/benchmarks.md] [--no-write]</c>: the speed of the
/// governance layer on a temporary embedded store: access control on search and read, redaction on write and the
/// redactor's throughput, purges and attestation verification, retention sweeps.
/// </summary>
internal static class BenchGovernanceCommand
{
    // The benchmark's own check (GovernanceOptions.Validate) names what is out of range; these are the options that set it.
    private static readonly Dictionary<string, (string Field, string Hint)> Fields = new(StringComparer.Ordinal)
    {
        [nameof(GovernanceOptions.Memories)] = ("memories", "pass --memories at least twice --subjects"),
        [nameof(GovernanceOptions.Subjects)] = ("subjects", "pass --subjects 2 or more"),
        [nameof(GovernanceOptions.Searches)] = ("searches", "pass --searches 1 or more"),
        [nameof(GovernanceOptions.Writes)] = ("writes", "pass --writes 1 or more"),
        [nameof(GovernanceOptions.Warmup)] = ("warmup", "pass --warmup 0 or more"),
        [nameof(GovernanceOptions.Purges)] = ("purges", "pass --purges 1 or more, fewer than the memories outside the first subject"),
        [nameof(GovernanceOptions.Top)] = ("top", "pass --top between 1 and 100"),
        [nameof(GovernanceOptions.RedactorPasses)] = ("passes", "pass --passes 1 or more"),
    };

    public static Command Create(CommandRunner runner)
    {
        var defaults = new GovernanceOptions();
        var report = new BenchCommand.ReportFile("Governance");
        var memories = BenchOptions.Number("--memories", "Memories loaded into the temporary store.", defaults.Memories);
        var subjects = BenchOptions.Number("--subjects", "Subjects they are spread over (the first is purged whole).", defaults.Subjects);
        var searches = BenchOptions.Number("--searches", "Timed searches and reads per path (raw and access-controlled).", defaults.Searches);
        var writes = BenchOptions.Number("--writes", "Timed writes per kind of text (with and without secrets) and path (raw and redacting).", defaults.Writes);
        var warmup = BenchOptions.Number("--warmup", "Untimed warm-up operations before each measurement.", defaults.Warmup);
        var purges = BenchOptions.Number("--purges", "Timed purges of one memory.", defaults.Purges);
        var top = BenchOptions.Number("--top", "Results per search, 1..100.", defaults.Top);
        var passes = BenchOptions.Number("--passes", "Timed passes of the redactor over the redaction corpus.", defaults.RedactorPasses);
        var seed = BenchOptions.Number("--seed", "Seed of the synthetic memories and queries.", defaults.Seed);
        var command = new Command(
            "governance",
            "Governance overhead on a temporary SQLite store: access control on search/read, redaction on write, redactor KiB/s, purges and attestation verification, retention sweeps.")
        {
            memories, subjects, searches, writes, warmup, purges, top, passes, seed, report.Output, report.NoWrite,
        };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var options = new GovernanceOptions
            {
                Memories = parseResult.GetValue(memories),
                Subjects = parseResult.GetValue(subjects),
                Searches = parseResult.GetValue(searches),
                Writes = parseResult.GetValue(writes),
                Warmup = parseResult.GetValue(warmup),
                Purges = parseResult.GetValue(purges),
                Top = parseResult.GetValue(top),
                RedactorPasses = parseResult.GetValue(passes),
                Seed = parseResult.GetValue(seed),
            };
            var commandLine = new List<string> { "skmem bench governance" };
            BenchOptions.AddIfNot(commandLine, "--memories", options.Memories, defaults.Memories);
            BenchOptions.AddIfNot(commandLine, "--subjects", options.Subjects, defaults.Subjects);
            BenchOptions.AddIfNot(commandLine, "--searches", options.Searches, defaults.Searches);
            BenchOptions.AddIfNot(commandLine, "--writes", options.Writes, defaults.Writes);
            BenchOptions.AddIfNot(commandLine, "--warmup", options.Warmup, defaults.Warmup);
            BenchOptions.AddIfNot(commandLine, "--purges", options.Purges, defaults.Purges);
            BenchOptions.AddIfNot(commandLine, "--top", options.Top, defaults.Top);
            BenchOptions.AddIfNot(commandLine, "--passes", options.RedactorPasses, defaults.RedactorPasses);
            BenchOptions.AddIfNot(commandLine, "--seed", options.Seed, defaults.Seed);

            var target = report.Target(parseResult);
            var progress = new BenchCommand.SynchronousProgress(line => context.Error.WriteLine(line));
            GovernanceResult result;
            try
            {
                // The options are checked before the store is created.
                result = await GovernanceBenchmark.RunAsync(options, progress, context.CancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentOutOfRangeException ex) when (ex.ParamName is { } name && Fields.TryGetValue(name, out var field))
            {
                throw BenchOptions.Invalid(ex, field);
            }

            if (context.Json)
            {
                WriteJson(context.Out, result, string.Join(' ', commandLine));
            }
            else
            {
                context.Out.Write(GovernanceReport.ToTable(result));
            }

            await report.WriteAsync(context, target, existing => GovernanceReport.UpdateDocument(existing, GovernanceReport.ToMarkdown(result, string.Join(' ', commandLine)))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteJson(TextWriter output, GovernanceResult result, string commandLine) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("command", commandLine);
            w.WriteString("store", "sqlite");
            w.WriteString("embedding_model", result.EmbeddingModel);
            w.WriteString("embedding_runtime", result.EmbeddingRuntime);
            w.WriteNumber("memories", result.Memories);
            w.WriteNumber("subjects", result.Subjects);
            w.WriteNumber("seed", result.Seed);
            w.WriteNumber("top", result.Top);
            w.WriteNumber("warmup", result.Warmup);
            w.WriteNumber("load_seconds", Math.Round(result.LoadTime.TotalSeconds, 3));
            w.WriteString("finished_at", result.FinishedAt);
            w.WriteStartObject("access_control");
            BenchOptions.Summary(w, "search_raw_ms", result.SearchRaw);
            BenchOptions.Summary(w, "search_governed_ms", result.SearchGoverned);
            w.WriteNumber("read_page_size", result.ReadPageSize);
            BenchOptions.Summary(w, "read_raw_ms", result.ReadRaw);
            BenchOptions.Summary(w, "read_governed_ms", result.ReadGoverned);
            w.WriteEndObject();
            w.WriteStartObject("redaction");
            BenchOptions.Summary(w, "write_clean_raw_ms", result.WriteCleanRaw);
            BenchOptions.Summary(w, "write_clean_redacted_ms", result.WriteCleanRedacted);
            BenchOptions.Summary(w, "write_secret_raw_ms", result.WriteSecretRaw);
            BenchOptions.Summary(w, "write_secret_redacted_ms", result.WriteSecretRedacted);
            w.WriteNumber("secret_writes_changed", result.SecretWritesChanged);
            w.WriteNumber("clean_writes_changed", result.CleanWritesChanged);
            w.WriteNumber("redactor_kib_per_second", Math.Round(result.RedactorKibPerSecond, 1));
            w.WriteNumber("redactor_lines", result.RedactorLines);
            w.WriteNumber("redactor_bytes", result.RedactorBytes);
            w.WriteNumber("redactor_passes", result.RedactorPasses);
            w.WriteNumber("redactor_ms", Math.Round(result.RedactorElapsed.TotalMilliseconds, 3));
            w.WriteEndObject();
            w.WriteStartObject("purge");
            BenchOptions.Summary(w, "one_memory_ms", result.PurgeOne);
            w.WriteNumber("subject_memories", result.SubjectMemories);
            w.WriteNumber("subject_ms", Math.Round(result.PurgeSubject.TotalMilliseconds, 3));
            BenchOptions.Summary(w, "verify_ms", result.VerifySubject);
            w.WriteBoolean("attestation_valid", result.AttestationValid);
            w.WriteEndObject();
            w.WriteStartObject("retention");
            w.WriteNumber("with_time_to_live", result.WithTimeToLive);
            foreach (var (name, sweep) in GovernanceReport.Sweeps(result))
            {
                w.WriteStartObject(name.Replace('-', '_'));
                w.WriteNumber("ms", Math.Round(sweep.Elapsed.TotalMilliseconds, 3));
                w.WriteNumber("examined", sweep.Examined);
                w.WriteNumber("expired", sweep.Expired);
                w.WriteNumber("purged", sweep.Purged);
                w.WriteNumber("errors", sweep.Errors);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            if (result.OtherCpu is { } other)
            {
                w.WriteNumber("other_cpu", Math.Round(other, 3));
            }
        });
}
