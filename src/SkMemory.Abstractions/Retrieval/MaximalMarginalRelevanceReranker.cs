using System.Numerics.Tensors;

namespace SkMemory;

/// <summary>
/// Maximal marginal relevance (Carbonell and Goldstein, 1998): picks, one at a time, the candidate with the best
/// <c>λ × relevance − (1 − λ) × (similarity to the closest already picked)</c>, so a near-duplicate of a picked memory
/// gives way to a different one. Similarity is the cosine of the candidates' embeddings, or the overlap of their words
/// when a candidate has none.
/// </summary>
/// <remarks>Each pick's score is never higher than the previous pick's: a candidate's penalty only grows as more are picked.</remarks>
public sealed class MaximalMarginalRelevanceReranker : IMemoryReranker
{
    /// <summary>Initializes a new instance of the <see cref="MaximalMarginalRelevanceReranker"/> class.</summary>
    /// <param name="lambda">The trade-off between relevance (1) and diversity (0). Default 0.7.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lambda"/> is not between 0 and 1.</exception>
    public MaximalMarginalRelevanceReranker(double lambda = 0.7)
    {
        if (lambda is < 0 or > 1 || double.IsNaN(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be between 0 (diversity only) and 1 (relevance only).");
        }

        Lambda = lambda;
    }

    /// <summary>Gets the trade-off between relevance (1) and diversity (0).</summary>
    public double Lambda { get; }

    /// <inheritdoc />
    public string Name => "mmr";

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryRerankScore>> RerankAsync(MemoryRerankRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var candidates = request.Candidates;
        var count = Math.Min(request.Top, candidates.Count);
        var picks = new List<MemoryRerankScore>(count);
        if (count <= 0)
        {
            return Task.FromResult<IReadOnlyList<MemoryRerankScore>>(picks);
        }

        // Relevance scaled to [0, 1] so that λ means the same whatever the score scale.
        var relevance = MemoryRerankCandidate.NormalizedRelevance(candidates);
        var closest = new double[candidates.Count];
        var picked = new bool[candidates.Count];
        HashSet<string>?[] words = new HashSet<string>?[candidates.Count];
        for (var round = 0; round < count; round++)
        {
            var pick = -1;
            var pickScore = double.NegativeInfinity;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (picked[i])
                {
                    continue;
                }

                var score = (Lambda * relevance[i]) - ((1 - Lambda) * closest[i]);
                if (score > pickScore)
                {
                    pick = i;
                    pickScore = score;
                }
            }

            picked[pick] = true;
            picks.Add(new MemoryRerankScore(pick, pickScore));
            for (var i = 0; i < candidates.Count; i++)
            {
                if (!picked[i])
                {
                    closest[i] = Math.Max(closest[i], Similarity(candidates, words, i, pick));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<MemoryRerankScore>>(picks);
    }

    private static double Similarity(IReadOnlyList<MemoryRerankCandidate> candidates, HashSet<string>?[] words, int a, int b)
    {
        if (candidates[a].Embedding is { } x && candidates[b].Embedding is { } y && x.Length == y.Length && x.Length > 0)
        {
            return Math.Max(0, TensorPrimitives.CosineSimilarity(x.Span, y.Span));
        }

        return MemoryWords.Jaccard(words[a] ??= MemoryWords.Set(candidates[a].Record.Value.Text), words[b] ??= MemoryWords.Set(candidates[b].Record.Value.Text));
    }
}
