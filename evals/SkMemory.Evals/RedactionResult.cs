namespace SkMemory.Evals;

/// <summary>The redaction benchmark's results: per kind, per rule, and overall.</summary>
public sealed record RedactionResult
{
    /// <summary>Gets the number of corpus lines.</summary>
    public required int Lines { get; init; }

    /// <summary>Gets the number of lines with at least one label.</summary>
    public required int PositiveLines { get; init; }

    /// <summary>Gets the number of lines with no label.</summary>
    public required int NegativeLines { get; init; }

    /// <summary>Gets the scores per kind.</summary>
    public required IReadOnlyList<RedactionKindScore> Kinds { get; init; }

    /// <summary>Gets the scores per rule.</summary>
    public required IReadOnlyList<RedactionRuleScore> Rules { get; init; }

    /// <summary>Gets the labels missed: line id, kind, category.</summary>
    public required IReadOnlyList<string> Misses { get; init; }

    /// <summary>Gets the false positives: line id, rule, kind, category.</summary>
    public required IReadOnlyList<string> FalsePositives { get; init; }

    /// <summary>Gets the number of negative lines with any finding.</summary>
    public required int NegativeLinesFlagged { get; init; }

    /// <summary>Gets the labels.</summary>
    public int Labels => Kinds.Sum(k => k.Labels);

    /// <summary>Gets the labels found.</summary>
    public int Found => Kinds.Sum(k => k.Found);

    /// <summary>Gets the findings.</summary>
    public int Findings => Kinds.Sum(k => k.Findings);

    /// <summary>Gets the findings that match a label of their kind.</summary>
    public int TruePositives => Kinds.Sum(k => k.TruePositives);

    /// <summary>Gets the overall recall.</summary>
    public double Recall => Labels == 0 ? 1 : (double)Found / Labels;

    /// <summary>Gets the overall precision.</summary>
    public double Precision => Findings == 0 ? 1 : (double)TruePositives / Findings;

    /// <summary>Gets the time the redactor took over the whole corpus.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
}

/// <summary>The scores of one kind.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Labels">Labels of the kind.</param>
/// <param name="Found">Labels overlapped by a finding of the kind.</param>
/// <param name="Findings">Findings of the kind.</param>
/// <param name="TruePositives">Findings of the kind that overlap a label of the kind.</param>
public sealed record RedactionKindScore(string Kind, int Labels, int Found, int Findings, int TruePositives)
{
    /// <summary>Gets the recall.</summary>
    public double Recall => Labels == 0 ? 1 : (double)Found / Labels;

    /// <summary>Gets the precision.</summary>
    public double Precision => Findings == 0 ? 1 : (double)TruePositives / Findings;

    /// <summary>Gets the false positives.</summary>
    public int FalsePositives => Findings - TruePositives;
}

/// <summary>The scores of one rule.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Labels">Labels the rule was the one to find (its share of the kind's recall).</param>
/// <param name="Findings">Its findings kept after overlaps were settled.</param>
/// <param name="TruePositives">Its findings that overlap a label of its kind.</param>
public sealed record RedactionRuleScore(string RuleId, string Kind, int Labels, int Findings, int TruePositives)
{
    /// <summary>Gets the precision.</summary>
    public double Precision => Findings == 0 ? 1 : (double)TruePositives / Findings;

    /// <summary>Gets the false positives.</summary>
    public int FalsePositives => Findings - TruePositives;
}
