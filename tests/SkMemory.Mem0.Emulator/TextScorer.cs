namespace SkMemory.Mem0.Emulator;

/// <summary>
/// The deterministic stand-in for embeddings + BM25: word-token overlap. Tokens are runs of letters/digits,
/// case-folded, with a few stop words removed and a trailing plural "s" dropped. With q = query tokens,
/// m = memory tokens and o = |q ∩ m|: score = 0 when o = 0, else 0.1 + 0.9 × (0.7·o/|q| + 0.3·o/|m|).
/// So any shared word scores above 0.1, identical token sets score 1, and more overlap always scores higher.
/// </summary>
internal static class TextScorer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "A", "AN", "THE", "IS", "ARE", "WAS", "WERE", "BE", "TO", "OF", "AND", "OR", "IN", "ON", "AT", "FOR",
        "WHAT", "WHO", "WHICH", "DO", "DOES", "DID", "MY", "ME", "I", "YOU", "YOUR", "IT", "THIS", "THAT", "WITH",
    };

    public static HashSet<string> Tokens(string text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isWord && start < 0)
            {
                start = i;
            }
            else if (!isWord && start >= 0)
            {
                var token = text[start..i].ToUpperInvariant();
                start = -1;
                if (StopWords.Contains(token))
                {
                    continue;
                }

                if (token.Length > 3 && token.EndsWith('S') && !token.EndsWith("SS", StringComparison.Ordinal))
                {
                    token = token[..^1];
                }

                tokens.Add(token);
            }
        }

        return tokens;
    }

    /// <summary>Returns (score, keyword part o/|q|).</summary>
    public static (double Score, double Keyword) Score(HashSet<string> query, string memory)
    {
        var tokens = Tokens(memory);
        if (query.Count == 0 || tokens.Count == 0)
        {
            return (0, 0);
        }

        var overlap = query.Count(tokens.Contains);
        if (overlap == 0)
        {
            return (0, 0);
        }

        var keyword = (double)overlap / query.Count;
        var score = 0.1 + (0.9 * ((0.7 * keyword) + (0.3 * overlap / tokens.Count)));
        return (Math.Round(Math.Min(score, 1.0), 6), Math.Round(keyword, 6));
    }
}
