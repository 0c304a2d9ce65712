namespace SkMemory.Redaction;

/// <summary>The checks that turn number-shaped text into findings: Luhn and issuer prefixes, IBAN mod-97, SSN and NINO ranges.</summary>
internal static class Checksums
{
    // IBAN lengths per country (ISO 13616 registry), so a checksum that passes by chance on the wrong length is rejected.
    private static readonly Dictionary<string, int> IbanLengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18, ["DO"] = 28,
        ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23,
        ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20,
        ["LV"] = 21, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NL"] = 18,
        ["NO"] = 15, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["SA"] = 24,
        ["SC"] = 31, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23, ["TN"] = 24,
        ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
    };

    private static readonly HashSet<string> InvalidNinoPrefixes = new(StringComparer.Ordinal) { "BG", "GB", "KN", "NK", "NT", "TN", "ZZ" };

    /// <summary>Gets a value indicating whether the text is a card number: 13 to 19 digits, grouped consistently, a known issuer prefix, Luhn valid.</summary>
    /// <param name="value">Digits with optional single spaces or dashes.</param>
    /// <returns>Whether it is a card number.</returns>
    public static bool IsCardNumber(string value)
    {
        var digits = Digits(value);
        if (digits.Length is < 13 or > 19 || !GroupedLikeACard(value, digits.Length) || !HasIssuerPrefix(digits))
        {
            return false;
        }

        return Luhn(digits);
    }

    /// <summary>Gets a value indicating whether the digits pass the Luhn check.</summary>
    /// <param name="digits">The digits.</param>
    /// <returns>Whether they pass.</returns>
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    /// <summary>Gets a value indicating whether the text is an IBAN: the country's length and mod-97 = 1.</summary>
    /// <param name="value">The IBAN, with optional spaces.</param>
    /// <returns>Whether it is one.</returns>
    public static bool IsIban(string value)
    {
        var iban = value.Replace(" ", string.Empty, StringComparison.Ordinal);
        if (iban.Length < 15 || !IbanLengths.TryGetValue(iban[..2], out var length) || iban.Length != length)
        {
            return false;
        }

        // Move the country and check digits to the end; letters count as 10..35; the remainder must be 1.
        var rearranged = iban[4..] + iban[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }

    /// <summary>
    /// Gets a value indicating whether the text is a US SSN that can be issued: area not 000, 666 or 900-999, group not 00,
    /// serial not 0000, and not one of the numbers published in advertising (078-05-1120, 219-09-9999, 123-45-6789).
    /// </summary>
    /// <param name="value">Nine digits, optionally as 3-2-4 groups.</param>
    /// <returns>Whether it is a valid SSN.</returns>
    public static bool IsSsn(string value)
    {
        var digits = Digits(value);
        if (digits.Length != 9)
        {
            return false;
        }

        var area = int.Parse(digits.AsSpan(0, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        if (area is 0 or 666 or >= 900 || digits.AsSpan(3, 2).SequenceEqual("00") || digits.AsSpan(5, 4).SequenceEqual("0000"))
        {
            return false;
        }

        return digits is not ("078051120" or "219099999" or "123456789");
    }

    /// <summary>Gets a value indicating whether the text is a UK National Insurance number with an allocatable prefix.</summary>
    /// <param name="value">The number, with optional spaces.</param>
    /// <returns>Whether it is one.</returns>
    public static bool IsNino(string value)
    {
        var nino = value.Replace(" ", string.Empty, StringComparison.Ordinal);
        return nino.Length == 9 && !InvalidNinoPrefixes.Contains(nino[..2]);
    }

    private static string Digits(string value) => string.Concat(value.Where(char.IsAsciiDigit));

    private static bool HasIssuerPrefix(string d)
    {
        int P(int n) => int.Parse(d.AsSpan(0, n), provider: System.Globalization.CultureInfo.InvariantCulture);
        return d.Length switch
        {
            _ when d[0] == '4' => d.Length is 13 or 16 or 19, // Visa
            16 when P(2) is >= 51 and <= 55 || P(4) is >= 2221 and <= 2720 => true, // Mastercard
            15 when P(2) is 34 or 37 => true, // American Express
            >= 16 when P(4) == 6011 || P(2) == 65 || P(3) is >= 644 and <= 649 => true, // Discover
            >= 16 when P(4) is >= 3528 and <= 3589 => true, // JCB
            14 or 16 when P(3) is >= 300 and <= 305 || P(2) is 36 or 38 or 39 => true, // Diners Club
            >= 16 when P(2) == 62 => true, // UnionPay
            _ => false,
        };
    }

    // Card numbers are written without separators or in groups of four (Amex 4-6-5, Diners 4-6-4); other groupings are
    // ISBNs, phone numbers, order references.
    private static bool GroupedLikeACard(string value, int length)
    {
        var groups = value.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries).Select(g => g.Length).ToArray();
        if (groups.Length == 1)
        {
            return true;
        }

        if (value.Contains(' ', StringComparison.Ordinal) && value.Contains('-', StringComparison.Ordinal))
        {
            return false;
        }

        if (groups is [4, 6, 5] or [4, 6, 4])
        {
            return true;
        }

        for (var i = 0; i < groups.Length - 1; i++)
        {
            if (groups[i] != 4)
            {
                return false;
            }
        }

        return groups[^1] is >= 1 and <= 4 && length == groups.Sum();
    }
}
