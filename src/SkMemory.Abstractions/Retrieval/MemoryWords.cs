namespace SkMemory;

/// <summary>
/// The one word splitter of the pipeline: lower-cased runs of letters and digits. Full-text query terms, near-duplicate
/// detection in packets and the MMR reranker's fallback similarity all use it, so they agree on what a word is.
/// </summary>
internal static class MemoryWords
{
    /// <summary>Splits text into lower-cased words, in order, with repeats.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The words.</returns>
    public static IEnumerable<string> Split(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWordChar = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }

    /// <summary>Collapses each run of white space to one space and trims the ends (no change of case).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with single spaces between its white-space-separated parts.</returns>
    public static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Gets the set of a text's words.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The word set.</returns>
    public static HashSet<string> Set(string text) => new(Split(text), StringComparer.Ordinal);

    /// <summary>Computes the Jaccard similarity of two word sets; an empty set is similar to nothing.</summary>
    /// <param name="a">One set.</param>
    /// <param name="b">The other set.</param>
    /// <returns>|a ∩ b| / |a ∪ b|, or 0 when either is empty.</returns>
    public static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var intersection = small.Count(large.Contains);
        return (double)intersection / (a.Count + b.Count - intersection);
    }
}
