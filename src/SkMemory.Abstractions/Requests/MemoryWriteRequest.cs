namespace SkMemory;

/// <summary>A request to write a new memory, with its provenance.</summary>
public sealed record MemoryWriteRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory type name.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the scope; personal by default.</summary>
    public MemoryScope Scope { get; init; } = MemoryScope.Personal;

    /// <summary>Gets who or what the memory is about.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets who is writing.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the content.</summary>
    public required MemoryValue Value { get; init; }

    /// <summary>Gets the evidence.</summary>
    public MemoryProvenance Provenance { get; init; } = MemoryProvenance.Manual;

    /// <summary>Gets the confidence, 0..1.</summary>
    public double Confidence { get; init; } = 1;

    /// <summary>Gets the salience, 0..1.</summary>
    public double Salience { get; init; } = 0.5;

    /// <summary>Gets the decay policy.</summary>
    public MemoryDecayPolicy DecayPolicy { get; init; } = MemoryDecayPolicy.None;

    /// <summary>Gets when the fact became true; the write time when null.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Gets the time to live from <see cref="ValidFrom"/>.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Gets string metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Gets the caller's idempotency key. Writing the same key again in the tenant returns the first record; reusing it
    /// for different content is a conflict.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets why the memory is written, recorded on the event.</summary>
    public string? Reason { get; init; }
}
