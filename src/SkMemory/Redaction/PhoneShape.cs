namespace SkMemory.Redaction;

/// <summary>Guards for phone numbers: digit counts, plausible codes, and nothing that reads as a date, a range or a version.</summary>
internal static class PhoneShape
{
    /// <summary>An international number: <c>+</c>, a country code not starting with 0, 8..15 digits in all.</summary>
    /// <param name="value">The match.</param>
    /// <param name="start">Where it starts.</param>
    /// <param name="text">The text.</param>
    /// <returns>Whether it is a phone number.</returns>
    public static bool IsInternational(string value, int start, string text)
    {
        var digits = value.Count(char.IsAsciiDigit);
        return digits is >= 8 and <= 15 && value[1] != '0' && !FollowedByUnit(text, start + value.Length);
    }

    /// <summary>A North American number: area and exchange codes 2-9xx, not part of a longer number or a date.</summary>
    /// <param name="value">The match.</param>
    /// <param name="start">Where it starts.</param>
    /// <param name="text">The text.</param>
    /// <returns>Whether it is a phone number.</returns>
    public static bool IsNanp(string value, int start, string text)
    {
        var digits = string.Concat(value.Where(char.IsAsciiDigit));
        if (digits.Length != 10 || digits[0] is '0' or '1' || digits[3] is '0' or '1')
        {
            return false;
        }

        // "555 123 4567" with plain spaces and no context is as often a count or a reference as a number.
        var spacesOnly = !value.Contains('-', StringComparison.Ordinal) && !value.Contains('.', StringComparison.Ordinal) && !value.Contains('(', StringComparison.Ordinal);
        return (!spacesOnly || HasPhoneWordBefore(text, start)) && !FollowedByUnit(text, start + value.Length);
    }

    /// <summary>A national number with a trunk 0, found after a phone word: 10 or 11 digits.</summary>
    /// <param name="value">The number.</param>
    /// <returns>Whether it is a phone number.</returns>
    public static bool IsNational(string value) => value.Count(char.IsAsciiDigit) is 10 or 11;

    private static bool HasPhoneWordBefore(string text, int start)
    {
        var from = Math.Max(0, start - 30);
        var before = text[from..start].ToLowerInvariant();
        return before.Contains("phone", StringComparison.Ordinal) || before.Contains("tel", StringComparison.Ordinal) || before.Contains("call", StringComparison.Ordinal)
            || before.Contains("mobile", StringComparison.Ordinal) || before.Contains("cell", StringComparison.Ordinal) || before.Contains("fax", StringComparison.Ordinal);
    }

    private static bool FollowedByUnit(string text, int end)
    {
        var rest = text.AsSpan(end).TrimStart();
        return rest.StartsWith("%", StringComparison.Ordinal) || rest.StartsWith("ms", StringComparison.Ordinal) || rest.StartsWith("kb", StringComparison.OrdinalIgnoreCase);
    }
}
