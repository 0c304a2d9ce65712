namespace SkMemory;

/// <summary>
/// Every part of a search score, so that audit and evals can explain a ranking:
/// <c>relevance = (fused + neighbor) × decay × salience × confidence</c>, then the reranker sets <c>final</c>.
/// </summary>
public sealed record MemoryScoreBreakdown
{
    /// <summary>Gets the cosine similarity to the query embedding, when the vector retriever found the memory.</summary>
    public double? Semantic { get; init; }

    /// <summary>Gets the rank (from 1) in the vector retriever's list.</summary>
    public int? SemanticRank { get; init; }

    /// <summary>Gets the full-text relevance score (BM25 on SQLite, ts_rank_cd on Postgres), when the text retriever found the memory.</summary>
    public double? Lexical { get; init; }

    /// <summary>Gets the rank (from 1) in the text retriever's list.</summary>
    public int? LexicalRank { get; init; }

    /// <summary>Gets the weighted reciprocal-rank fusion of the two ranks, scaled so that first in every retriever is 1.</summary>
    public double Fused { get; init; }

    /// <summary>
    /// Gets the conversational-context boost: <see cref="MemoryRetrievalOptions.NeighborWeight"/> times the best fused score
    /// of the memories written just before and after this one; 0 when none of them matched.
    /// </summary>
    public double Neighbor { get; init; }

    /// <summary>Gets the recency factor from the memory's decay policy, in (0, 1]; 1 when it does not decay.</summary>
    public double Decay { get; init; } = 1;

    /// <summary>Gets the salience factor: 1 for the default salience of 0.5, more for salient memories, less for minor ones.</summary>
    public double Salience { get; init; } = 1;

    /// <summary>Gets the confidence factor: 1 for confidence 1, less for uncertain memories.</summary>
    public double Confidence { get; init; } = 1;

    /// <summary>Gets the task-aware relevance: (fused + neighbor) × decay × salience × confidence.</summary>
    public double Relevance { get; init; }

    /// <summary>Gets the reranker's score, or null when no reranker ran.</summary>
    public double? Rerank { get; init; }

    /// <summary>Gets the final score: the reranker's when one ran, the relevance otherwise.</summary>
    public double Final { get; init; }

    /// <summary>Gets the embedding model of the semantic part, when there is one.</summary>
    public string? EmbeddingModel { get; init; }

    /// <summary>Gets the name of the reranker that ordered the results, when one ran.</summary>
    public string? Reranker { get; init; }
}
