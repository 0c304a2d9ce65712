using System.Buffers.Text;
using System.Text;

namespace SkMemory.Redaction;

/// <summary>
/// Guards that tell a secret from things shaped like one: UUIDs, hex hashes and git SHAs, base64 of ordinary words,
/// identifiers, placeholders (<c>${DB_PASSWORD}</c>, <c>&lt;your key&gt;</c>, <c>****</c>) and file names.
/// </summary>
internal static class SecretShape
{
    private static readonly string[] FileExtensions =
        ["png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css", "ts", "json", "md", "py", "cs", "html", "txt", "pdf", "zip", "yaml", "yml", "xml"];

    private static readonly HashSet<string> PasswordWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "required", "incorrect", "invalid", "valid", "changed", "reset", "expired", "expire", "expires", "null", "none", "empty", "hidden", "optional",
        "strong", "weak", "wrong", "missing", "protected", "manager", "policy", "field", "prompt", "length", "hash", "hashed", "stored", "correct",
        "updated", "same", "different", "too", "not", "being", "still", "never", "always", "also", "only", "case", "sensitive", "rotation", "redacted",
        "unchanged", "secret", "set", "unset", "blank", "masked", "encrypted", "longer", "shorter", "something", "whatever", "the", "your", "their",
    };

    /// <summary>Letters and digits both, and upper and lower case or enough digits: what random keys look like.</summary>
    /// <param name="value">The key body.</param>
    /// <returns>Whether it is mixed.</returns>
    public static bool HasMixedClasses(string value)
    {
        var (upper, lower, digit) = Classes(value);
        return digit > 0 && (upper > 0 || lower > 0) && (upper > 0 && lower > 0 || digit >= 4);
    }

    /// <summary>A value assigned to a secret-named setting that is neither a placeholder nor a plain word.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it looks secret.</returns>
    public static bool LooksLikeSecretValue(string value)
    {
        if (IsPlaceholder(value) || value.Length < 12)
        {
            return false;
        }

        var (upper, lower, digit) = Classes(value);
        return digit >= 2 && (upper + lower) >= 4 && Entropy(value) >= 3.2;
    }

    /// <summary>A password after <c>password:</c> or <c>password is</c>: not a placeholder nor an ordinary word.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it looks like a password.</returns>
    public static bool LooksLikePassword(string value)
    {
        value = value.TrimEnd('.', '!', '?', ')');
        if (value.Length < 4 || IsPlaceholder(value) || PasswordWords.Contains(value))
        {
            return false;
        }

        // A lower-case word is prose ("the password is long"), unless it has a digit or a symbol in it.
        var (upper, lower, digit) = Classes(value);
        var symbols = value.Length - upper - lower - digit;
        return digit > 0 || symbols > 0 || (upper > 0 && lower > 0);
    }

    /// <summary>A placeholder: <c>${VAR}</c>, <c>%VAR%</c>, <c>&lt;…&gt;</c>, <c>{{…}}</c>, <c>***</c>, <c>xxx</c>, <c>YOUR_API_KEY</c>, or a redaction.</summary>
    /// <param name="value">The value.</param>
    /// <returns>Whether it is a placeholder.</returns>
    public static bool IsPlaceholder(string value)
    {
        var v = value.Trim('"', '\'', '`');
        if (v.Length == 0 || v.StartsWith("${", StringComparison.Ordinal) || v.StartsWith("$(", StringComparison.Ordinal) || v.StartsWith('<')
            || v.StartsWith("{{", StringComparison.Ordinal) || v.StartsWith('%') || v.StartsWith("[[tok:", StringComparison.Ordinal)
            || v.StartsWith("[redacted", StringComparison.OrdinalIgnoreCase) || v.StartsWith('$'))
        {
            return true;
        }

        if (v.All(c => c is '*' or 'x' or 'X' or '.' or '-' or '#' or '?' or '•'))
        {
            return true;
        }

        // YOUR_API_KEY, CHANGE_ME, REPLACE-WITH-TOKEN: upper-case words and separators only.
        return v.All(c => char.IsAsciiLetterUpper(c) || c is '_' or '-') && v.Any(c => c is '_' or '-')
            || v.Contains("example", StringComparison.OrdinalIgnoreCase) || v.Contains("changeme", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A JWT: its header decodes to a JSON object naming an <c>alg</c>.</summary>
    /// <param name="value">The token.</param>
    /// <returns>Whether it is one.</returns>
    public static bool IsJwt(string value)
    {
        var header = value[..value.IndexOf('.', StringComparison.Ordinal)];
        return DecodeBase64Url(header) is { } json && json.StartsWith('{') && json.Contains("\"alg\"", StringComparison.Ordinal);
    }

    /// <summary>An email address that is neither a URL's user info (<c>user:password@host</c>) nor a file name (<c>icon@2x.png</c>).</summary>
    /// <param name="value">The match.</param>
    /// <param name="start">Where it starts.</param>
    /// <param name="text">The text.</param>
    /// <returns>Whether it is an email address.</returns>
    public static bool IsEmail(string value, int start, string text)
    {
        var tld = value[(value.LastIndexOf('.') + 1)..];
        if (FileExtensions.Contains(tld, StringComparer.OrdinalIgnoreCase) || value.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        // In "scheme://user:secret@host" the part before '@' is a credential, not a mailbox.
        var wordStart = start;
        while (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1]) && text[wordStart - 1] is not ('"' or '\'' or '<' or '(' or '='))
        {
            wordStart--;
        }

        return !text.AsSpan(wordStart, start - wordStart).Contains("://", StringComparison.Ordinal);
    }

    /// <summary>
    /// A random-looking token with no known shape: long, high Shannon entropy, mixed character classes that change often
    /// (identifiers change rarely), and not hex (hashes, git SHAs, UUIDs), not base64 of readable text, not an integrity
    /// hash or a data URI.
    /// </summary>
    /// <param name="value">The candidate.</param>
    /// <param name="start">Where it starts.</param>
    /// <param name="text">The text.</param>
    /// <returns>Whether it looks like a secret.</returns>
    public static bool IsHighEntropySecret(string value, int start, string text)
    {
        var core = value.Trim('-', '_', '=', '/');
        if (core.Length < 20 || IsHex(core.Replace("-", string.Empty, StringComparison.Ordinal)) || IsPlaceholder(core))
        {
            return false;
        }

        if (core.StartsWith("sha1-", StringComparison.OrdinalIgnoreCase) || core.StartsWith("sha256-", StringComparison.OrdinalIgnoreCase)
            || core.StartsWith("sha384-", StringComparison.OrdinalIgnoreCase) || core.StartsWith("sha512-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A path (tenant/<uuid>/objects, src/app/v2): a segment is a word or a hex id.
        if (core.Contains('/', StringComparison.Ordinal)
            && core.Split('/', StringSplitOptions.RemoveEmptyEntries).Any(s => (s.Length >= 3 && s.All(char.IsAsciiLetterLower)) || (s.Length >= 8 && IsHex(s.Replace("-", string.Empty, StringComparison.Ordinal)))))
        {
            return false;
        }

        var before = text.AsSpan(Math.Max(0, start - 8), Math.Min(8, start));
        if (before.EndsWith("sha256-", StringComparison.OrdinalIgnoreCase) || before.EndsWith("sha384-", StringComparison.OrdinalIgnoreCase)
            || before.EndsWith("sha512-", StringComparison.OrdinalIgnoreCase) || before.EndsWith("base64,", StringComparison.Ordinal)
            || before.EndsWith("sha1-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Ids with a type prefix (cus_, pi_, ch_, evt_, req_ ...) name objects; they are not credentials.
        var underscore = core.IndexOf('_', StringComparison.Ordinal);
        if (underscore is > 1 and <= 5 && core[..underscore].All(char.IsAsciiLetterLower))
        {
            return false;
        }

        var (upper, lower, digit) = Classes(core);
        var threeClasses = upper > 0 && lower > 0 && digit > 0;
        var lowerDigits = upper == 0 && lower > 0 && digit >= core.Length / 5 && core.Length >= 30;
        if (!threeClasses && !lowerDigits)
        {
            return false;
        }

        if (digit < 2 || SwitchRate(core) < 0.3)
        {
            return false;
        }

        var threshold = threeClasses ? Math.Min(4.3, Math.Log2(core.Length) * 0.85) : Math.Min(4.0, Math.Log2(core.Length) * 0.8);
        if (Entropy(core) < threshold)
        {
            return false;
        }

        return !IsBase64OfText(core);
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    /// <param name="value">The text.</param>
    /// <returns>The entropy.</returns>
    public static double Entropy(string value)
    {
        if (value.Length == 0)
        {
            return 0;
        }

        var counts = new Dictionary<char, int>();
        foreach (var c in value)
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        var entropy = 0.0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / value.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    private static (int Upper, int Lower, int Digit) Classes(string value) =>
        (value.Count(char.IsAsciiLetterUpper), value.Count(char.IsAsciiLetterLower), value.Count(char.IsAsciiDigit));

    private static bool IsHex(string value) => value.All(char.IsAsciiHexDigit);

    // How often the character class changes between neighbours: about 0.6 in random base62, under 0.2 in camelCase words.
    private static double SwitchRate(string value)
    {
        static int Class(char c) => char.IsAsciiLetterUpper(c) ? 0 : char.IsAsciiLetterLower(c) ? 1 : char.IsAsciiDigit(c) ? 2 : 3;
        var switches = 0;
        for (var i = 1; i < value.Length; i++)
        {
            if (Class(value[i]) != Class(value[i - 1]))
            {
                switches++;
            }
        }

        return (double)switches / (value.Length - 1);
    }

    private static bool IsBase64OfText(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64String(padded, bytes, out var written) || written == 0)
        {
            return false;
        }

        var printable = bytes.AsSpan(0, written).ToArray().Count(b => b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t');
        return printable >= written * 0.95;
    }

    private static string? DecodeBase64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '=');
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64String(padded, bytes, out var written))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
