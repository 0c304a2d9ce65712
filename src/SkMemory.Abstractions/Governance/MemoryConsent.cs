namespace SkMemory;

/// <summary>A subject's consent for one scope kind: granted or revoked, for what purpose, until when.</summary>
public sealed record MemoryConsent
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject who consents.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the scope kind the consent covers.</summary>
    public required MemoryScopeKind Scope { get; init; }

    /// <summary>Gets the state.</summary>
    public required MemoryConsentState State { get; init; }

    /// <summary>Gets the purpose the subject consented to ("personalization", "support history"...).</summary>
    public required string Purpose { get; init; }

    /// <summary>Gets when the consent lapses, if it does.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the state last changed.</summary>
    public required DateTimeOffset ChangedAt { get; init; }

    /// <summary>Gets who changed it.</summary>
    public required MemoryActor ChangedBy { get; init; }

    /// <summary>Gets why, if said.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets a value indicating whether the consent allows reads and writes at <paramref name="now"/>.</summary>
    /// <param name="now">The time.</param>
    /// <returns><see langword="true"/> if granted and not expired.</returns>
    public bool IsInForce(DateTimeOffset now) => State == MemoryConsentState.Granted && (ExpiresAt is not { } at || at > now);
}
