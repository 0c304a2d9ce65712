using System.Security.Cryptography;

namespace SkMemory;

/// <summary>
/// Signs deletion attestations with an ECDSA P-256 key (<c>ES256</c>: SHA-256, IEEE P1363 signature, base64) that the
/// operator configures, as a PKCS#8 PEM private key. The key id is the SHA-256 (hex) of the public key's
/// SubjectPublicKeyInfo, so a verifier can tell which public key to use.
/// </summary>
/// <remarks>Thread-safe: signing does not change the key.</remarks>
public sealed class MemoryAttestationSigner : IDisposable
{
    /// <summary>The signature algorithm name written in attestations.</summary>
    public const string AlgorithmName = "ES256";

    private readonly ECDsa _key;

    private MemoryAttestationSigner(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException("The attestation key must be an ECDSA P-256 key (ES256); create one with MemoryAttestationSigner.Create() or `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.");
        }

        _key = key;
        KeyId = ComputeKeyId(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Gets the key id: the SHA-256 of the public key's SubjectPublicKeyInfo, lower-case hex.</summary>
    public string KeyId { get; }

    /// <summary>Creates a signer with a new random P-256 key.</summary>
    /// <returns>The signer.</returns>
    public static MemoryAttestationSigner Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Creates a signer from a PEM private key (PKCS#8 <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>).</summary>
    /// <param name="privateKeyPem">The PEM text.</param>
    /// <returns>The signer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="privateKeyPem"/> is null.</exception>
    /// <exception cref="ArgumentException">The text holds no P-256 private key.</exception>
    public static MemoryAttestationSigner FromPem(string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(privateKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ArgumentException("The attestation signing key is not a PEM EC private key; give a PKCS#8 'PRIVATE KEY' PEM for curve P-256.", nameof(privateKeyPem), ex);
        }

        try
        {
            // A public key imports without error but cannot sign: find out now, not at the first purge.
            _ = key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new ArgumentException("The PEM holds a public key; the signer needs the private key (PKCS#8 'PRIVATE KEY').", nameof(privateKeyPem), ex);
        }

        return new MemoryAttestationSigner(key);
    }

    /// <summary>Creates a signer from a PEM private key file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The signer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="ArgumentException">The file holds no P-256 private key.</exception>
    public static MemoryAttestationSigner FromPemFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromPem(File.ReadAllText(path));
    }

    /// <summary>Computes the key id of a public key given as SubjectPublicKeyInfo bytes.</summary>
    /// <param name="subjectPublicKeyInfo">The DER bytes.</param>
    /// <returns>The SHA-256, lower-case hex.</returns>
    public static string ComputeKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Exports the private key as PKCS#8 PEM (to store it; keep the file private).</summary>
    /// <returns>The PEM.</returns>
    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>Exports the public key as SubjectPublicKeyInfo PEM (<c>PUBLIC KEY</c>): what verifiers need.</summary>
    /// <returns>The PEM.</returns>
    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Signs an attestation: sets <see cref="MemoryDeletionAttestation.Algorithm"/>, <see cref="MemoryDeletionAttestation.KeyId"/> and <see cref="MemoryDeletionAttestation.Signature"/>.</summary>
    /// <param name="attestation">The attestation; any signature it has is replaced.</param>
    /// <returns>The signed attestation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attestation"/> is null.</exception>
    public MemoryDeletionAttestation Sign(MemoryDeletionAttestation attestation)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        var unsigned = attestation with { Algorithm = AlgorithmName, KeyId = KeyId, Signature = null };
        var signature = _key.SignData(MemoryAttestationJson.CanonicalBytes(unsigned), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return unsigned with { Signature = Convert.ToBase64String(signature) };
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
