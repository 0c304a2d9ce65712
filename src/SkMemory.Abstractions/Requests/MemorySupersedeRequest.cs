namespace SkMemory;

/// <summary>
/// A request to replace a memory with a new version: the new record is created with <c>supersedes</c> set, and the old one
/// stays readable with status superseded and <c>valid_to</c> set.
/// </summary>
public sealed record MemorySupersedeRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the id of the memory to replace.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the version the caller read, or null to replace whatever the current version is.</summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>Gets who is replacing it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets why it is replaced.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the new content.</summary>
    public required MemoryValue Value { get; init; }

    /// <summary>Gets the new evidence; the old evidence when null.</summary>
    public MemoryProvenance? Provenance { get; init; }

    /// <summary>Gets the new confidence; the old one when null.</summary>
    public double? Confidence { get; init; }

    /// <summary>Gets the new salience; the old one when null.</summary>
    public double? Salience { get; init; }

    /// <summary>Gets when the new fact became true (and the old stopped); the write time when null.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Gets the new metadata; the old metadata when null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
