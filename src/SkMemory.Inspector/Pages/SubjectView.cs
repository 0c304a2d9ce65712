namespace SkMemory.Inspector.Pages;

/// <summary>What the subject page shows.</summary>
internal sealed record SubjectView
{
    public required string Subject { get; init; }

    /// <summary>Readable memories per status; a count at <see cref="CountLimit"/> means "at least".</summary>
    public required IReadOnlyList<(MemoryStatus Status, int Count)> Counts { get; init; }

    public int CountLimit { get; init; }

    /// <summary>Consent per scope kind, or null when the caller may not see the subject's consent.</summary>
    public IReadOnlyDictionary<MemoryScopeKind, MemoryConsent?>? Consents { get; init; }

    public bool MayChangeConsent { get; init; }

    /// <summary>Retention lines: what the policy does to the kinds of memory this subject has.</summary>
    public required IReadOnlyList<string> Retention { get; init; }

    public string? RetentionSource { get; init; }

    public string? Notice { get; init; }
}
