namespace SkMemory.Tests.Conformance;

/// <summary>Search: text, vector and hybrid retrieval, filters, limits and the score breakdown.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    /// <summary>A store whose searches return only what the retrievers found (no neighbours brought in): these facts test the retrievers and filters; conversational context is tested in the scoring facts.</summary>
    private Task<IMemoryStore> RetrieverStoreAsync(Action<MemoryStoreOptions>? configure = null) =>
        NewStoreAsync(o =>
        {
            o.Retrieval.NeighborWeight = 0;
            configure?.Invoke(o);
        });

    [Fact]
    public virtual async Task SearchAsync_TextMode_FindsMemoriesSharingWords()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        var milk = await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        var violin = await CreateAsync(store, tenant, "Ana plays the violin on weekends");
        var cheese = await CreateAsync(store, tenant, "Ana dislikes goat cheese");

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "oat milk", Mode = MemorySearchMode.Text }, Ct);

        var hit = Assert.Single(hits);
        Assert.Equal(milk, hit.Record);
        Assert.NotNull(hit.Breakdown.Lexical);
        Assert.Equal(1, hit.Breakdown.LexicalRank);
        Assert.Null(hit.Breakdown.Semantic);
        Assert.Null(hit.Breakdown.SemanticRank);
        Assert.Null(hit.Breakdown.EmbeddingModel);
        Assert.True(hit.Score > 0);

        var violinHits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "Who plays VIOLIN?", Mode = MemorySearchMode.Text }, Ct);
        Assert.Equal(violin.Id, violinHits[0].Record.Id);
        Assert.DoesNotContain(violinHits, h => h.Record.Id == cheese.Id);
        Assert.Empty(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "submarine", Mode = MemorySearchMode.Text }, Ct));
    }

    [Fact]
    public virtual async Task SearchAsync_VectorMode_RanksBySimilarityWithBreakdown()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        var milk = await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Ana plays the violin on weekends");
        await CreateAsync(store, tenant, "Bob repairs old bicycles");
        var callsBefore = Embeddings.CallCount;

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "oat milk coffee", Mode = MemorySearchMode.Vector }, Ct);

        Assert.True(Embeddings.CallCount > callsBefore, "vector search must embed the query with the configured generator");
        Assert.NotEmpty(hits);
        Assert.Equal(milk.Id, hits[0].Record.Id);
        Assert.Equal(Enumerable.Range(1, hits.Count), hits.Select(h => h.Breakdown.SemanticRank!.Value).Order());
        for (var i = 0; i < hits.Count; i++)
        {
            var breakdown = hits[i].Breakdown;
            Assert.NotNull(breakdown.Semantic);
            Assert.Equal(TestEmbeddingGenerator.ModelId, breakdown.EmbeddingModel);
            Assert.Null(breakdown.Lexical);
            Assert.Null(breakdown.LexicalRank);
            if (i > 0)
            {
                Assert.True(hits[i - 1].Score >= hits[i].Score, "results must be best first");
            }

            // Semantic rank follows similarity: a better rank never has a lower cosine.
            Assert.All(hits.Where(h => h.Breakdown.SemanticRank < breakdown.SemanticRank), h => Assert.True(h.Breakdown.Semantic >= breakdown.Semantic));
        }

        // Three of the query's words are in the text: cosine similarity of the bag-of-words vectors is well above zero.
        Assert.InRange(hits[0].Breakdown.Semantic!.Value, 0.4, 1.0001);
        Assert.True(hits.Count < 2 || hits[0].Breakdown.Semantic > hits[1].Breakdown.Semantic);
    }

    [Fact]
    public virtual async Task SearchAsync_HybridMode_FusesBothRetrieversBestFirst()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        var milk = await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Ana plays the violin on weekends");
        await CreateAsync(store, tenant, "Ana drinks milk tea sometimes");

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "oat milk coffee" }, Ct);

        Assert.Equal(milk.Id, hits[0].Record.Id);
        var best = hits[0].Breakdown;
        Assert.NotNull(best.Semantic);
        Assert.Equal(1, best.SemanticRank);
        Assert.NotNull(best.Lexical);
        Assert.Equal(1, best.LexicalRank);
        Assert.Equal(TestEmbeddingGenerator.ModelId, best.EmbeddingModel);
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.Record.Id), hits.Select(h => h.Record.Id));
        Assert.Equal(hits.Count, hits.Select(h => h.Record.Id).Distinct().Count());
        Assert.All(hits, h => Assert.True(h.Breakdown.SemanticRank is not null || h.Breakdown.LexicalRank is not null));
        Assert.All(hits.Where(h => h.Breakdown.SemanticRank is not null), h => Assert.Equal(TestEmbeddingGenerator.ModelId, h.Breakdown.EmbeddingModel));
    }

    [Fact]
    public virtual async Task SearchAsync_Filters_ApplyToEveryMode()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        var fact = await CreateAsync(store, Note(tenant, "Ana loves mountain hiking", type: MemoryTypes.Fact));
        var preference = await CreateAsync(store, Note(tenant, "Ana loves mountain hiking trips", type: MemoryTypes.Preference));
        var bob = await CreateAsync(store, Note(tenant, "Bob loves mountain hiking", subject: "bob"));
        var teamNote = await CreateAsync(store, Note(tenant, "The team loves mountain hiking") with { Scope = MemoryScope.ForTeam("outdoors"), Metadata = new Dictionary<string, string> { ["season"] = "summer" } });
        var old = await CreateAsync(store, Note(tenant, "Ana loved mountain hiking in 2020"));
        await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, Actor = MemoryActor.User("ana"), Value = "Ana stopped hiking" }, Ct);

        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var request = new MemorySearchRequest { Tenant = tenant, Text = "mountain hiking", Mode = mode };
            Assert.Equal([preference.Id], (await store.SearchAsync(request with { Types = [MemoryTypes.Preference] }, Ct)).Select(h => h.Record.Id));
            Assert.Equal([bob.Id], (await store.SearchAsync(request with { Subject = "bob" }, Ct)).Select(h => h.Record.Id));
            Assert.Equal([teamNote.Id], (await store.SearchAsync(request with { Team = "outdoors" }, Ct)).Select(h => h.Record.Id));
            Assert.Equal([teamNote.Id], (await store.SearchAsync(request with { Metadata = new Dictionary<string, string> { ["season"] = "summer" } }, Ct)).Select(h => h.Record.Id));
            var all = await store.SearchAsync(request, Ct);
            Assert.Contains(all, h => h.Record.Id == fact.Id);
            Assert.DoesNotContain(all, h => h.Record.Id == old.Id);
            Assert.All(all, h => Assert.Equal(MemoryStatus.Active, h.Record.Status));
        }
    }

    [Fact]
    public virtual async Task SearchAsync_ExpiredMemories_AreExcludedByDefault()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        var expiring = await CreateAsync(store, Note(tenant, "Ana parked on level three") with { Ttl = TimeSpan.FromHours(2) });
        var lasting = await CreateAsync(store, tenant, "Ana always parked on level three last year");
        Clock.Advance(TimeSpan.FromHours(3));

        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "parked level three", Mode = mode }, Ct);
            Assert.Contains(hits, h => h.Record.Id == lasting.Id);
            Assert.DoesNotContain(hits, h => h.Record.Id == expiring.Id);
            var withExpired = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "parked level three", Mode = mode, IncludeExpired = true }, Ct);
            Assert.Contains(withExpired, h => h.Record.Id == expiring.Id);
        }
    }

    [Fact]
    public virtual async Task SearchAsync_Top_LimitsTheResults()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        for (var i = 0; i < 15; i++)
        {
            await CreateAsync(store, tenant, $"garden note {i}: planted tomatoes in bed {i}");
        }

        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var five = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "garden tomatoes", Top = 5, Mode = mode }, Ct);
            Assert.Equal(5, five.Count);
            Assert.Equal(5, five.Select(h => h.Record.Id).Distinct().Count());
            Assert.Equal(five.OrderByDescending(h => h.Score).Select(h => h.Record.Id), five.Select(h => h.Record.Id));
            Assert.Single(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "garden tomatoes", Top = 1, Mode = mode }, Ct));
            Assert.Equal(15, (await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "garden tomatoes", Top = 100, Mode = mode }, Ct)).Count);
        }
    }

    [Fact]
    public virtual async Task SearchAsync_TopOutOfRange_ThrowsTop()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "a searchable note");

        foreach (var top in new[] { 0, -5, 101 })
        {
            var error = await Assert.ThrowsAsync<MemoryValidationException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "note", Top = top }, Ct));
            Assert.Equal("top", error.Field);
        }
    }

    [Fact]
    public virtual async Task SearchAsync_BlankText_ThrowsText()
    {
        var store = await RetrieverStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "a searchable note");

        foreach (var text in new[] { string.Empty, "   " })
        {
            var error = await Assert.ThrowsAsync<MemoryValidationException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = text }, Ct));
            Assert.Equal("text", error.Field);
        }
    }

    [Fact]
    public virtual async Task SearchAsync_WithoutEmbeddingGenerator_VectorIsNotSupportedAndHybridUsesText()
    {
        var store = await RetrieverStoreAsync(o => o.EmbeddingGenerator = null);
        var tenant = NewTenant();
        var milk = await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Ana plays the violin");

        var error = await Assert.ThrowsAnyAsync<MemoryException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "oat milk", Mode = MemorySearchMode.Vector }, Ct));
        Assert.Equal(MemoryErrorCode.NotSupported, error.Code);

        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "oat milk" }, Ct);
        var hit = Assert.Single(hits);
        Assert.Equal(milk.Id, hit.Record.Id);
        Assert.NotNull(hit.Breakdown.Lexical);
        Assert.Equal(1, hit.Breakdown.LexicalRank);
        Assert.Null(hit.Breakdown.Semantic);
        Assert.Null(hit.Breakdown.SemanticRank);
        Assert.Null(hit.Breakdown.EmbeddingModel);
        Assert.Equal(0, Embeddings.CallCount);
    }

    [Fact]
    public virtual async Task GetService_MemoryStoreMetadata_NamesProviderAndEmbeddingModel()
    {
        var store = await RetrieverStoreAsync();
        var plain = await RetrieverStoreAsync(o => o.EmbeddingGenerator = null);

        var metadata = Assert.IsType<MemoryStoreMetadata>(store.GetService(typeof(MemoryStoreMetadata)));
        Assert.False(string.IsNullOrWhiteSpace(metadata.ProviderName));
        Assert.Equal(TestEmbeddingGenerator.ModelId, metadata.EmbeddingModel);
        Assert.Null(Assert.IsType<MemoryStoreMetadata>(plain.GetService(typeof(MemoryStoreMetadata))).EmbeddingModel);
    }
}
