namespace SkMemory;

/// <summary>One piece of sensitive data found in a text: which rule found it, what kind it is, and where.</summary>
public sealed record MemoryRedactionFinding
{
    /// <summary>Gets the id of the rule or classifier that found it (<c>github_token</c>, <c>luhn_card</c>, <c>names</c>...).</summary>
    public required string RuleId { get; init; }

    /// <summary>Gets the kind (<see cref="MemoryRedactionKinds"/>, or a classifier's own kind, <c>[a-z0-9_]+</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the index of the first character of the sensitive value in the text.</summary>
    public required int Start { get; init; }

    /// <summary>Gets the length of the sensitive value.</summary>
    public required int Length { get; init; }

    /// <summary>Gets how sure the rule is, 0..1; overlapping findings keep the surer one.</summary>
    public double Confidence { get; init; } = 1;

    /// <summary>Gets the index just past the value.</summary>
    public int End => Start + Length;
}
