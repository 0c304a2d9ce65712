namespace SkMemory;

/// <summary>What an extractor found: candidates, and what it refused to propose with the reason.</summary>
/// <param name="Candidates">The candidates, in source order.</param>
/// <param name="Rejections">Output the extractor refused (a malformed model reply, a candidate failing the type's schema).</param>
public sealed record MemoryExtractionResult(IReadOnlyList<MemoryCandidate> Candidates, IReadOnlyList<MemoryCandidateRejection> Rejections)
{
    /// <summary>Gets an empty result.</summary>
    public static MemoryExtractionResult Empty { get; } = new([], []);
}
