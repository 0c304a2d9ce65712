namespace SkMemory.Packing;

/// <summary>Near-duplicate detection by Jaccard similarity of lower-cased word sets.</summary>
internal static class NearDuplicates
{
    /// <summary>Splits text into its set of lower-cased words (runs of letters and digits).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The word set.</returns>
    internal static HashSet<string> WordSet(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
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
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return words;
    }

    /// <summary>Computes the Jaccard similarity of two word sets; two empty sets are not similar.</summary>
    /// <param name="a">One set.</param>
    /// <param name="b">The other set.</param>
    /// <returns>|a ∩ b| / |a ∪ b|, or 0 when both are empty.</returns>
    internal static double Jaccard(HashSet<string> a, HashSet<string> b)
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
