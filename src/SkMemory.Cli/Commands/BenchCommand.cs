using System.CommandLine;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench locomo --data &lt;folder&gt; [--output docs/benchmarks.md] [--no-write]</c>: the LoCoMo retrieval
/// benchmark, through a fresh embedded store per conversation and the offline embedder; <c>skmem bench latency</c>: the
/// recall latency benchmark (<see cref="BenchLatencyCommand"/>).
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
        var output = new Option<string>("--output", "-o")
        {
            Description = "The Markdown file whose \"LoCoMo retrieval\" section is written or updated.",
            DefaultValueFactory = _ => Path.Combine("docs", "benchmarks.md"),
            HelpName = "file.md",
        };
        var noWrite = new Option<bool>("--no-write") { Description = "Print the table only; do not touch the Markdown file." };
        var locomo = new Command("locomo", "LoCoMo evidence recall@5/10/20 and recall inside a 1,000-token packet, per category, vs the BM25 bar.") { data, output, noWrite };
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

            var target = parseResult.GetValue(noWrite) ? null : Path.GetFullPath(parseResult.GetValue(output)!);
            var progress = new SynchronousProgress(line => context.Error.WriteLine(line));
            var result = await LoCoMoBenchmark.RunAsync(folder, progress, context.CancellationToken).ConfigureAwait(false);
            context.Out.Write(LoCoMoReport.ToTable(result));
            if (target is not null)
            {
                await WriteSectionAsync(target, existing => LoCoMoReport.UpdateDocument(existing, LoCoMoReport.ToMarkdown(result, "skmem bench locomo --data <folder>")), context.CancellationToken).ConfigureAwait(false);
                context.Error.WriteLine($"wrote the LoCoMo retrieval section of {target}");
            }

            return ExitCodes.Ok;
        });
        return new Command("bench", "Run a benchmark.") { locomo, BenchLatencyCommand.Create(runner) };
    }

    /// <summary>Rewrites one section of a Markdown file (creating the file and its folder when missing).</summary>
    /// <param name="target">The file.</param>
    /// <param name="update">Turns the current text (null when there is no file) into the new text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    internal static async Task WriteSectionAsync(string target, Func<string?, string> update, CancellationToken cancellationToken)
    {
        var existing = File.Exists(target) ? await File.ReadAllTextAsync(target, cancellationToken).ConfigureAwait(false) : null;
        if (Path.GetDirectoryName(target) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(target, update(existing), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
