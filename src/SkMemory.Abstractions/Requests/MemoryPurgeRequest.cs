namespace SkMemory;

/// <summary>
/// Removes memories' content everywhere it lives (record, event payloads, embeddings, full-text index, vault tokens, and
/// derived memories that depend only on them) and returns a signed <see cref="MemoryDeletionAttestation"/>. Name either
/// <see cref="Ids"/> or <see cref="Subject"/>.
/// </summary>
public sealed record MemoryPurgeRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memories to purge.</summary>
    public IReadOnlyList<Guid>? Ids { get; init; }

    /// <summary>Gets the subject whose every memory is purged.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets why: kept in the log and in the attestation.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets who purges.</summary>
    public required MemoryActor Actor { get; init; }
}
