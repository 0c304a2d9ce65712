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

    public void Dispose()
    {
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

    [Fact(Skip = "Not supported by the Mem0 backend: Mem0 fuses its semantic and keyword scores itself and returns one score: a hybrid result has no separate semantic and lexical ranks (Mem0StoreTests.Search_Hybrid_RanksMem0CandidatesThroughTheCanonicalFilterAndScoring covers what it does).")]
    public override Task SearchAsync_HybridMode_FusesBothRetrieversBestFirst() => Task.CompletedTask;

    [Fact(Skip = "Not supported by the Mem0 backend: Mem0 returns one relevance score per hybrid result, so the breakdown has no lexical rank to explain; decay, salience, confidence and the reranker still apply.")]
    public override Task SearchAsync_Breakdown_ExplainsTheFinalScore() => Task.CompletedTask;

    [Fact(Skip = "Not supported by the Mem0 backend: SemanticWeight and LexicalWeight steer SkMemory's own fusion; a hybrid search on Mem0 is fused by Mem0 (the weights still apply to the mirror's text and vector searches).")]
    public override Task SearchAsync_FusionWeights_ZeroLexicalWeightRanksByMeaningOnly() => Task.CompletedTask;

    [Fact(Skip = "Not supported by the Mem0 backend: Mem0 does not return vectors, so a reranker sees no embeddings for Mem0's hybrid candidates (it still reorders them).")]
    public override Task SearchAsync_CustomReranker_OrdersResultsAndSeesEmbeddings() => Task.CompletedTask;

    [Fact(Skip = "Not supported by the Mem0 backend: Without Mem0's vectors MMR compares hybrid candidates by words only, which does not tell these near-duplicates apart.")]
    public override Task SearchAsync_Mmr_PrefersADifferentMemoryOverANearDuplicate() => Task.CompletedTask;

    [Fact(Skip = "Not supported by the Mem0 backend: A hybrid search on Mem0 is Mem0's, whatever the mirror's embedder; the mirror's text-only path is covered by the text-mode facts.")]
    public override Task SearchAsync_WithoutEmbeddingGenerator_VectorIsNotSupportedAndHybridUsesText() => Task.CompletedTask;

    [Fact(Skip = "Not supported by the Mem0 backend: Reindexing swaps the mirror's embedder, which serves vector searches; the final hybrid search this fact checks is Mem0's, which embeds with its own model.")]
    public override Task ReindexAsync_SwapsTheEmbedderWithoutRewritingRecordsOrEvents() => Task.CompletedTask;

    private static string MirrorPath(IMemoryStore store) => ((SqliteMemoryStore)((Mem0MemoryStore)store).Mirror).DatabasePath;

    private async Task<IMemoryStore> OpenAsync(string path, Action<MemoryStoreOptions> configure, CancellationToken cancellationToken)
    {
        var options = new SqliteMemoryStoreOptions { Path = path };
        configure(options);
        var mirror = await SqliteMemoryStore.OpenAsync(options, cancellationToken: cancellationToken);
        return new Mem0MemoryStore(new Mem0Client(emulator.PlatformOptions()), mirror);
    }
}
