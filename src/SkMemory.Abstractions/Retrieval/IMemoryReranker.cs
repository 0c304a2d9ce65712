namespace SkMemory;

/// <summary>
/// The last retrieval stage: reorders the best-scored candidates of a search, for example for diversity (MMR) or with a
/// cross-encoder or chat model. Stores call it with at most <see cref="MemoryRetrievalOptions.RerankWindow"/> candidates.
/// </summary>
/// <remarks>Implementations must be thread-safe. A reranker that cannot do its work (a model is down) should return the
/// candidates in their given order rather than fail the search.</remarks>
public interface IMemoryReranker
{
    /// <summary>Gets the reranker's name, shown in every result's <see cref="MemoryScoreBreakdown.Reranker"/>.</summary>
    string Name { get; }

    /// <summary>Chooses and orders the results.</summary>
    /// <param name="request">The query and the candidates, best relevance first.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>
    /// At most <see cref="MemoryRerankRequest.Top"/> picks, best first: each an index into
    /// <see cref="MemoryRerankRequest.Candidates"/> (no repeats) with the reranker's score, non-increasing.
    /// </returns>
    Task<IReadOnlyList<MemoryRerankScore>> RerankAsync(MemoryRerankRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What a reranker reorders.</summary>
public sealed record MemoryRerankRequest
{
    /// <summary>Gets the query text.</summary>
    public required string Query { get; init; }

    /// <summary>Gets how many results the search returns.</summary>
    public required int Top { get; init; }

    /// <summary>Gets the candidates, best relevance first.</summary>
    public required IReadOnlyList<MemoryRerankCandidate> Candidates { get; init; }

    /// <summary>Gets the query embedding, when the search had one.</summary>
    public ReadOnlyMemory<float>? QueryEmbedding { get; init; }
}

/// <summary>One candidate for reranking.</summary>
/// <param name="Record">The memory.</param>
/// <param name="Relevance">Its task-aware relevance (<see cref="MemoryScoreBreakdown.Relevance"/>).</param>
/// <param name="Embedding">Its embedding in the search's model, when it has one.</param>
public sealed record MemoryRerankCandidate(MemoryRecord Record, double Relevance, ReadOnlyMemory<float>? Embedding)
{
    /// <summary>Scales the candidates' relevance to [0, 1] by the best one, so a reranker's weights mean the same at any scale; non-finite or negative relevance counts as 0.</summary>
    /// <param name="candidates">The candidates.</param>
    /// <returns>One value per candidate, in order.</returns>
    internal static double[] NormalizedRelevance(IReadOnlyList<MemoryRerankCandidate> candidates)
    {
        var best = candidates.Select(c => c.Relevance).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        return candidates.Select(c => best > 0 && double.IsFinite(c.Relevance) ? Math.Clamp(c.Relevance / best, 0, 1) : 0).ToArray();
    }
}

/// <summary>One pick of a reranker.</summary>
/// <param name="Index">The index into <see cref="MemoryRerankRequest.Candidates"/>.</param>
/// <param name="Score">The reranker's score for it.</param>
public readonly record struct MemoryRerankScore(int Index, double Score);
