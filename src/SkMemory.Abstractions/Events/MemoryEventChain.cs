using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SkMemory;

/// <summary>
/// The hash chain over a tenant's event log. Every store computes hashes with these functions, so an export from one
/// store imports into another with the same hashes.
/// </summary>
public static class MemoryEventChain
{
    /// <summary>The previous hash of a chain's first event.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private const string HashFormatVersion = "skmemory-event-v1";

    /// <summary>Computes the SHA-256 of a payload, as lower-case hex.</summary>
    /// <param name="payload">The payload text.</param>
    /// <returns>The hash.</returns>
    public static string ComputePayloadHash(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Sha256Hex(payload);
    }

    /// <summary>
    /// Computes an event's chain hash from its header fields, its payload hash and the previous hash. The payload itself is
    /// not an input, so erasing it keeps the chain verifiable.
    /// </summary>
    /// <param name="e">The event; its <see cref="MemoryEvent.Hash"/> is ignored.</param>
    /// <returns>The hash, as lower-case hex.</returns>
    public static string ComputeHash(MemoryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var header = string.Join(
            '\n',
            HashFormatVersion,
            e.Tenant,
            e.Sequence.ToString(CultureInfo.InvariantCulture),
            e.EventId.ToString("D"),
            e.MemoryId.ToString("D"),
            MemoryJson.EnumName(e.EventType),
            e.StreamVersion.ToString(CultureInfo.InvariantCulture),
            FormatTimestamp(e.OccurredAt),
            MemoryJson.EnumName(e.Actor.Kind),
            e.Actor.Id,
            e.Reason ?? string.Empty,
            e.PayloadHash,
            e.PreviousHash);
        return Sha256Hex(header);
    }

    /// <summary>Formats a timestamp the way the chain hashes it: UTC, microsecond precision.</summary>
    /// <param name="value">The timestamp.</param>
    /// <returns>The formatted timestamp.</returns>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Truncates a timestamp to the microsecond precision every store keeps.</summary>
    /// <param name="value">The timestamp.</param>
    /// <returns>The truncated UTC timestamp.</returns>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    /// <summary>Computes the SHA-256 of text's UTF-8 bytes as lower-case hex: the one content hash of the library.</summary>
    /// <param name="text">The text.</param>
    /// <returns>64 lower-case hex digits.</returns>
    internal static string Sha256Hex(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash);
    }
}
