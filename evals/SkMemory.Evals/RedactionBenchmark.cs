using System.Diagnostics;
using SkMemory.Redaction;

namespace SkMemory.Evals;

/// <summary>
/// Measures the built-in pattern rules on the labelled corpus: a label is found when a finding of its kind overlaps it; a
/// finding is a true positive when it overlaps a label of its kind. Recall and precision per kind and per rule.
/// </summary>
public static class RedactionBenchmark
{
    /// <summary>Runs the benchmark.</summary>
    /// <param name="corpus">The corpus, or null for the embedded one.</param>
    /// <param name="time">The clock, or null for the system clock.</param>
    /// <returns>The results.</returns>
    public static RedactionResult Run(IReadOnlyList<RedactionCorpusLine>? corpus = null, TimeProvider? time = null)
    {
        corpus ??= RedactionCorpus.Load();
        time ??= TimeProvider.System;
        var kinds = new Dictionary<string, (int Labels, int Found, int Findings, int Tp)>(StringComparer.Ordinal);
        foreach (var k in MemoryRedactionKinds.All)
        {
            kinds[k] = default;
        }

        var rules = MemoryRedactor.PatternRules.ToDictionary(r => r.RuleId, r => (r.Kind, Labels: 0, Findings: 0, Tp: 0), StringComparer.Ordinal);
        var misses = new List<string>();
        var falsePositives = new List<string>();
        var flagged = 0;
        var watch = Stopwatch.StartNew();
        var results = corpus.Select(line => (Line: line, Findings: MemoryRedactor.FindPatterns(line.Text))).ToList();
        watch.Stop();
        foreach (var (line, findings) in results)
        {
            if (line.Labels.Count == 0 && findings.Count > 0)
            {
                flagged++;
            }

            var spans = line.Labels.Select(l => (l.Kind, Start: line.Text.IndexOf(l.Value, StringComparison.Ordinal), l.Value.Length)).ToList();
            foreach (var (kind, start, length) in spans)
            {
                var k = kinds.GetValueOrDefault(kind);
                k.Labels++;
                var hit = findings.FirstOrDefault(f => f.Kind == kind && f.Start < start + length && start < f.End);
                if (hit is not null)
                {
                    k.Found++;
                    var r = rules[hit.RuleId];
                    rules[hit.RuleId] = r with { Labels = r.Labels + 1 };
                }
                else
                {
                    misses.Add($"line {line.Id} ({line.Category}): {kind} missed");
                }

                kinds[kind] = k;
            }

            foreach (var f in findings)
            {
                var tp = spans.Any(s => s.Kind == f.Kind && f.Start < s.Start + s.Length && s.Start < f.End);
                var k = kinds.GetValueOrDefault(f.Kind);
                k.Findings++;
                k.Tp += tp ? 1 : 0;
                kinds[f.Kind] = k;
                var r = rules[f.RuleId];
                rules[f.RuleId] = r with { Findings = r.Findings + 1, Tp = r.Tp + (tp ? 1 : 0) };
                if (!tp)
                {
                    falsePositives.Add($"line {line.Id} ({line.Category}): rule {f.RuleId} flagged \"{Excerpt(line.Text, f)}\" as {f.Kind}");
                }
            }
        }

        return new RedactionResult
        {
            Lines = corpus.Count,
            PositiveLines = corpus.Count(l => l.Labels.Count > 0),
            NegativeLines = corpus.Count(l => l.Labels.Count == 0),
            Kinds = [.. kinds.Select(k => new RedactionKindScore(k.Key, k.Value.Labels, k.Value.Found, k.Value.Findings, k.Value.Tp))],
            Rules = [.. rules.Select(r => new RedactionRuleScore(r.Key, r.Value.Kind, r.Value.Labels, r.Value.Findings, r.Value.Tp))],
            Misses = misses,
            FalsePositives = falsePositives,
            NegativeLinesFlagged = flagged,
            Elapsed = watch.Elapsed,
            FinishedAt = time.GetUtcNow(),
        };
    }

    // The corpus is synthetic, so showing what was flagged is safe; it is what a reader needs to judge a false positive.
    private static string Excerpt(string text, MemoryRedactionFinding f)
    {
        var value = text.Substring(f.Start, f.Length).ReplaceLineEndings(" ");
        return value.Length <= 60 ? value : value[..57] + "...";
    }
}
