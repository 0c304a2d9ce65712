namespace SkMemory.Evals;

/// <summary>Evidence recall: the share of a question's evidence turns found in a ranking or a packet.</summary>
public static class EvidenceRecall
{
    /// <summary>Computes recall@k: the share of <paramref name="evidence"/> found among the first <paramref name="k"/> ranked items.</summary>
    /// <param name="ranked">The ranked items, best first; each item may stand for several turns.</param>
    /// <param name="evidence">The evidence turn ids.</param>
    /// <param name="k">How many ranked items to look at.</param>
    /// <returns>Recall in 0..1; 0 when there is no evidence.</returns>
    public static double AtK(IReadOnlyList<IReadOnlyCollection<string>> ranked, IReadOnlyCollection<string> evidence, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        return Of(ranked.Take(k).SelectMany(ids => ids), evidence);
    }

    /// <summary>Computes the share of <paramref name="evidence"/> present in <paramref name="found"/>.</summary>
    /// <param name="found">The turn ids found.</param>
    /// <param name="evidence">The evidence turn ids.</param>
    /// <returns>Recall in 0..1; 0 when there is no evidence.</returns>
    public static double Of(IEnumerable<string> found, IReadOnlyCollection<string> evidence)
    {
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(evidence);
        if (evidence.Count == 0)
        {
            return 0;
        }

        var set = found.ToHashSet(StringComparer.Ordinal);
        return (double)evidence.Distinct(StringComparer.Ordinal).Count(set.Contains) / evidence.Distinct(StringComparer.Ordinal).Count();
    }
}
