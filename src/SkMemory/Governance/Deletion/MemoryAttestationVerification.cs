namespace SkMemory.Governance;

/// <summary>The outcome of checking a deletion attestation (see <see cref="MemoryAttestationVerifier"/>).</summary>
public sealed record MemoryAttestationVerification
{
    /// <summary>Gets whether the signature was checked against a public key.</summary>
    public required bool SignatureChecked { get; init; }

    /// <summary>Gets whether the signature is valid for the given public key (false when not checked).</summary>
    public required bool SignatureValid { get; init; }

    /// <summary>Gets whether the store was checked for content the attestation says is gone.</summary>
    public required bool StoreChecked { get; init; }

    /// <summary>Gets every problem found, each saying what is wrong: a bad signature or a row that still holds purged content.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Gets whether the signature was checked and does not hold (the reason is in <see cref="Problems"/>).</summary>
    public bool SignatureFailed => SignatureChecked && !SignatureValid;

    /// <summary>Gets whether no problem was found.</summary>
    public bool IsValid => Problems.Count == 0;
}
