namespace SkMemory;

/// <summary>
/// A request to change a memory in place. Null properties are left unchanged. The update applies only if the memory is
/// still at <see cref="ExpectedVersion"/>; otherwise a <see cref="MemoryConcurrencyException"/> is thrown.
/// </summary>
public sealed record MemoryUpdateRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the version the caller read.</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>Gets who is changing it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets why it changes.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the new content.</summary>
    public MemoryValue? Value { get; init; }

    /// <summary>Gets the new evidence.</summary>
    public MemoryProvenance? Provenance { get; init; }

    /// <summary>Gets the new confidence.</summary>
    public double? Confidence { get; init; }

    /// <summary>Gets the new salience.</summary>
    public double? Salience { get; init; }

    /// <summary>Gets the new decay policy.</summary>
    public MemoryDecayPolicy? DecayPolicy { get; init; }

    /// <summary>Gets the new time to live.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Gets the new metadata (replaces the old metadata whole).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
