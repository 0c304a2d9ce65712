using System.Security.Cryptography;
using System.Text;

namespace SkMemory.Redaction;

/// <summary>
/// Seals vault values with AES-GCM. The nonce is derived from the value (an HMAC under a separate subkey, as in SIV), so
/// the same value of the same kind in the same tenant seals to the same text and keeps its token; the tenant and kind are
/// authenticated data, so a value moved to another row does not open.
/// </summary>
internal sealed class VaultCipher
{
    public const string Prefix = "aesgcm1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _encryptionKey;
    private readonly byte[] _nonceKey;

    public VaultCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is not (16 or 24 or 32))
        {
            throw new MemoryValidationException("vault_key", $"is {key.Length} bytes; an AES key is 16, 24 or 32 bytes (32 recommended)");
        }

        _encryptionKey = HMACSHA256.HashData(key, "skmemory vault encryption"u8)[..key.Length];
        _nonceKey = HMACSHA256.HashData(key, "skmemory vault nonce"u8);
    }

    public string Seal(string tenant, string kind, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var aad = Encoding.UTF8.GetBytes(tenant + "\n" + kind);
        byte[] message = [.. aad, (byte)10, .. plain];
        var nonce = HMACSHA256.HashData(_nonceKey, message)[..NonceSize];
        var output = new byte[NonceSize + TagSize + plain.Length];
        nonce.CopyTo(output, 0);
        using var aes = new AesGcm(_encryptionKey, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), aad);
        return Prefix + Convert.ToBase64String(output);
    }

    public string Open(string tenant, string kind, string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored; // stored before a key was configured
        }

        var data = Convert.FromBase64String(stored[Prefix.Length..]);
        var plain = new byte[data.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_encryptionKey, TagSize);
            aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize + TagSize), data.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(tenant + "\n" + kind));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new MemoryException(MemoryErrorCode.InvalidState, "A vault value does not open with the configured vault key: configure the key it was sealed with.", ex);
        }

        return Encoding.UTF8.GetString(plain);
    }
}
