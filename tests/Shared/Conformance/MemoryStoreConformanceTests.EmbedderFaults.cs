namespace SkMemory.Tests.Conformance;

/// <summary>
/// The embedder failing (issue 11): writes are kept and embedded later, search degrades to full text with a flag, and every
/// fault ends with the exact count of memories and a chain that verifies.
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    private static readonly string[] FaultNotes =
    [
        "Ana keeps bees on the roof of her building",
        "Ana's sister lives in Porto",
        "Ana takes the night train to Vienna every spring",
        "Ana is allergic to penicillin",
        "Ana plays the cello in an amateur orchestra",
        "Ana repaints her kayak every autumn",
        "Ana prefers aisle seats on long flights",
        "Ana learned Finnish from her grandmother",
    ];

    [Fact]
    public virtual async Task WritesWhileTheEmbedderFails_AreKept_FoundByFullText_AndEmbeddedOnceItWorksAgain()
    {
        using var embedder = new ScriptedEmbeddingGenerator(Embeddings) { Fault = EmbedderFault.Throw };
        var store = await NewStoreAsync(options => options.EmbeddingGenerator = embedder);
        var index = Index(store);
        var tenant = NewTenant();

        foreach (var note in FaultNotes)
        {
            await CreateAsync(store, tenant, note);
        }

        // Every write is kept, whole, and pending its embedding.
        Assert.True(embedder.Failures >= FaultNotes.Length, $"the embedder failed {embedder.Failures} times for {FaultNotes.Length} writes");
        Assert.Equal(FaultNotes.Length, (await ReadAllAsync(store, AllStatuses(tenant))).Count(r => r.Status == MemoryStatus.Active));
        Assert.Equal(FaultNotes.Length, await index.CountPendingEmbeddingsAsync(Ct));
        var verified = await store.VerifyAsync(tenant, Ct);
        Assert.True(verified.IsValid, verified.FirstBrokenLink?.Problem);
        Assert.Equal(FaultNotes.Length, verified.EventCount);

        // Full text finds them meanwhile; hybrid search falls back to it and says so; vector search says why it cannot run.
        var text = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bees roof", Mode = MemorySearchMode.Text }, Ct);
        Assert.Equal(FaultNotes[0], text[0].Record.Value.Text);
        Assert.Null(text[0].Degradation);
        var hybrid = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bees roof" }, Ct);
        Assert.Contains(hybrid, r => r.Record.Value.Text == FaultNotes[0]);
        Assert.All(hybrid, r => Assert.NotEqual(TestEmbeddingGenerator.ModelId, r.Breakdown.EmbeddingModel));
        if (HybridSearchUsesTheStoreEmbedder)
        {
            // The store's hybrid search needs the failing embedder (Mem0's does not: its own index answers): every result says so.
            Assert.All(hybrid, r => Assert.Equal(MemorySearchDegradation.EmbedderUnavailable, r.Degradation));
        }
        var vector = await Assert.ThrowsAsync<MemoryException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bees roof", Mode = MemorySearchMode.Vector }, Ct));
        Assert.Equal(MemoryErrorCode.Unavailable, vector.Code);
        Assert.Contains("text or hybrid", vector.Message, StringComparison.Ordinal);

        // It recovers: the next write embeds, and the store embeds what the failure left behind on its own.
        embedder.Fault = EmbedderFault.None;
        await CreateAsync(store, tenant, "Ana switched to decaf in the afternoon");
        await WaitUntilAsync(async () => await index.CountPendingEmbeddingsAsync(Ct) == 0, "the pending memories were not embedded after the embedder recovered");

        Assert.Equal(FaultNotes.Length + 1, (await ReadAllAsync(store, AllStatuses(tenant))).Count(r => r.Status == MemoryStatus.Active));
        var after = await store.VerifyAsync(tenant, Ct);
        Assert.True(after.IsValid, after.FirstBrokenLink?.Problem);
        Assert.Equal(FaultNotes.Length + 1, after.EventCount); // one write; embedding the pending memories wrote no event
        var found = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bees roof", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal(FaultNotes[0], found[0].Record.Value.Text);
        Assert.Equal(TestEmbeddingGenerator.ModelId, found[0].Breakdown.EmbeddingModel);
        Assert.All(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bees roof" }, Ct), r => Assert.Null(r.Degradation));
    }

    [Fact]
    public virtual async Task EmbedPendingAsync_EmbedsOnlyLiveCurrentText_AndWritesNoEvent()
    {
        using var embedder = new ScriptedEmbeddingGenerator(Embeddings) { Fault = EmbedderFault.Throw };
        var store = await NewStoreAsync(options => options.EmbeddingGenerator = embedder);
        var index = Index(store);
        var tenant = NewTenant();
        var kept = await CreateAsync(store, tenant, FaultNotes[0]);
        var purged = await CreateAsync(store, tenant, FaultNotes[3]);
        var deleted = await CreateAsync(store, tenant, FaultNotes[4]);
        var changed = await CreateAsync(store, tenant, FaultNotes[5]);

        // While it fails: a purge and a delete of pending memories, and an update whose new text cannot be embedded.
        await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [purged.Id], Reason = "erasure request", Actor = MemoryActor.User("dpo") }, Ct);
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = deleted.Id, Reason = "wrong", Actor = MemoryActor.User("ana") }, Ct);
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = changed.Id, ExpectedVersion = changed.Version, Value = "Ana sold her kayak and bought a canoe", Actor = MemoryActor.User("ana"), Reason = "sold it" }, Ct);
        Assert.Equal(2, await index.CountPendingEmbeddingsAsync(Ct));
        var stillFailing = await Assert.ThrowsAsync<MemoryException>(() => index.EmbedPendingAsync(Ct));
        Assert.Equal(MemoryErrorCode.Unavailable, stillFailing.Code);

        embedder.Fault = EmbedderFault.None;
        var events = (await store.VerifyAsync(tenant, Ct)).EventCount;
        var result = await index.EmbedPendingAsync(Ct);

        Assert.Equal((TestEmbeddingGenerator.ModelId, 0L), (result.Model, result.Pending));
        Assert.Equal(0, await index.CountPendingEmbeddingsAsync(Ct));
        var verified = await store.VerifyAsync(tenant, Ct);
        Assert.True(verified.IsValid, verified.FirstBrokenLink?.Problem);
        Assert.Equal(events, verified.EventCount);
        Assert.Equal(2, (await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, PageSize = MemoryQuery.MaxPageSize })).Count);

        // Exactly the two live memories have an embedding; the purged and deleted ones got none back.
        Assert.Single(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", kept.Id)));
        Assert.Single(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", changed.Id)));
        Assert.Empty(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", purged.Id)));
        Assert.Empty(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", deleted.Id)));

        // The updated memory is indexed by its new text, not the one it had when the embedder failed.
        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "Ana sold her kayak and bought a canoe", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal(changed.Id, hits[0].Record.Id);
        Assert.Equal(1.0, hits[0].Breakdown.Semantic!.Value, 3);
    }

    [Fact]
    public virtual async Task AWriteWhoseEmbedderHangs_IsKeptAfterTheEmbeddingTimeout()
    {
        using var embedder = new ScriptedEmbeddingGenerator(Embeddings) { Fault = EmbedderFault.Hang };
        var store = await NewStoreAsync(options =>
        {
            options.EmbeddingGenerator = embedder;
            options.EmbeddingTimeout = TimeSpan.FromMilliseconds(300);
        });
        var tenant = NewTenant();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var record = await CreateAsync(store, tenant, FaultNotes[2]);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the write took {clock.Elapsed}");
        Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
        Assert.Equal(1, await Index(store).CountPendingEmbeddingsAsync(Ct));
        var verified = await store.VerifyAsync(tenant, Ct);
        Assert.True(verified.IsValid, verified.FirstBrokenLink?.Problem);
        Assert.Equal(1, verified.EventCount);
    }

    [Fact]
    public virtual async Task CancellingAWriteOrASearchWhileItEmbeds_StillCancels_AndStoresNothing()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var embedder = new ScriptedEmbeddingGenerator(Embeddings) { Fault = EmbedderFault.Hang, OnCall = () => cancel.CancelAfter(50) };
        var store = await NewStoreAsync(options => options.EmbeddingGenerator = embedder);
        var tenant = NewTenant();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(Note(tenant, FaultNotes[1]), cancel.Token));

        Assert.Empty(await ReadAllAsync(store, AllStatuses(tenant)));
        var verified = await store.VerifyAsync(tenant, Ct);
        Assert.Equal((true, 0L), (verified.IsValid, verified.EventCount));

        using var cancelSearch = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        embedder.OnCall = () => cancelSearch.CancelAfter(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "Porto", Mode = MemorySearchMode.Vector }, cancelSearch.Token));
    }

    /// <summary>Polls a condition the store reaches in the background, failing the fact after 30 seconds.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50, Ct);
        }
    }
}
