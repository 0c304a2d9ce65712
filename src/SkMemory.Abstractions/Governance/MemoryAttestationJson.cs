using System.Text;
using System.Text.Json;

namespace SkMemory;

/// <summary>
/// The JSON form of a <see cref="MemoryDeletionAttestation"/> (snake_case, enums as strings, nulls omitted), and the
/// canonical bytes its signature covers.
/// </summary>
public static class MemoryAttestationJson
{
    // The contract's context, indented for people; the signed bytes come from the compact form.
    private static readonly MemoryJsonContext IndentedContext = new(new JsonSerializerOptions(MemoryJsonContext.Default.Options) { WriteIndented = true });

    /// <summary>Serializes an attestation as compact JSON.</summary>
    /// <param name="attestation">The attestation.</param>
    /// <param name="indented">Whether to indent (for people); the signature does not depend on it.</param>
    /// <returns>The JSON.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attestation"/> is null.</exception>
    public static string Serialize(MemoryDeletionAttestation attestation, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        return JsonSerializer.Serialize(attestation, indented ? IndentedContext.MemoryDeletionAttestation : MemoryJsonContext.Default.MemoryDeletionAttestation);
    }

    /// <summary>Reads an attestation from JSON.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The attestation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="JsonException">The JSON is not an attestation.</exception>
    public static MemoryDeletionAttestation Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, MemoryJsonContext.Default.MemoryDeletionAttestation)
            ?? throw new JsonException("The JSON is null, not an attestation.");
    }

    /// <summary>
    /// Gets the bytes a signature covers: the attestation's compact JSON without <see cref="MemoryDeletionAttestation.Signature"/>
    /// (properties in declaration order, snake_case, nulls omitted), UTF-8. <see cref="MemoryDeletionAttestation.Algorithm"/>
    /// and <see cref="MemoryDeletionAttestation.KeyId"/> are covered.
    /// </summary>
    /// <param name="attestation">The attestation.</param>
    /// <returns>The canonical bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attestation"/> is null.</exception>
    public static byte[] CanonicalBytes(MemoryDeletionAttestation attestation)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        var unsigned = attestation with
        {
            PurgedAt = attestation.PurgedAt.ToUniversalTime(),
            Signature = null,
        };
        return Encoding.UTF8.GetBytes(Serialize(unsigned));
    }
}
