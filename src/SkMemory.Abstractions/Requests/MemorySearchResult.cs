namespace SkMemory;

/// <summary>A search hit with its score breakdown.</summary>
/// <param name="Record">The memory.</param>
/// <param name="Score">The fused score; higher is better.</param>
/// <param name="Breakdown">How the score was made.</param>
public sealed record MemorySearchResult(MemoryRecord Record, double Score, MemoryScoreBreakdown Breakdown);

/// <summary>The parts of a search score.</summary>
/// <param name="VectorSimilarity">Cosine similarity to the query embedding, when the vector retriever found it.</param>
/// <param name="VectorRank">Rank (from 1) in the vector retriever's list.</param>
/// <param name="TextScore">The full-text relevance score, when the text retriever found it.</param>
/// <param name="TextRank">Rank (from 1) in the text retriever's list.</param>
/// <param name="EmbeddingModel">The embedding model used for the vector part.</param>
public sealed record MemoryScoreBreakdown(double? VectorSimilarity, int? VectorRank, double? TextScore, int? TextRank, string? EmbeddingModel);
