namespace SkMemory.Evals.Tests;

/// <summary>
/// The redaction rules' quality on the shipped labelled corpus, as a deterministic test: overall recall and precision, and a
/// recall floor per kind. Also the scoring itself on a tiny corpus whose numbers follow by hand.
/// </summary>
public sealed class RedactionBenchmarkTests
{
    [Fact]
    public void The_corpus_is_large_enough_and_labelled_consistently()
    {
        var corpus = RedactionCorpus.Load();

        Assert.True(corpus.Count(l => l.Labels.Count > 0) >= 300, "at least 300 positive lines");
        Assert.True(corpus.Count(l => l.Labels.Count == 0) >= 300, "at least 300 negative lines");
        Assert.All(corpus.SelectMany(l => l.Labels), l => Assert.Contains(l.Kind, MemoryRedactionKinds.All));
        Assert.All(MemoryRedactionKinds.All, kind => Assert.True(corpus.SelectMany(l => l.Labels).Count(l => l.Kind == kind) >= 30, $"at least 30 labels of {kind}"));
    }

    [Fact]
    public void The_rules_meet_the_recall_and_precision_targets_on_the_corpus()
    {
        var result = RedactionBenchmark.Run();

        Assert.True(result.Recall >= 0.98, $"recall {result.Recall:F3}; misses: {string.Join("; ", result.Misses)}");
        Assert.True(result.Precision >= 0.95, $"precision {result.Precision:F3}; false positives: {string.Join("; ", result.FalsePositives)}");
        Assert.All(result.Kinds, k => Assert.True(k.Recall >= 0.95, $"{k.Kind} recall {k.Recall:F3}"));
        Assert.All(result.Kinds, k => Assert.True(k.Precision >= 0.9, $"{k.Kind} precision {k.Precision:F3}"));
    }

    [Fact]
    public void Scoring_counts_overlaps_by_kind()
    {
        RedactionCorpusLine[] corpus =
        [
            new(1, "email", "write to ana@example.com", [new("email", "ana@example.com")]),
            new(2, "phone", "the code is 12-34", [new("phone", "12-34")]), // missed: no rule finds it
            new(3, "uuid", "id 3f2b8c1e-9d4a-4e7b-8c2d-1a2b3c4d5e6f", []),
            new(4, "fp", "ping bob@example.org", []), // a finding on a negative line
        ];

        var result = RedactionBenchmark.Run(corpus);

        Assert.Equal(2, result.Labels);
        Assert.Equal(1, result.Found);
        Assert.Equal(0.5, result.Recall);
        Assert.Equal(2, result.Findings);
        Assert.Equal(0.5, result.Precision);
        Assert.Equal(1, result.NegativeLinesFlagged);
        var email = Assert.Single(result.Rules, r => r.RuleId == "email");
        Assert.Equal((1, 2, 1), (email.Labels, email.Findings, email.FalsePositives));
        Assert.Equal(["line 2 (phone): phone missed"], result.Misses);
        Assert.Contains("rule email flagged \"bob@example.org\"", Assert.Single(result.FalsePositives), StringComparison.Ordinal);
        var section = RedactionReport.ToMarkdown(result, "test");
        Assert.StartsWith(RedactionReport.BeginMarker, section, StringComparison.Ordinal);
        Assert.Contains("| `email` | 1 | 1 | 1.000 | 2 | 1 | 0.500 |", section, StringComparison.Ordinal);
        Assert.Equal("# A\n\nkept\n\n" + section, RedactionReport.UpdateDocument("# A\n\nkept\n", section));
    }
}
