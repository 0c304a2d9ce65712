using System.CommandLine;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench redaction [--corpus &lt;file.jsonl&gt;] [--output docs/benchmarks.md] [--no-write]</c>: recall and precision
/// of the redaction pattern rules, per kind and per rule, on the labelled corpus shipped with the evals, and on the held-out
/// corpus (written after the rules were frozen) when no --corpus is given.
/// </summary>
internal static class BenchRedactionCommand
{
    public static Command Create(CommandRunner runner)
    {
        var corpus = new Option<string?>("--corpus")
        {
            Description = "A labelled corpus in the shape of evals/data/redaction/corpus.jsonl; the shipped corpus when left out.",
            HelpName = "file.jsonl",
        };
        var report = new BenchCommand.ReportFile("Redaction");
        var command = new Command("redaction", "Redaction quality: recall and precision of the pattern rules per kind and per rule on the labelled corpus (positives and tricky negatives).")
        {
            corpus, report.Output, report.NoWrite,
        };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var path = parseResult.GetValue(corpus) is { } given ? Path.GetFullPath(given) : null;
            if (path is not null && !File.Exists(path))
            {
                throw CliException.Invalid("corpus", $"the file {path} does not exist", "pass a JSON Lines corpus, or leave --corpus out to use the shipped one");
            }

            var target = report.Target(parseResult);
            var result = RedactionBenchmark.Run(RedactionCorpus.Load(path));
            var holdout = path is null ? RedactionBenchmark.Run(RedactionCorpus.LoadHoldout()) : null;
            if (context.Json)
            {
                JsonOutput.Write(context.Out, w =>
                {
                    w.WriteNumber("lines", result.Lines);
                    w.WriteNumber("labels", result.Labels);
                    w.WriteNumber("recall", result.Recall);
                    w.WriteNumber("precision", result.Precision);
                    if (holdout is not null)
                    {
                        w.WriteStartObject("holdout");
                        w.WriteNumber("lines", holdout.Lines);
                        w.WriteNumber("labels", holdout.Labels);
                        w.WriteNumber("recall", holdout.Recall);
                        w.WriteNumber("precision", holdout.Precision);
                        w.WriteEndObject();
                    }

                    w.WriteStartArray("kinds");
                    foreach (var k in result.Kinds)
                    {
                        w.WriteStartObject();
                        w.WriteString("kind", k.Kind);
                        w.WriteNumber("labels", k.Labels);
                        w.WriteNumber("found", k.Found);
                        w.WriteNumber("findings", k.Findings);
                        w.WriteNumber("false_positives", k.FalsePositives);
                        w.WriteNumber("recall", k.Recall);
                        w.WriteNumber("precision", k.Precision);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartArray("rules");
                    foreach (var r in result.Rules)
                    {
                        w.WriteStartObject();
                        w.WriteString("rule", r.RuleId);
                        w.WriteString("kind", r.Kind);
                        w.WriteNumber("found", r.Labels);
                        w.WriteNumber("findings", r.Findings);
                        w.WriteNumber("false_positives", r.FalsePositives);
                        w.WriteNumber("precision", r.Precision);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
            }
            else
            {
                context.Out.Write(RedactionReport.ToTable(result));
                if (holdout is not null)
                {
                    context.Out.WriteLine();
                    context.Out.WriteLine("held-out corpus (never tuned against):");
                    context.Out.Write(RedactionReport.ToTable(holdout));
                }
            }

            var name = path is null ? "skmem bench redaction" : "skmem bench redaction --corpus <file>";
            await report.WriteAsync(context, target, existing => RedactionReport.UpdateDocument(existing, RedactionReport.ToMarkdown(result, name, holdout))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
