namespace SkMemory.Evals;

/// <summary>A latency distribution in milliseconds: count, mean, nearest-rank percentiles and the extremes.</summary>
/// <param name="Count">How many measurements.</param>
/// <param name="Mean">The arithmetic mean.</param>
/// <param name="P50">The median (nearest rank).</param>
/// <param name="P95">The 95th percentile (nearest rank).</param>
/// <param name="P99">The 99th percentile (nearest rank).</param>
/// <param name="Min">The fastest.</param>
/// <param name="Max">The slowest.</param>
public sealed record LatencySummary(int Count, double Mean, double P50, double P95, double P99, double Min, double Max)
{
    /// <summary>Gets the summary of no measurement (all zeros).</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Summarizes measurements.</summary>
    /// <param name="milliseconds">The measurements, in any order.</param>
    /// <returns>The summary; <see cref="Empty"/> when there is none.</returns>
    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var sorted = milliseconds.ToList();
        if (sorted.Count == 0)
        {
            return Empty;
        }

        sorted.Sort();
        return new LatencySummary(
            sorted.Count,
            sorted.Average(),
            Percentile(sorted, 50),
            Percentile(sorted, 95),
            Percentile(sorted, 99),
            sorted[0],
            sorted[^1]);
    }

    /// <summary>The median of values (the mean of the middle two for an even count): what benchmarks quote over repeated rounds.</summary>
    /// <param name="values">The values, in any order.</param>
    /// <returns>The median; 0 when there is none.</returns>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// The nearest-rank percentile: the smallest measurement such that at least <paramref name="percentile"/> % of all
    /// measurements are less than or equal to it (the value at 1-based rank ⌈p/100 × n⌉). Always a measured value, never
    /// an interpolation: "95 % of recalls took at most this long".
    /// </summary>
    /// <param name="sortedAscending">The measurements, sorted ascending; not empty.</param>
    /// <param name="percentile">The percentile, greater than 0 and at most 100.</param>
    /// <returns>The percentile.</returns>
    /// <exception cref="ArgumentException"><paramref name="sortedAscending"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100].</exception>
    public static double Percentile(IReadOnlyList<double> sortedAscending, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sortedAscending);
        if (sortedAscending.Count == 0)
        {
            throw new ArgumentException("There is no measurement.", nameof(sortedAscending));
        }

        if (!(percentile > 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be greater than 0 and at most 100.");
        }

        // Rounded to absorb binary noise: 95 % of 100 is rank 95, not 96.
        var rank = (int)Math.Ceiling(Math.Round(percentile / 100 * sortedAscending.Count, 9));
        return sortedAscending[Math.Clamp(rank, 1, sortedAscending.Count) - 1];
    }
}
