using System.Globalization;

namespace SkMemory.Tests.Conformance;

/// <summary>Merge (corroboration adds evidence and confidence) and its undo from the log.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task MergeAsync_AddsEvidenceOnceAndRaisesConfidence_AsAMergedEventWithTheReason()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, Note(tenant, "Ana prefers oat milk") with
        {
            Confidence = 0.6,
            Salience = 0.4,
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1"], QuotedSpans = ["I prefer oat milk"], ObservedAt = ClockStart },
        });

        var merged = await store.MergeAsync(
            new MemoryMergeRequest
            {
                Tenant = tenant,
                Id = original.Id,
                ExpectedVersion = 1,
                Actor = MemoryActor.Agent("capture"),
                Reason = "corroborated by m7",
                Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1", "m7"], QuotedSpans = ["oat milk, always"], ObservedAt = ClockStart.AddDays(3) },
                Confidence = 0.84,
                Salience = 0.5,
            },
            Ct);

        Assert.Equal(2, merged.Version);
        Assert.Equal(MemoryStatus.Active, merged.Status);
        Assert.Equal(["m1", "m7"], merged.Provenance.MessageIds);
        Assert.Equal(["I prefer oat milk", "oat milk, always"], merged.Provenance.QuotedSpans);
        Assert.Equal(ClockStart, merged.Provenance.ObservedAt);
        Assert.Equal(0.84, merged.Confidence);
        Assert.Equal(0.5, merged.Salience);
        Assert.Equal(original.Value, merged.Value);
        Assert.Equal(original.ContentHash, merged.ContentHash);
        Assert.Equal(merged, await store.GetAsync(tenant, original.Id, Ct));
        var history = await store.GetHistoryAsync(tenant, original.Id, Ct);
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Merged], history.Select(e => e.EventType));
        Assert.Equal("corroborated by m7", history[1].Reason);
        Assert.Equal(merged, history[1].ReadRecord());
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task MergeAsync_InvalidRequests_AreRejectedAndChangeNothing()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, Note(tenant, "Ana prefers oat milk") with { Confidence = 0.6, Salience = 0.4 });
        MemoryMergeRequest Merge() => new()
        {
            Tenant = tenant,
            Id = original.Id,
            Actor = MemoryActor.Agent("capture"),
            Reason = "corroborated",
            Evidence = new MemoryProvenance { MessageIds = ["m2"] },
        };

        await AssertRejectedAsync(store, "evidence", () => store.MergeAsync(Merge() with { Evidence = MemoryProvenance.Manual }, Ct));
        await AssertRejectedAsync(store, "confidence", () => store.MergeAsync(Merge() with { Confidence = 0.5 }, Ct));
        await AssertRejectedAsync(store, "salience", () => store.MergeAsync(Merge() with { Salience = 0.3 }, Ct));
        await AssertRejectedAsync(store, "confidence", () => store.MergeAsync(Merge() with { Confidence = 1.5 }, Ct));
        await AssertRejectedAsync(store, "reason", () => store.MergeAsync(Merge() with { Reason = " " }, Ct));

        // The refusals write their numbers the same in every culture.
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            Assert.Contains("(0.6 to 0.5)", (await Assert.ThrowsAsync<MemoryValidationException>(() => store.MergeAsync(Merge() with { Confidence = 0.5 }, Ct))).Message, StringComparison.Ordinal);
            Assert.Contains("(0.4 to 0.25)", (await Assert.ThrowsAsync<MemoryValidationException>(() => store.MergeAsync(Merge() with { Salience = 0.25 }, Ct))).Message, StringComparison.Ordinal);
            Assert.Contains("it is 1.5", (await Assert.ThrowsAsync<MemoryValidationException>(() => store.MergeAsync(Merge() with { Confidence = 1.5 }, Ct))).Message, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        await Assert.ThrowsAsync<MemoryConcurrencyException>(() => store.MergeAsync(Merge() with { ExpectedVersion = 2 }, Ct));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.MergeAsync(Merge() with { Id = Guid.CreateVersion7() }, Ct));

        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = original.Id, Actor = MemoryActor.User("ana"), Reason = "wrong" }, Ct);
        var notActive = await Assert.ThrowsAsync<MemoryConflictException>(() => store.MergeAsync(Merge(), Ct));
        Assert.Equal(MemoryErrorCode.InvalidState, notActive.Code);
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task UnmergeAsync_TakesBackWhatTheMergeAddedAndKeepsLaterChanges()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, Note(tenant, "Ana prefers oat milk") with
        {
            Confidence = 0.6,
            Salience = 0.4,
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1"], ObservedAt = ClockStart },
        });
        Task<MemoryRecord> MergeAsync(string messageId, double confidence) => store.MergeAsync(
            new MemoryMergeRequest
            {
                Tenant = tenant,
                Id = original.Id,
                Actor = MemoryActor.Agent("capture"),
                Reason = "corroborated by " + messageId,
                Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = [messageId] },
                Confidence = confidence,
            },
            Ct);
        await MergeAsync("m2", 0.8);
        await MergeAsync("m3", 0.9);
        var mergeOfM2 = (await store.GetHistoryAsync(tenant, original.Id, Ct))[1];

        var undone = await store.UnmergeAsync(
            new MemoryUnmergeRequest { Tenant = tenant, Id = original.Id, MergeEventId = mergeOfM2.EventId, Actor = MemoryActor.User("reviewer"), Reason = "m2 was about another Ana" },
            Ct);

        Assert.Equal(4, undone.Version);
        Assert.Equal(["m1", "m3"], undone.Provenance.MessageIds);
        Assert.Equal(0.7, undone.Confidence, 10);
        Assert.Equal(0.4, undone.Salience, 10);
        var history = await store.GetHistoryAsync(tenant, original.Id, Ct);
        Assert.Equal(MemoryEventType.Updated, history[^1].EventType);
        Assert.Equal($"unmerge of {mergeOfM2.EventId:D}: m2 was about another Ana", history[^1].Reason);

        MemoryUnmergeRequest Again(Guid eventId) => new() { Tenant = tenant, Id = original.Id, MergeEventId = eventId, Actor = MemoryActor.User("reviewer"), Reason = "again" };
        await AssertRejectedAsync(store, "merge_event_id", () => store.UnmergeAsync(Again(mergeOfM2.EventId), Ct));
        await AssertRejectedAsync(store, "merge_event_id", () => store.UnmergeAsync(Again(history[0].EventId), Ct));
        await AssertRejectedAsync(store, "merge_event_id", () => store.UnmergeAsync(Again(Guid.CreateVersion7()), Ct));

        // Undoing the other merge as well leaves exactly the evidence and confidence the memory was created with.
        var back = await store.UnmergeAsync(Again(history[2].EventId), Ct);
        Assert.Equal(original.Provenance, back.Provenance);
        Assert.Equal(original.Confidence, back.Confidence, 10);
        Assert.Equal(5, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task MergeAndUnmerge_ExportAndImport_ReproduceTheSameState()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, Note(tenant, "Ana prefers oat milk") with { Confidence = 0.6 });
        var merged = await store.MergeAsync(
            new MemoryMergeRequest { Tenant = tenant, Id = original.Id, Actor = MemoryActor.Agent("capture"), Reason = "corroborated", Evidence = new MemoryProvenance { MessageIds = ["m2"] }, Confidence = 0.8 },
            Ct);
        var mergeEvent = (await store.GetHistoryAsync(tenant, original.Id, Ct))[1];
        var undone = await store.UnmergeAsync(new MemoryUnmergeRequest { Tenant = tenant, Id = original.Id, MergeEventId = mergeEvent.EventId, Actor = MemoryActor.User("reviewer"), Reason = "wrong" }, Ct);

        var target = await NewStoreAsync();
        using (var stream = new MemoryStream((await ExportBytesAsync(store, tenant)).Bytes, writable: false))
        {
            await target.ImportAsync(stream, cancellationToken: Ct);
        }

        Assert.Equal(undone, await target.GetAsync(tenant, original.Id, Ct));
        Assert.Equal(merged, (await target.GetHistoryAsync(tenant, original.Id, Ct))[1].ReadRecord());
        Assert.Equal(
            (await store.GetHistoryAsync(tenant, original.Id, Ct)).Select(e => e.Hash),
            (await target.GetHistoryAsync(tenant, original.Id, Ct)).Select(e => e.Hash));
    }
}
