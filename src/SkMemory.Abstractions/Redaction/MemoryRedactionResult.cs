namespace SkMemory;

/// <summary>The outcome of redacting one text: the text to store, what was found, what was done, and whether it is blocked.</summary>
public sealed record MemoryRedactionResult
{
    /// <summary>Gets the redacted text (the input unchanged when blocked).</summary>
    public required string Text { get; init; }

    /// <summary>Gets the findings kept after overlaps were resolved, in text order.</summary>
    public IReadOnlyList<MemoryRedactionFinding> Findings { get; init; } = [];

    /// <summary>Gets the action applied to each finding, in the same order as <see cref="Findings"/>.</summary>
    public IReadOnlyList<MemoryRedactionAction> Actions { get; init; } = [];

    /// <summary>Gets the kinds tagged (<see cref="MemoryRedactionAction.Tag"/>), distinct and sorted.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the vault tokens created or reused.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    /// <summary>Gets the finding that blocks the text, if one does.</summary>
    public MemoryRedactionFinding? BlockedBy { get; init; }

    /// <summary>Gets why the text is blocked, for the caller: the rule, the field, and what to do.</summary>
    public string? BlockReason { get; init; }

    /// <summary>Gets a value indicating whether the policy blocks the text.</summary>
    public bool IsBlocked => BlockedBy is not null;

    /// <summary>Gets a value indicating whether the text changed.</summary>
    public bool Changed { get; init; }
}
