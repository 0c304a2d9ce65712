using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace SkMemory.Embeddings;

/// <summary>
/// Reproduces Hugging Face's <c>BertNormalizer</c> (uncased): drops NUL, U+FFFD and control characters, turns whitespace
/// into spaces, puts spaces around CJK ideographs, strips accents (NFD, then drops non-spacing marks) and lower-cases.
/// <see cref="BertTokenizer"/>'s default options differ (they drop symbols, glue words at tabs, keep accents).
/// </summary>
internal sealed class HfBertNormalizer : Normalizer
{
    /// <summary>The vocabulary's special tokens, matched verbatim in the input as Hugging Face does. The one list of them.</summary>
    public static readonly string[] SpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>
    /// The pre-tokenizer pattern: a special token (which <see cref="Normalize(string)"/> leaves intact) is one token;
    /// otherwise as HF's <c>BertPreTokenizer</c>, each ASCII symbol and each Unicode punctuation character is its own
    /// token. Words cannot run into a special token, since its leading '[' is a symbol.
    /// </summary>
    public static readonly string PreTokenizerPattern =
        string.Join('|', SpecialTokens.Select(Regex.Escape)) + @"|[^\s!-/:-@\[-`{-~\p{P}]+|[!-/:-@\[-`{-~\p{P}]";

    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return Normalize(original.AsSpan());
    }

    public override string Normalize(ReadOnlySpan<char> original)
    {
        // HF matches special tokens ("[CLS]"...) in the raw text before normalizing, so they survive lower-casing.
        var result = new StringBuilder(original.Length + 8);
        while (!original.IsEmpty)
        {
            var (index, token) = FirstSpecialToken(original);
            if (index < 0)
            {
                result.Append(NormalizeSegment(original));
                break;
            }

            result.Append(NormalizeSegment(original[..index])).Append(' ').Append(token).Append(' ');
            original = original[(index + token.Length)..];
        }

        return result.ToString();
    }

    private static (int Index, string Token) FirstSpecialToken(ReadOnlySpan<char> text)
    {
        var best = (Index: -1, Token: string.Empty);
        foreach (var token in SpecialTokens)
        {
            var index = text.IndexOf(token, StringComparison.Ordinal);
            if (index >= 0 && (best.Index < 0 || index < best.Index))
            {
                best = (index, token);
            }
        }

        return best;
    }

    private static string NormalizeSegment(ReadOnlySpan<char> original)
    {
        var cleaned = new StringBuilder(original.Length + 8);
        foreach (var rune in original.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                cleaned.Append(' ');
            }
            else if (IsCjk(rune.Value))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(rune.ToString());
            }
        }

        var decomposed = cleaned.ToString().Normalize(NormalizationForm.FormD);
        var result = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                result.Append(rune.ToString());
            }
        }

        return result.ToString().ToLowerInvariant();
    }

    // HF: '\t', '\n', '\r' are whitespace, not control; other "other" categories (Cc, Cf, Cs, Co, Cn) are control.
    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r')
        && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static bool IsWhitespace(Rune rune) => rune.Value is '\t' or '\n' or '\r' || Rune.IsWhiteSpace(rune);

    private static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
