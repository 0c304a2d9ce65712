namespace SkMemory.Storage;

/// <summary>A candidate from one retriever: a memory id and that retriever's score (higher is better).</summary>
/// <param name="Id">The memory id.</param>
/// <param name="Score">The retriever's score.</param>
public readonly record struct ScoredMemoryId(Guid Id, double Score);
