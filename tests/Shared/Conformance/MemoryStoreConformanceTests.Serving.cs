namespace SkMemory.Tests.Conformance;

/// <summary>Choosing the serving model, and imports that must not rewrite another tenant's or another version's memory.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task ServeWith_SwitchesTheRunningStore_AndTheRecordedServingModelFollowsReindexes()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana puts oat milk in her coffee");
        await CreateAsync(store, tenant, "Bob repairs old bicycles");
        var index = Index(store);
        Assert.Null(await index.GetRecordedServingModelAsync(Ct));

        var folded = new FoldedTestEmbeddingGenerator();
        await index.ReindexAsync(folded, cancellationToken: Ct);
        Assert.Equal(folded.ModelId, await index.GetRecordedServingModelAsync(Ct));

        // The retired model's embeddings are kept, so serving it again needs no reindex.
        index.ServeWith(Embeddings);
        Assert.Equal(TestEmbeddingGenerator.ModelId, index.ServingModel);
        var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bicycles", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal("Bob repairs old bicycles", hits[0].Record.Value.Text);
        Assert.Equal(TestEmbeddingGenerator.ModelId, hits[0].Breakdown.EmbeddingModel);
    }

    [Fact]
    public virtual async Task ImportAsync_AMemoryIdOfAnotherTenant_IsAConflictAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var owner = NewTenant();
        var original = await CreateAsync(store, owner, "Ana likes green tea");
        var intruder = NewTenant();
        var forged = original with { Tenant = intruder };

        using var forgedExport = await ForgedAsync(intruder, [(forged, 1)]);
        var error = await Assert.ThrowsAsync<MemoryImportException>(() => store.ImportAsync(forgedExport, cancellationToken: Ct));

        Assert.Equal((MemoryErrorCode.ImportConflict, "memory_id"), (error.Code, error.Field));
        Assert.Equal(original, await store.GetAsync(owner, original.Id, Ct));
        Assert.Null(await store.GetAsync(intruder, original.Id, Ct));
    }

    [Fact]
    public virtual async Task ImportAsync_AnEventThatDoesNotMoveItsMemoryOneVersionOn_IsRejectedAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(await NewStoreAsync(), tenant, "Ana likes green tea"); // a valid memory from a scratch store

        // Two "version 1" events for one memory: the second would overwrite the first.
        using var forgedExport = await ForgedAsync(tenant, [(record, 1), (record, 1)]);
        var error = await Assert.ThrowsAsync<MemoryImportException>(() => store.ImportAsync(forgedExport, cancellationToken: Ct));

        Assert.Equal((MemoryErrorCode.ImportInvalid, "stream_version", 3L), (error.Code, error.Field, error.Line));
        Assert.Null(await store.GetAsync(tenant, record.Id, Ct));
    }

    /// <summary>Writes a well-formed, correctly chained export of one tenant whose events carry the given states.</summary>
    private async Task<MemoryStream> ForgedAsync(string tenant, IReadOnlyList<(MemoryRecord State, long Version)> events)
    {
        var stream = new MemoryStream();
        var writer = new MemoryExportWriter(stream);
        var now = MemoryEventChain.TruncateToMicroseconds(Clock.GetUtcNow());
        await writer.WriteHeaderAsync(new MemoryExportHeader(MemoryExportFormat.Name, MemoryExportFormat.Version, MemoryRecord.CurrentSchemaVersion, now, tenant, "conformance tests"), Ct);
        var previous = MemoryEventChain.GenesisHash;
        for (var i = 0; i < events.Count; i++)
        {
            var state = events[i].State with { Version = events[i].Version };
            var payload = MemoryJson.SerializeRecord(state);
            var e = new MemoryEvent
            {
                Tenant = tenant,
                Sequence = i + 1,
                EventId = Guid.CreateVersion7(),
                MemoryId = state.Id,
                EventType = MemoryEventType.Created,
                StreamVersion = events[i].Version,
                OccurredAt = now,
                Actor = state.Actor,
                Payload = payload,
                PayloadHash = MemoryEventChain.ComputePayloadHash(payload),
                PreviousHash = previous,
                Hash = string.Empty,
            };
            e = e with { Hash = MemoryEventChain.ComputeHash(e) };
            previous = e.Hash;
            await writer.WriteEventAsync(e, Ct);
        }

        await writer.WriteEndAsync(Ct);
        await writer.DisposeAsync();
        return new MemoryStream(stream.ToArray(), writable: false);
    }
}
