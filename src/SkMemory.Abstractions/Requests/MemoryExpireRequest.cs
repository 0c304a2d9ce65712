namespace SkMemory;

/// <summary>Expires one memory: it leaves every read at once, keeps its content until purged, and records an <c>expired</c> event.</summary>
public sealed record MemoryExpireRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets why (the retention rule that fired, a revoked consent).</summary>
    public required string Reason { get; init; }

    /// <summary>Gets who expires it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the version the caller read, to refuse a concurrent change; <see langword="null"/> to skip the check.</summary>
    public long? ExpectedVersion { get; init; }
}
