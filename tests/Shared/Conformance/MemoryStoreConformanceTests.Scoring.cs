namespace SkMemory.Tests.Conformance;

/// <summary>Task-aware scoring and reranking: decay, salience, confidence, fusion weights, MMR and pluggable rerankers.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task SearchAsync_Breakdown_ExplainsTheFinalScore()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Ana drinks milk tea sometimes");
        await CreateAsync(store, tenant, "Ana plays the violin on weekends");

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "oat milk coffee" }, Ct);

        Assert.NotEmpty(hits);
        foreach (var hit in hits)
        {
            var b = hit.Breakdown;
            Assert.InRange(b.Fused, 0.0, 1.0);
            Assert.Equal((b.Fused + b.Neighbor) * b.Decay * b.Salience * b.Confidence, b.Relevance, 12);
            Assert.Equal("mmr", b.Reranker);
            Assert.Equal(b.Rerank, b.Final);
            Assert.Equal(hit.Score, b.Final);
        }

        // First in both lists, default salience and confidence, no decay: every factor is exactly 1; its neighbour, the tea
        // memory (second in both lists), adds its share.
        var best = hits[0].Breakdown;
        Assert.Equal(0.4 * hits.Single(h => h.Record.Value.Text.Contains("tea", StringComparison.Ordinal)).Breakdown.Fused, best.Neighbor, 12);
        Assert.Equal((1, 1), (best.SemanticRank, best.LexicalRank));
        Assert.Equal(1.0, best.Fused, 12);
        Assert.Equal((1.0, 1.0, 1.0), (best.Decay, best.Salience, best.Confidence));
    }

    [Fact]
    public virtual async Task SearchAsync_DecayPolicy_LowersOldMemoriesByHalfPerHalfLife()
    {
        var store = await NewStoreAsync(o => o.Retrieval.Reranker = null);
        var tenant = NewTenant();
        var old = await CreateAsync(store, Note(tenant, "Ana is reading a novel about whales") with { DecayPolicy = MemoryDecayPolicy.Exponential(TimeSpan.FromDays(7)) });
        Clock.Advance(TimeSpan.FromDays(14));
        var fresh = await CreateAsync(store, Note(tenant, "Ana is reading a history of whales") with { DecayPolicy = MemoryDecayPolicy.Exponential(TimeSpan.FromDays(7)) });

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "Ana reading whales", Mode = MemorySearchMode.Text }, Ct);

        Assert.Equal([fresh.Id, old.Id], hits.Select(h => h.Record.Id));
        Assert.Equal(1.0, hits[0].Breakdown.Decay, 6);
        Assert.Equal(0.25, hits[1].Breakdown.Decay, 6);
        Assert.Null(hits[0].Breakdown.Rerank);
        Assert.Null(hits[0].Breakdown.Reranker);
        Assert.Equal(hits[1].Breakdown.Relevance, hits[1].Score);
    }

    [Fact]
    public virtual async Task SearchAsync_SalienceAndConfidence_ReorderEquallyRelevantMemories()
    {
        var store = await NewStoreAsync(o => o.Retrieval.Reranker = null);
        var tenant = NewTenant();
        var unsure = await CreateAsync(store, Note(tenant, "Ana's locker code is 4411") with { Confidence = 0.4 });
        var salient = await CreateAsync(store, Note(tenant, "Ana's gate code is 4411") with { Salience = 1.0 });
        var plain = await CreateAsync(store, Note(tenant, "Ana's bike code is 4411"));

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "4411", Mode = MemorySearchMode.Text }, Ct);

        Assert.Equal([salient.Id, plain.Id, unsure.Id], hits.Select(h => h.Record.Id));
        Assert.Equal(1.2, hits[0].Breakdown.Salience, 9);
        Assert.Equal(1 - (0.2 * 0.6), hits[2].Breakdown.Confidence, 9);
    }

    [Fact]
    public virtual async Task SearchAsync_FusionWeights_ZeroLexicalWeightRanksByMeaningOnly()
    {
        var store = await NewStoreAsync(o =>
        {
            o.Retrieval.Reranker = null;
            o.Retrieval.LexicalWeight = 0;
            o.Retrieval.NeighborWeight = 0;
        });
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Ana drinks milk tea sometimes");

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "milk" }, Ct);

        var k = new MemoryRetrievalOptions().RrfK;
        Assert.All(hits, h => Assert.Equal((k + 1) / (k + h.Breakdown.SemanticRank!.Value), h.Breakdown.Fused, 9));
        Assert.Equal(hits.Select(h => h.Breakdown.SemanticRank), hits.Select(h => h.Breakdown.SemanticRank).Order());
    }

    [Fact]
    public virtual async Task SearchAsync_Neighbors_BringInTheMemoryWrittenAfterAMatchUnderTheSameFilters()
    {
        var store = await NewStoreAsync(o => o.Retrieval.Reranker = null);
        var tenant = NewTenant();
        var question = await CreateAsync(store, tenant, "Caroline: what did you research last week?");
        var aside = await CreateAsync(store, Note(tenant, "Melanie: I prefer tea", type: MemoryTypes.Preference));
        var answer = await CreateAsync(store, tenant, "Melanie: adoption agencies, mostly");
        await CreateAsync(store, tenant, "Bob: the weather is fine", subject: "bob");

        // Unfiltered, the memory written right after the match is the aside; it comes in on the match's score alone.
        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "research", Mode = MemorySearchMode.Text }, Ct);
        Assert.Equal([question.Id, aside.Id], hits.Select(h => h.Record.Id));
        var pulled = hits[1].Breakdown;
        Assert.Equal((null, null, 0.0), (pulled.LexicalRank, pulled.SemanticRank, pulled.Fused));
        Assert.Equal(0.4 * hits[0].Breakdown.Fused, pulled.Neighbor, 9);
        Assert.Equal(0.0, hits[0].Breakdown.Neighbor);

        // Neighbours are found under the search's filters: among facts only, the answer follows the question.
        var facts = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "research", Mode = MemorySearchMode.Text, Types = [MemoryTypes.Fact] }, Ct);
        Assert.Equal([question.Id, answer.Id], facts.Select(h => h.Record.Id));

        var off = await NewStoreAsync(o => o.Retrieval.NeighborWeight = 0);
        await CreateAsync(off, tenant, "Caroline: what did you research last week?");
        await CreateAsync(off, tenant, "Melanie: adoption agencies, mostly");
        Assert.Single(await off.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "research", Mode = MemorySearchMode.Text }, Ct));
    }

    [Fact]
    public virtual async Task SearchAsync_Mmr_PrefersADifferentMemoryOverANearDuplicate()
    {
        var tenant = NewTenant();
        var diverse = await NewStoreAsync();
        var plain = await NewStoreAsync(o => o.Retrieval.Reranker = null);
        foreach (var store in new[] { diverse, plain })
        {
            await CreateAsync(store, tenant, "Ana booked a flight to Lisbon for the conference in May");
            await CreateAsync(store, tenant, "Ana booked the flight to Lisbon for the May conference");
            await CreateAsync(store, tenant, "Ana booked a hotel near the Lisbon conference centre");
        }

        var request = new MemorySearchRequest { Tenant = tenant, Text = "Ana booked flight Lisbon conference May", Top = 2 };
        var byRelevance = await plain.SearchAsync(request, Ct);
        var byMmr = await diverse.SearchAsync(request, Ct);

        // By relevance alone the two flight memories fill the top 2; MMR keeps the best and brings in the hotel.
        Assert.All(byRelevance, h => Assert.Contains("flight", h.Record.Value.Text, StringComparison.Ordinal));
        Assert.Equal(byRelevance[0].Record.Value.Text, byMmr[0].Record.Value.Text);
        Assert.Contains("hotel", byMmr[1].Record.Value.Text, StringComparison.Ordinal);
        Assert.True(byMmr[0].Score >= byMmr[1].Score);
    }

    [Fact]
    public virtual async Task SearchAsync_CustomReranker_OrdersResultsAndSeesEmbeddings()
    {
        var reranker = new ReversingReranker();
        var store = await NewStoreAsync(o => o.Retrieval.Reranker = reranker);
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Ana drinks milk tea sometimes");
        await CreateAsync(store, tenant, "Ana likes milk chocolate");

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "milk", Top = 2 }, Ct);

        var seen = Assert.Single(reranker.Requests);
        Assert.Equal(3, seen.Candidates.Count);
        Assert.All(seen.Candidates, c => Assert.Equal(TestEmbeddingGenerator.Dimensions, c.Embedding!.Value.Length));
        Assert.NotNull(seen.QueryEmbedding);
        Assert.Equal([seen.Candidates[2].Record.Id, seen.Candidates[1].Record.Id], hits.Select(h => h.Record.Id));
        Assert.All(hits, h => Assert.Equal("reverse", h.Breakdown.Reranker));
    }

    [Fact]
    public virtual async Task SearchAsync_RerankerReturningAnInvalidPick_FailsWithItsName()
    {
        var store = await NewStoreAsync(o => o.Retrieval.Reranker = new ReversingReranker { Broken = true });
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "milk" }, Ct));

        Assert.Contains("'reverse'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public virtual async Task NewStore_InvalidRetrievalOptions_AreRejectedByName()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => NewStoreAsync(o => o.Retrieval.SalienceWeight = 1.5));
        Assert.Equal("SalienceWeight", error.ParamName);
    }

    /// <summary>Reverses the candidates it is given, recording every request.</summary>
    private sealed class ReversingReranker : IMemoryReranker
    {
        public List<MemoryRerankRequest> Requests { get; } = [];

        public bool Broken { get; init; }

        public string Name => "reverse";

        public Task<IReadOnlyList<MemoryRerankScore>> RerankAsync(MemoryRerankRequest request, CancellationToken cancellationToken = default)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            if (Broken)
            {
                return Task.FromResult<IReadOnlyList<MemoryRerankScore>>([new MemoryRerankScore(request.Candidates.Count, 1)]);
            }

            var picks = Enumerable.Range(0, request.Candidates.Count).Reverse().Take(request.Top).Select((index, i) => new MemoryRerankScore(index, 1.0 / (i + 1))).ToList();
            return Task.FromResult<IReadOnlyList<MemoryRerankScore>>(picks);
        }
    }
}
