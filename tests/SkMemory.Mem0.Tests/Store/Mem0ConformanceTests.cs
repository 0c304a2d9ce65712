using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;
using SkMemory.Tests.Conformance;

namespace SkMemory.Mem0.Tests;

/// <summary>
/// The provider contract suite against the Mem0 store, through the Mem0 emulator's Platform API over loopback, with an
/// embedded SQLite file as the canonical mirror (one per store). Behaviours Mem0 cannot provide are overridden below,
/// each with what the Mem0 store does instead.
/// </summary>
public sealed class Mem0ConformanceTests(Mem0EmulatorFixture emulator) : MemoryStoreConformanceTests, IClassFixture<Mem0EmulatorFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-mem0-").FullName;
    private readonly List<IMemoryStore> _reopened = [];

    public void Dispose()
    {
        _reopened.ForEach(s => s.Dispose());
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle may outlive the test by a moment; the temp folder is cleaned by the OS.
        }
    }

    /// <inheritdoc />
    protected override bool HybridSearchUsesTheStoreEmbedder => false;

    protected override Task<IMemoryStore> CreateStoreAsync(Action<MemoryStoreOptions> configure, CancellationToken cancellationToken) =>
        OpenAsync(Path.Combine(_directory, $"{Guid.NewGuid():N}.db"), configure, cancellationToken);

    protected override Task<IMemoryStore> ReopenStoreAsync(IMemoryStore store, Action<MemoryStoreOptions> configure, CancellationToken cancellationToken) =>
        OpenAsync(MirrorPath(store), configure, cancellationToken);

    protected override Task<string?> ReadIngestedJobIdAsync(IMemoryStore store, string tenant, string itemKey, CancellationToken cancellationToken) =>
        SqliteTestDatabase.ReadIngestedJobIdAsync(MirrorPath(store), tenant, itemKey, cancellationToken);

    protected override Task TamperEventPayloadAsync(IMemoryStore store, string tenant, long sequence, string payload, CancellationToken cancellationToken) =>
        SqliteTestDatabase.TamperEventPayloadAsync(MirrorPath(store), tenant, sequence, payload, cancellationToken);

    protected override Task RemoveEventAsync(IMemoryStore store, string tenant, long sequence, CancellationToken cancellationToken) =>
        SqliteTestDatabase.RemoveEventAsync(MirrorPath(store), tenant, sequence, cancellationToken);

    protected override Task<IReadOnlyList<object?[]>> QuerySqlAsync(IMemoryStore store, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteTestDatabase.QueryAsync(MirrorPath(store), sql, parameters);

    // The contract facts below check SkMemory's own hybrid retrieval (two retrievers fused by weights, embeddings handed to
    // the reranker). On the Mem0 store a hybrid search is Mem0's, so each one is replaced by a fact of what the store does
    // instead: one Mem0 score per result, ranked by the shared decay/salience/confidence/rerank pass.

    /// <inheritdoc />
    public override async Task SearchAsync_HybridMode_FusesBothRetrieversBestFirst()
    {
        var (store, tenant) = await SeededAsync();

        var results = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "green tea", Top = 3 }, Ct);

        Assert.Contains("green tea", results[0].Record.Value.Text, StringComparison.Ordinal);
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Score >= p.Second.Score), "results are best first");
        Assert.All(results, r =>
        {
            // A result is one of Mem0's candidates (its one score, no lexical rank) or came in as a match's neighbor.
            Assert.Null(r.Breakdown.Lexical);
            Assert.Null(r.Breakdown.LexicalRank);
            if (r.Breakdown.Semantic is { } semantic)
            {
                Assert.Equal(Mem0MemoryStore.SystemName, r.Breakdown.EmbeddingModel);
                Assert.InRange(semantic, 0.1, 1);
                Assert.NotNull(r.Breakdown.SemanticRank);
            }
            else
            {
                Assert.True(r.Breakdown.Neighbor > 0, $"'{r.Record.Value.Text}' is neither a Mem0 candidate nor a neighbor");
            }
        });
    }

    /// <inheritdoc />
    public override async Task SearchAsync_Breakdown_ExplainsTheFinalScore()
    {
        var (store, tenant) = await SeededAsync(o => o.Retrieval.Reranker = null);

        var results = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea", Top = 5 }, Ct);

        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            // Mem0's score is the relevance; decay, salience and confidence then weigh it exactly as on the other stores.
            Assert.Equal(r.Breakdown.Semantic ?? 0, r.Breakdown.Fused);
            Assert.Equal(r.Score, r.Breakdown.Final);
            Assert.InRange(r.Breakdown.Final, 0, r.Breakdown.Relevance + 1e-9);
            Assert.Null(r.Breakdown.Reranker);
        });
    }

    /// <inheritdoc />
    public override async Task SearchAsync_FusionWeights_ZeroLexicalWeightRanksByMeaningOnly()
    {
        var (store, tenant) = await SeededAsync();
        var reweighted = await ReopenAsync(store, o => o.Retrieval.LexicalWeight = 0);

        var fused = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea", Top = 5 }, Ct);
        var weighted = await reweighted.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea", Top = 5 }, Ct);

        // Mem0 fuses its own scores: SkMemory's fusion weights do not change a hybrid search on it.
        Assert.NotEmpty(fused);
        Assert.Equal(fused.Select(r => (r.Record.Id, r.Score)), weighted.Select(r => (r.Record.Id, r.Score)));
    }

    /// <inheritdoc />
    public override async Task SearchAsync_CustomReranker_OrdersResultsAndSeesEmbeddings()
    {
        var reverser = new ReversingReranker();
        var (store, tenant) = await SeededAsync(o => o.Retrieval.Reranker = reverser);

        var results = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea", Top = 3 }, Ct);

        var seen = Assert.Single(reverser.Requests);
        Assert.Equal("tea", seen.Query);
        Assert.All(seen.Candidates, c => Assert.Null(c.Embedding)); // Mem0 returns no vectors
        Assert.Equal(seen.Candidates.Select(c => c.Record.Id).Reverse().Take(3), results.Select(r => r.Record.Id));
        Assert.All(results, r => Assert.Equal("reverse", r.Breakdown.Reranker));
    }

    /// <inheritdoc />
    public override async Task SearchAsync_Mmr_PrefersADifferentMemoryOverANearDuplicate()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana booked the flight to Lisbon for the May conference");
        await CreateAsync(store, tenant, "Ana booked the flight to Lisbon for the May conference trip");
        await CreateAsync(store, tenant, "Ana booked a hotel near the Lisbon conference venue");

        var results = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "Lisbon conference booking", Top = 3 }, Ct);

        // MMR still reranks Mem0's candidates, comparing them by words (Mem0 returns no vectors).
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal("mmr", r.Breakdown.Reranker));
        Assert.Contains(results, r => r.Record.Value.Text.Contains("hotel", StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public override async Task SearchAsync_WithoutEmbeddingGenerator_VectorIsNotSupportedAndHybridUsesText()
    {
        var (store, tenant) = await SeededAsync(o => o.EmbeddingGenerator = null);

        var vector = await Assert.ThrowsAnyAsync<MemoryException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea", Mode = MemorySearchMode.Vector }, Ct));
        var hybrid = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "green tea" }, Ct);

        // The mirror has no embedder for vector mode; hybrid search is Mem0's and does not need one.
        Assert.Equal(MemoryErrorCode.NotSupported, vector.Code);
        Assert.Contains("green tea", hybrid[0].Record.Value.Text, StringComparison.Ordinal);
        Assert.Equal(Mem0MemoryStore.SystemName, hybrid[0].Breakdown.EmbeddingModel);
    }

    /// <inheritdoc />
    public override async Task ReindexAsync_SwapsTheEmbedderWithoutRewritingRecordsOrEvents()
    {
        var (store, tenant) = await SeededAsync();
        var index = Assert.IsAssignableFrom<IMemoryEmbeddingIndex>(store.GetService(typeof(IMemoryEmbeddingIndex)));
        var before = await store.VerifyAsync(tenant, Ct);
        using var folded = new FoldedTestEmbeddingGenerator();

        await index.ReindexAsync(folded, cancellationToken: Ct);

        // The mirror's vector search now uses the new model; hybrid search stays Mem0's; the log is untouched.
        var vector = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea", Mode = MemorySearchMode.Vector }, Ct);
        var hybrid = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "tea" }, Ct);
        Assert.All(vector, r => Assert.Equal(folded.ModelId, r.Breakdown.EmbeddingModel));
        Assert.All(hybrid.Where(r => r.Breakdown.Semantic is not null), r => Assert.Equal(Mem0MemoryStore.SystemName, r.Breakdown.EmbeddingModel));
        Assert.NotEmpty(vector);
        Assert.NotEmpty(hybrid);
        Assert.Equal(before.EventCount, (await store.VerifyAsync(tenant, Ct)).EventCount);
    }

    private async Task<(IMemoryStore Store, string Tenant)> SeededAsync(Action<MemoryStoreOptions>? configure = null)
    {
        var store = await NewStoreAsync(configure);
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana drinks green tea every morning");
        await CreateAsync(store, tenant, "Ana likes herbal tea at night");
        await CreateAsync(store, tenant, "Ana takes her coffee with oat milk");
        return (store, tenant);
    }

    private async Task<IMemoryStore> ReopenAsync(IMemoryStore store, Action<MemoryStoreOptions> configure)
    {
        var reopened = await ReopenStoreAsync(store, o => { o.EmbeddingGenerator = Embeddings; o.TimeProvider = Clock; configure(o); }, Ct);
        _reopened.Add(reopened);
        return reopened;
    }

    /// <summary>A reranker that returns its candidates in reverse order and keeps what it was asked.</summary>
    private sealed class ReversingReranker : IMemoryReranker
    {
        public List<MemoryRerankRequest> Requests { get; } = [];

        public string Name => "reverse";

        public Task<IReadOnlyList<MemoryRerankScore>> RerankAsync(MemoryRerankRequest request, CancellationToken cancellationToken = default)
        {
            Requests.Add(request);
            var count = request.Candidates.Count;
            return Task.FromResult<IReadOnlyList<MemoryRerankScore>>([.. Enumerable.Range(0, Math.Min(request.Top, count)).Select(i => new MemoryRerankScore(count - 1 - i, 1.0 - (i * 0.01)))]);
        }
    }

    private static string MirrorPath(IMemoryStore store) => ((SqliteMemoryStore)((Mem0MemoryStore)store).Mirror).DatabasePath;

    private async Task<IMemoryStore> OpenAsync(string path, Action<MemoryStoreOptions> configure, CancellationToken cancellationToken)
    {
        var options = new SqliteMemoryStoreOptions { Path = path };
        configure(options);
        var mirror = await SqliteMemoryStore.OpenAsync(options, cancellationToken: cancellationToken);
        return new Mem0MemoryStore(new Mem0Client(emulator.PlatformOptions()), mirror);
    }
}
