using SkMemory.Storage;

namespace SkMemory.Retrieval;

/// <summary>One memory's place in the retrievers' lists and their weighted reciprocal-rank fusion.</summary>
internal readonly record struct FusedHit(double Fused, double? Semantic, int? SemanticRank, double? Lexical, int? LexicalRank, double Neighbor = 0);

/// <summary>The memories written just before and after one memory, in its subject, under a search's filters.</summary>
/// <param name="Id">The memory.</param>
/// <param name="Previous">The one written just before, if any.</param>
/// <param name="Next">The one written just after, if any.</param>
public readonly record struct MemoryNeighbors(Guid Id, Guid? Previous, Guid? Next);

/// <summary>A memory with its task-aware score, before reranking.</summary>
internal sealed record ScoredMemory(MemoryRecord Record, MemoryScoreBreakdown Breakdown);

/// <summary>
/// The retrieval arithmetic every store shares: fusion of the retrievers' ranks, then recency decay, salience and
/// confidence, then applying a reranker's picks.
/// </summary>
internal static class MemoryScoring
{
    /// <summary>Fuses the vector and full-text lists by weighted reciprocal rank, scaled so that first in every list that ran is 1.</summary>
    /// <param name="vectorHits">The vector list, best first; null when the vector retriever did not run.</param>
    /// <param name="textHits">The full-text list, best first; null when the text retriever did not run.</param>
    /// <param name="options">The weights.</param>
    /// <returns>The fused hits by memory id.</returns>
    public static Dictionary<Guid, FusedHit> Fuse(IReadOnlyList<ScoredMemoryId>? vectorHits, IReadOnlyList<ScoredMemoryId>? textHits, MemoryRetrievalOptions options)
    {
        var k = options.RrfK;
        var semanticWeight = vectorHits is null ? 0 : options.SemanticWeight;
        var lexicalWeight = textHits is null ? 0 : options.LexicalWeight;
        var best = (semanticWeight + lexicalWeight) / (k + 1);
        var fused = new Dictionary<Guid, FusedHit>();
        if (best <= 0)
        {
            return fused;
        }

        for (var i = 0; i < (vectorHits?.Count ?? 0); i++)
        {
            var hit = vectorHits![i];
            fused[hit.Id] = new FusedHit(semanticWeight / (k + i + 1) / best, hit.Score, i + 1, null, null);
        }

        for (var i = 0; i < (textHits?.Count ?? 0); i++)
        {
            var hit = textHits![i];
            var entry = fused.GetValueOrDefault(hit.Id);
            fused[hit.Id] = entry with { Fused = entry.Fused + (lexicalWeight / (k + i + 1) / best), Lexical = hit.Score, LexicalRank = i + 1 };
        }

        return fused;
    }

    /// <summary>
    /// Adds conversational context: every candidate gains <c>weight × the best fused score of its neighbours</c>, and the
    /// neighbours of the best <paramref name="sources"/> candidates join the candidates if no retriever found them.
    /// </summary>
    /// <param name="fused">The fused hits; updated in place.</param>
    /// <param name="neighbors">The neighbours of every fused hit.</param>
    /// <param name="weight">The neighbour weight.</param>
    /// <param name="sources">How many of the best hits bring their neighbours in.</param>
    public static void AddNeighbors(Dictionary<Guid, FusedHit> fused, IReadOnlyList<MemoryNeighbors> neighbors, double weight, int sources)
    {
        var bringers = fused.OrderByDescending(kv => kv.Value.Fused).ThenBy(kv => kv.Key).Take(sources).Select(kv => kv.Key).ToHashSet();
        var boosts = new Dictionary<Guid, double>();
        // Each memory passes its score to its neighbours. The relation is symmetric (a's next is b exactly when b's previous
        // is a, under the same filters) and every candidate's neighbours are loaded, so two candidates next to each other
        // boost each other from both sides; a neighbour no retriever found is brought in only by the best candidates.
        foreach (var (id, previous, next) in neighbors)
        {
            var own = fused[id].Fused;
            Pass(previous);
            Pass(next);

            void Pass(Guid? neighbor)
            {
                if (neighbor is { } other && (fused.ContainsKey(other) || bringers.Contains(id)))
                {
                    boosts[other] = Math.Max(boosts.GetValueOrDefault(other), own);
                }
            }
        }

        foreach (var (id, best) in boosts)
        {
            fused[id] = fused.GetValueOrDefault(id) with { Neighbor = weight * best };
        }
    }

    /// <summary>Scores one memory: (fused + neighbor) × decay × salience × confidence.</summary>
    /// <param name="record">The memory.</param>
    /// <param name="hit">Its fused hit.</param>
    /// <param name="options">The weights.</param>
    /// <param name="now">The time decay is measured to.</param>
    /// <param name="model">The embedding model of the semantic part.</param>
    /// <returns>The scored memory; its final score is its relevance.</returns>
    public static ScoredMemory Score(MemoryRecord record, FusedHit hit, MemoryRetrievalOptions options, DateTimeOffset now, string? model)
    {
        var decay = 1 - (options.DecayWeight * (1 - DecayOf(record, now)));
        var salience = 1 + (options.SalienceWeight * ((2 * record.Salience) - 1));
        var confidence = 1 - (options.ConfidenceWeight * (1 - record.Confidence));
        var relevance = (hit.Fused + hit.Neighbor) * decay * salience * confidence;
        return new ScoredMemory(record, new MemoryScoreBreakdown
        {
            Semantic = hit.Semantic,
            SemanticRank = hit.SemanticRank,
            Lexical = hit.Lexical,
            LexicalRank = hit.LexicalRank,
            Fused = hit.Fused,
            Neighbor = hit.Neighbor,
            Decay = decay,
            Salience = salience,
            Confidence = confidence,
            Relevance = relevance,
            Final = relevance,
            EmbeddingModel = hit.SemanticRank is null ? null : model,
        });
    }

    /// <summary>How much of a memory's relevance is left under its decay policy, in (0, 1].</summary>
    /// <param name="record">The memory.</param>
    /// <param name="now">The time decay is measured to.</param>
    /// <returns>1 when it does not decay; one half per half-life since it was last updated otherwise.</returns>
    public static double DecayOf(MemoryRecord record, DateTimeOffset now)
    {
        if (record.DecayPolicy is not { Kind: MemoryDecayKind.Exponential, HalfLife: { } halfLife } || halfLife <= TimeSpan.Zero)
        {
            return 1;
        }

        var age = now - record.UpdatedAt;
        return age <= TimeSpan.Zero ? 1 : Math.Pow(0.5, age / halfLife);
    }

    /// <summary>Turns a reranker's picks into results, checking that they are picks of the window.</summary>
    /// <param name="window">The candidates the reranker saw.</param>
    /// <param name="picks">Its picks.</param>
    /// <param name="top">How many results were asked for.</param>
    /// <param name="reranker">The reranker's name.</param>
    /// <returns>The results, in the reranker's order.</returns>
    /// <exception cref="InvalidOperationException">The reranker returned an invalid pick.</exception>
    public static List<MemorySearchResult> ApplyRerank(IReadOnlyList<ScoredMemory> window, IReadOnlyList<MemoryRerankScore> picks, int top, string reranker)
    {
        var seen = new HashSet<int>();
        var results = new List<MemorySearchResult>(Math.Min(top, picks.Count));
        foreach (var pick in picks.Take(top))
        {
            if (pick.Index < 0 || pick.Index >= window.Count || !seen.Add(pick.Index) || !double.IsFinite(pick.Score))
            {
                throw new InvalidOperationException(
                    $"The reranker '{reranker}' returned an invalid pick (index {pick.Index}, score {pick.Score}) for {window.Count} candidates: picks must be distinct indexes of the candidates with finite scores.");
            }

            var scored = window[pick.Index];
            var breakdown = scored.Breakdown with { Rerank = pick.Score, Final = pick.Score, Reranker = reranker };
            results.Add(new MemorySearchResult(scored.Record, pick.Score, breakdown));
        }

        return results;
    }
}
