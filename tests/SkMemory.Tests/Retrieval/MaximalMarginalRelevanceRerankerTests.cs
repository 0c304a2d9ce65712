using static SkMemory.Tests.Retrieval.RerankCandidates;

namespace SkMemory.Tests.Retrieval;

/// <summary>The default reranker: maximal marginal relevance over embeddings, or word overlap without them.</summary>
public sealed class MaximalMarginalRelevanceRerankerTests
{
    [Fact]
    public async Task RerankAsync_LambdaOne_KeepsRelevanceOrder()
    {
        var candidates = new[]
        {
            Candidate("Ana prefers oat milk", 0.9, [1, 0]),
            Candidate("Ana prefers oat milk in coffee", 0.8, [1, 0.01f]),
            Candidate("Ana lives in Lisbon", 0.3, [0, 1]),
            Candidate("Ana's cat is called Miso", 0.2, [0.7f, 0.7f]),
        };

        var picks = await new MaximalMarginalRelevanceReranker(1).RerankAsync(Request(candidates), TestContext.Current.CancellationToken);

        Assert.Equal([0, 1, 2, 3], picks.Select(p => p.Index));
        Assert.Equal(1, picks[0].Score, 12);
        AssertWellFormed(picks, candidates.Length);
    }

    [Fact]
    public async Task RerankAsync_WithEmbeddings_PushesANearDuplicateOfTheTopBelowADifferentMemory()
    {
        var candidates = new[]
        {
            Candidate("Ana prefers oat milk", 1.0, [1, 0, 0]),
            Candidate("Ana likes oat milk best", 0.95, [0.99f, 0.1f, 0]),
            Candidate("Ana is lactose intolerant", 0.8, [0, 1, 0]),
        };

        var picks = await new MaximalMarginalRelevanceReranker(0.7).RerankAsync(Request(candidates), TestContext.Current.CancellationToken);

        Assert.Equal([0, 2, 1], picks.Select(p => p.Index));
        AssertWellFormed(picks, candidates.Length);
    }

    [Fact]
    public async Task RerankAsync_WithoutEmbeddings_UsesWordOverlap()
    {
        var candidates = new[]
        {
            Candidate("Ana prefers oat milk in her coffee", 1.0),
            Candidate("Ana prefers oat milk in her coffee, always", 0.95),
            Candidate("Ana is lactose intolerant", 0.8),
        };

        var picks = await new MaximalMarginalRelevanceReranker(0.7).RerankAsync(Request(candidates), TestContext.Current.CancellationToken);

        Assert.Equal([0, 2, 1], picks.Select(p => p.Index));

        // Word overlap is case-insensitive and ignores punctuation: the same words in another case are still a duplicate.
        var shouted = new[] { Candidate("Ana prefers OAT MILK.", 1.0), Candidate("ana prefers oat milk", 0.95), Candidate("Ana runs marathons", 0.7) };
        var shoutedPicks = await new MaximalMarginalRelevanceReranker(0.7).RerankAsync(Request(shouted), TestContext.Current.CancellationToken);
        Assert.Equal([0, 2, 1], shoutedPicks.Select(p => p.Index));
    }

    [Fact]
    public async Task RerankAsync_MixedEmbeddings_FallBackToWordsForPairsWithoutOne()
    {
        var candidates = new[]
        {
            Candidate("Ana prefers oat milk", 1.0, [1, 0]),
            Candidate("Ana prefers oat milk", 0.95),
            Candidate("Ana lives in Lisbon", 0.8, [0, 1]),
        };

        var picks = await new MaximalMarginalRelevanceReranker(0.7).RerankAsync(Request(candidates), TestContext.Current.CancellationToken);

        Assert.Equal([0, 2, 1], picks.Select(p => p.Index));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(1)]
    public async Task RerankAsync_Scores_AreNonIncreasing(double lambda)
    {
        var random = new Random(42);
        var candidates = Enumerable.Range(0, 25)
            .Select(i => Candidate(
                $"memory {i} about topic {i % 4}",
                random.NextDouble(),
                i % 3 == 0 ? null : [.. Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() - 0.5f)]))
            .OrderByDescending(c => c.Relevance)
            .ToArray();

        var picks = await new MaximalMarginalRelevanceReranker(lambda).RerankAsync(Request(candidates, top: 25), TestContext.Current.CancellationToken);

        Assert.Equal(25, picks.Count);
        AssertWellFormed(picks, candidates.Length);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(10, 3)]
    public async Task RerankAsync_Top_IsRespected(int top, int expected)
    {
        var candidates = Descending("Ana prefers oat milk", "Ana lives in Lisbon", "Ana has a cat");

        var picks = await new MaximalMarginalRelevanceReranker().RerankAsync(Request(candidates, top), TestContext.Current.CancellationToken);

        Assert.Equal(expected, picks.Count);
        AssertWellFormed(picks, candidates.Length);
    }

    [Fact]
    public async Task RerankAsync_NoCandidates_ReturnsNothing()
    {
        Assert.Empty(await new MaximalMarginalRelevanceReranker().RerankAsync(Request([]), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_LambdaOutsideZeroToOne_Throws(double lambda)
    {
        Assert.Throws<ArgumentOutOfRangeException>(nameof(lambda), () => new MaximalMarginalRelevanceReranker(lambda));
    }

    [Fact]
    public void Name_IsMmr()
    {
        var reranker = new MaximalMarginalRelevanceReranker(0.5);

        Assert.Equal("mmr", reranker.Name);
        Assert.Equal(0.5, reranker.Lambda);
    }
}
