namespace SkMemory;

/// <summary>A search hit with its score breakdown.</summary>
/// <param name="Record">The memory.</param>
/// <param name="Score">The final score; results are ordered by it, best first.</param>
/// <param name="Breakdown">How the score was made.</param>
public sealed record MemorySearchResult(MemoryRecord Record, double Score, MemoryScoreBreakdown Breakdown);
