namespace SkMemory;

/// <summary>A search hit with its score breakdown.</summary>
/// <param name="Record">The memory.</param>
/// <param name="Score">The final score; results are ordered by it, best first.</param>
/// <param name="Breakdown">How the score was made.</param>
public sealed record MemorySearchResult(MemoryRecord Record, double Score, MemoryScoreBreakdown Breakdown)
{
    /// <summary>
    /// Gets why this result came from less than the search asked for, or null when the search ran in full. For example
    /// <see cref="MemorySearchDegradation.EmbedderUnavailable"/>: the query could not be embedded, so a hybrid search
    /// ranked by full text alone.
    /// </summary>
    public string? Degradation { get; init; }
}
