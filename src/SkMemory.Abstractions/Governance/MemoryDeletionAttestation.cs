namespace SkMemory;

/// <summary>
/// What a purge removed, signed with the operator's key so anyone holding the public key can check it later
/// (<c>skmem verify --attestation</c>): the ids, the payload hashes of the scrubbed events, the counts per place the
/// content lived, and the time.
/// </summary>
public sealed record MemoryDeletionAttestation
{
    /// <summary>Gets the attestation format version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Gets the attestation's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets why the content was purged.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets who purged it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets when.</summary>
    public required DateTimeOffset PurgedAt { get; init; }

    /// <summary>Gets the memories purged, including derived ones.</summary>
    public required IReadOnlyList<Guid> MemoryIds { get; init; }

    /// <summary>Gets the memories purged because they were derived only from purged ones (a subset of <see cref="MemoryIds"/>).</summary>
    public IReadOnlyList<Guid> DerivedIds { get; init; } = [];

    /// <summary>Gets the payload hashes of every event whose payload was scrubbed (the chain still covers them).</summary>
    public required IReadOnlyList<string> PayloadHashes { get; init; }

    /// <summary>
    /// Gets the SHA-256 (lower-case hex) of every vault token deleted, so a verifier can check that no vault row still holds
    /// one without the attestation naming the tokens.
    /// </summary>
    public IReadOnlyList<string> VaultTokenHashes { get; init; } = [];

    /// <summary>Gets how many rows were removed or scrubbed in each place the content lived.</summary>
    public required MemoryDeletionCounts Counts { get; init; }

    /// <summary>Gets the chain head of the tenant after the purge (sequence and hash).</summary>
    public required string ChainHead { get; init; }

    /// <summary>Gets the signature algorithm (<c>ES256</c>: ECDSA P-256 with SHA-256), or <see langword="null"/> if unsigned.</summary>
    public string? Algorithm { get; init; }

    /// <summary>Gets the signing key's id: the SHA-256 of its public key (SubjectPublicKeyInfo), hex.</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the signature over the attestation's canonical JSON without the signature, base64.</summary>
    public string? Signature { get; init; }
}
