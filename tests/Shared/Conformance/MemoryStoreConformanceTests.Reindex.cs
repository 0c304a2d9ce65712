namespace SkMemory.Tests.Conformance;

/// <summary>Embeddings per model: reindexing to a new model in the background, resumably, without rewriting history.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    private static readonly string[] ReindexTexts =
    [
        "Ana puts oat milk in her coffee",
        "Ana plays the violin on weekends",
        "Bob repairs old bicycles",
        "Ana is allergic to peanuts",
        "Bob prefers window seats on planes",
    ];

    [Fact]
    public virtual async Task ReindexAsync_SwapsTheEmbedderWithoutRewritingRecordsOrEvents()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var records = new List<MemoryRecord>();
        foreach (var text in ReindexTexts)
        {
            records.Add(await CreateAsync(store, tenant, text));
        }

        var request = new MemorySearchRequest { Tenant = tenant, Text = "oat milk coffee", Top = 3 };
        var before = await store.SearchAsync(request, Ct);
        var eventsBefore = await EventCountAsync(store);
        var index = Index(store);
        var folded = new FoldedTestEmbeddingGenerator();
        var progress = new List<MemoryReindexProgress>();

        var result = await index.ReindexAsync(folded, new MemoryReindexOptions { BatchSize = 2, Progress = new SynchronousProgress<MemoryReindexProgress>(progress.Add) }, Ct);

        Assert.Equal((folded.ModelId, 64, 5L, 5L, 5L, true, TestEmbeddingGenerator.ModelId), (result.Model, result.Dimensions, result.EmbeddedThisRun, result.Embedded, result.Active, result.Activated, result.PreviousModel));
        Assert.Equal(folded.ModelId, index.ServingModel);
        Assert.Equal(progress.Select(p => p.Embedded).Order(), progress.Select(p => p.Embedded));
        Assert.Equal((5L, 5L), (progress[^1].Embedded, progress[^1].Active));

        // Same agent-facing contract, now answered with the new model.
        var after = await store.SearchAsync(request, Ct);
        Assert.Equal(before[0].Record.Id, after[0].Record.Id);
        Assert.Equal(before.Count, after.Count);
        Assert.All(after.Where(h => h.Breakdown.SemanticRank is not null), h => Assert.Equal(folded.ModelId, h.Breakdown.EmbeddingModel));
        Assert.NotNull(after[0].Breakdown.Semantic);

        // No record or event was rewritten, and the chain still verifies.
        Assert.Equal(eventsBefore, await EventCountAsync(store));
        foreach (var record in records)
        {
            Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
        }

        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
        var models = await index.GetModelsAsync(Ct);
        Assert.Equal(
            [(folded.ModelId, MemoryEmbeddingModelState.Serving, true), (TestEmbeddingGenerator.ModelId, MemoryEmbeddingModelState.Retired, true)],
            models.Select(m => (m.Model, m.State, m.IsComplete)));
    }

    [Fact]
    public virtual async Task ReindexAsync_WhileBuilding_OldModelServesAndNewWritesGetBothEmbeddings()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        foreach (var text in ReindexTexts)
        {
            await CreateAsync(store, tenant, text);
        }

        var index = Index(store);
        using var gate = new SemaphoreSlim(0);
        using var folded = new FoldedTestEmbeddingGenerator { BatchGate = gate };
        var reindex = index.ReindexAsync(folded, new MemoryReindexOptions { BatchSize = 2 }, Ct);
        await folded.BatchArrived.WaitAsync(Ct); // the first batch is held at the closed gate
        Assert.Equal(MemoryEmbeddingModelState.Building, Assert.Single(await index.GetModelsAsync(Ct), m => m.Model == folded.ModelId).State);

        var during = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "violin", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal(TestEmbeddingGenerator.ModelId, during[0].Breakdown.EmbeddingModel);
        Assert.Equal(TestEmbeddingGenerator.ModelId, index.ServingModel);
        var written = await CreateAsync(store, tenant, "Ana learned the cello this spring");
        Assert.Equal(1, folded.ValueCount - 1); // the dimension probe, then the new write

        gate.Release(100);
        var result = await reindex;

        Assert.Equal(5, result.EmbeddedThisRun); // the write during the build was already embedded with both models
        Assert.Equal(6, result.Embedded);
        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "cello spring", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal(written.Id, hits[0].Record.Id);
        Assert.Equal(folded.ModelId, hits[0].Breakdown.EmbeddingModel);
    }

    [Fact]
    public virtual async Task ReindexAsync_Cancelled_KeepsServingTheOldModelAndTheNextRunResumes()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        foreach (var text in ReindexTexts)
        {
            await CreateAsync(store, tenant, text);
        }

        var index = Index(store);
        using var gate = new SemaphoreSlim(1);
        using var folded = new FoldedTestEmbeddingGenerator { BatchGate = gate };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reindex = index.ReindexAsync(folded, new MemoryReindexOptions { BatchSize = 2 }, cancel.Token);

        // The gate lets one batch through; batches run one after another, so when the second arrives the first is saved.
        await folded.BatchArrived.WaitAsync(Ct);
        await folded.BatchArrived.WaitAsync(Ct);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reindex);

        var partial = Assert.Single(await index.GetModelsAsync(Ct), m => m.Model == folded.ModelId);
        Assert.Equal((MemoryEmbeddingModelState.Building, 2L, false), (partial.State, partial.Embedded, partial.IsComplete));
        Assert.Equal(TestEmbeddingGenerator.ModelId, index.ServingModel);

        folded.BatchGate = null;
        var resumed = await index.ReindexAsync(folded, new MemoryReindexOptions { BatchSize = 2 }, Ct);

        Assert.Equal((3L, 5L, true), (resumed.EmbeddedThisRun, resumed.Embedded, resumed.Activated));
    }

    [Fact]
    public virtual async Task ReindexAsync_NotActivated_StaysBuilding_AndAnUpdateDropsEveryStaleEmbedding()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var first = await CreateAsync(store, tenant, ReindexTexts[0]);
        await CreateAsync(store, tenant, ReindexTexts[1]);
        var index = Index(store);
        var folded = new FoldedTestEmbeddingGenerator();

        var built = await index.ReindexAsync(folded, new MemoryReindexOptions { Activate = false }, Ct);
        Assert.False(built.Activated);
        Assert.Equal(TestEmbeddingGenerator.ModelId, index.ServingModel);

        // This store object embeds only with its serving model now; the folded embedding of the old text must go.
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = first.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana switched to almond milk" }, Ct);
        var stale = Assert.Single(await index.GetModelsAsync(Ct), m => m.Model == folded.ModelId);
        Assert.Equal((MemoryEmbeddingModelState.Building, 1L), (stale.State, stale.Embedded));

        var again = await index.ReindexAsync(folded, new MemoryReindexOptions { DropPrevious = true }, Ct);
        Assert.Equal((1L, 2L, true), (again.EmbeddedThisRun, again.Embedded, again.Activated));
        Assert.DoesNotContain(await index.GetModelsAsync(Ct), m => m.Model == TestEmbeddingGenerator.ModelId);
    }

    [Fact]
    public virtual async Task ReindexAsync_StoreWithoutEmbedder_GainsVectorSearch()
    {
        var store = await NewStoreAsync(o => o.EmbeddingGenerator = null);
        var tenant = NewTenant();
        foreach (var text in ReindexTexts)
        {
            await CreateAsync(store, tenant, text);
        }

        var index = Index(store);
        Assert.Null(index.ServingModel);
        Assert.Empty(await index.GetModelsAsync(Ct));
        var folded = new FoldedTestEmbeddingGenerator();

        var result = await index.ReindexAsync(folded, cancellationToken: Ct);

        Assert.Equal((5L, true, null), (result.EmbeddedThisRun, result.Activated, result.PreviousModel));
        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bicycles", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal("Bob repairs old bicycles", hits[0].Record.Value.Text);
    }

    private static IMemoryEmbeddingIndex Index(IMemoryStore store) =>
        Assert.IsAssignableFrom<IMemoryEmbeddingIndex>(store.GetService(typeof(IMemoryEmbeddingIndex)));

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, so the order is the order of the reports.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
