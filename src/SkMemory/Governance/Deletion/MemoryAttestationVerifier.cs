using System.Security.Cryptography;
using SkMemory.Storage;

namespace SkMemory.Governance;

/// <summary>
/// Checks a deletion attestation: its ES256 signature with the operator's public key, and, against the store the purge
/// ran on, that no row still holds the content it says was removed (records, event payloads, full-text entries,
/// embeddings, vault tokens) while the hash chain still verifies and still covers the scrubbed payload hashes.
/// </summary>
public static class MemoryAttestationVerifier
{
    /// <summary>Checks an attestation's signature with a public key.</summary>
    /// <param name="attestation">The attestation.</param>
    /// <param name="publicKeyPem">The public key, as PEM (<c>PUBLIC KEY</c>; a private key PEM works too).</param>
    /// <returns>Null when the signature holds, else what is wrong.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="publicKeyPem"/> holds no EC key.</exception>
    public static string? CheckSignature(MemoryDeletionAttestation attestation, string publicKeyPem)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        ArgumentNullException.ThrowIfNull(publicKeyPem);
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(publicKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new ArgumentException("The public key is not a PEM EC key; give the 'PUBLIC KEY' PEM of the signing key (skmem prints where it is).", nameof(publicKeyPem), ex);
        }

        if (attestation.Signature is null || attestation.Algorithm is null)
        {
            return "the attestation is not signed: configure a signing key (MemoryStoreOptions.AttestationSigner) before purging";
        }

        if (attestation.Algorithm != MemoryAttestationSigner.AlgorithmName)
        {
            return $"the attestation is signed with '{attestation.Algorithm}'; only {MemoryAttestationSigner.AlgorithmName} is supported";
        }

        var keyId = MemoryAttestationSigner.ComputeKeyId(key.ExportSubjectPublicKeyInfo());
        if (!string.Equals(attestation.KeyId, keyId, StringComparison.Ordinal))
        {
            return $"the attestation was signed by key {attestation.KeyId ?? "(none)"}, not by the public key given ({keyId})";
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(attestation.Signature);
        }
        catch (FormatException)
        {
            return "the signature is not base64";
        }

        return key.VerifyData(MemoryAttestationJson.CanonicalBytes(attestation), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : "the signature does not match the attestation: a field was changed after signing, or it was signed by another key";
    }

    /// <summary>
    /// Checks an attestation: its signature when <paramref name="publicKeyPem"/> is given, and the store when
    /// <paramref name="store"/> is given (it must be, or wrap, an event-sourced store: SQLite or Postgres).
    /// </summary>
    /// <param name="attestation">The attestation.</param>
    /// <param name="store">The store the purge ran on, or null to check only the signature.</param>
    /// <param name="publicKeyPem">The signer's public key PEM, or null to skip the signature.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The verification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attestation"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="publicKeyPem"/> holds no EC key.</exception>
    /// <exception cref="MemoryException">The store cannot check purges (<see cref="MemoryErrorCode.NotSupported"/>).</exception>
    public static async Task<MemoryAttestationVerification> VerifyAsync(
        MemoryDeletionAttestation attestation, IMemoryStore? store, string? publicKeyPem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        var problems = new List<string>();
        string? signatureProblem = null;
        if (publicKeyPem is not null && (signatureProblem = CheckSignature(attestation, publicKeyPem)) is not null)
        {
            problems.Add(signatureProblem);
        }

        if (store is not null)
        {
            var engine = store.GetService(typeof(EventSourcedMemoryStore)) as EventSourcedMemoryStore
                ?? throw new MemoryException(MemoryErrorCode.NotSupported, "This store cannot check purges; verify against the SQLite or Postgres store the purge ran on.");
            problems.AddRange(await engine.CheckPurgeAsync(attestation, cancellationToken).ConfigureAwait(false));
        }

        return new MemoryAttestationVerification
        {
            SignatureChecked = publicKeyPem is not null,
            SignatureValid = publicKeyPem is not null && signatureProblem is null,
            StoreChecked = store is not null,
            Problems = problems,
        };
    }
}
