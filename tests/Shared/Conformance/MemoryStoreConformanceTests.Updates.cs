namespace SkMemory.Tests.Conformance;

/// <summary>Changes: update in place, supersede, delete, and their events.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task UpdateAsync_AtExpectedVersion_IncrementsVersionAndAppendsUpdatedEvent()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, Note(tenant, "Ana runs 5 km") with { Metadata = new Dictionary<string, string> { ["a"] = "1" } });
        var now = Clock.Advance(TimeSpan.FromMinutes(5).Add(TimeSpan.FromTicks(3)));

        var updated = await store.UpdateAsync(
            new MemoryUpdateRequest
            {
                Tenant = tenant,
                Id = original.Id,
                ExpectedVersion = 1,
                Actor = MemoryActor.Agent("coach"),
                Reason = "new personal best",
                Value = "Ana runs 10 km",
                Confidence = 0.7,
                Metadata = new Dictionary<string, string> { ["b"] = "2" },
            },
            Ct);

        Assert.Equal(original.Id, updated.Id);
        Assert.Equal(2, updated.Version);
        Assert.Equal(MemoryStatus.Active, updated.Status);
        Assert.Equal("Ana runs 10 km", updated.Value.Text);
        Assert.Equal(0.7, updated.Confidence);
        Assert.Equal(original.Salience, updated.Salience);
        Assert.Equal(MemoryActor.Agent("coach"), updated.Actor);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2" }, updated.Metadata);
        Assert.Equal(original.CreatedAt, updated.CreatedAt);
        Assert.Equal(original.ValidFrom, updated.ValidFrom);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(now), updated.UpdatedAt);
        Assert.NotEqual(original.ContentHash, updated.ContentHash);
        Assert.Equal(updated, await store.GetAsync(tenant, original.Id, Ct));

        var history = await store.GetHistoryAsync(tenant, original.Id, Ct);
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Updated], history.Select(e => e.EventType));
        Assert.Equal([1L, 2L], history.Select(e => e.StreamVersion));
        Assert.Equal([1L, 2L], history.Select(e => e.Sequence));
        Assert.Equal("new personal best", history[1].Reason);
        Assert.Equal(MemoryActor.Agent("coach"), history[1].Actor);
        Assert.Equal(history[0].Hash, history[1].PreviousHash);
        Assert.Equal(updated, history[1].ReadRecord());
    }

    [Fact]
    public virtual async Task UpdateAsync_OnlySomeFields_LeavesTheRestUnchanged()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, Note(tenant, "Ana owns a bike") with { Metadata = new Dictionary<string, string> { ["a"] = "1" }, Salience = 0.9 });

        var updated = await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Ttl = TimeSpan.FromDays(2) }, Ct);

        Assert.Equal(original.Value, updated.Value);
        Assert.Equal(original.ContentHash, updated.ContentHash);
        Assert.Equal(original.Metadata, updated.Metadata);
        Assert.Equal(0.9, updated.Salience);
        Assert.Equal(TimeSpan.FromDays(2), updated.Ttl);
        Assert.Equal(2, updated.Version);
        Assert.Equal(original with { Ttl = TimeSpan.FromDays(2), Version = 2, UpdatedAt = updated.UpdatedAt }, updated);
    }

    [Fact]
    public virtual async Task UpdateAsync_StaleVersion_ThrowsConcurrencyAndLeavesStoreUnchanged()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, tenant, "Ana's desk is 4B");
        var current = await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana's desk is 5C" }, Ct);

        var error = await Assert.ThrowsAsync<MemoryConcurrencyException>(
            () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana's desk is 6D" }, Ct));

        Assert.Equal(MemoryErrorCode.VersionConflict, error.Code);
        Assert.Equal(original.Id, error.Id);
        Assert.Equal(1, error.ExpectedVersion);
        Assert.Equal(2, error.ActualVersion);
        Assert.Equal(current, await store.GetAsync(tenant, original.Id, Ct));
        Assert.Equal(2, await EventCountAsync(store));
        Assert.Equal(2, (await store.GetHistoryAsync(tenant, original.Id, Ct)).Count);

        await Assert.ThrowsAsync<MemoryConcurrencyException>(
            () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 3, Actor = MemoryActor.User("ana"), Confidence = 0.2 }, Ct));
        Assert.Equal(current, await store.GetAsync(tenant, original.Id, Ct));
    }

    [Fact]
    public virtual async Task UpdateAsync_UnknownId_ThrowsNotFound()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "something");
        var missing = Guid.CreateVersion7();

        var withValue = await Assert.ThrowsAsync<MemoryNotFoundException>(
            () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = missing, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "new text" }, Ct));
        var withoutValue = await Assert.ThrowsAsync<MemoryNotFoundException>(
            () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = missing, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Confidence = 0.5 }, Ct));

        Assert.Equal(MemoryErrorCode.NotFound, withValue.Code);
        Assert.Equal(missing, withValue.Id);
        Assert.Equal(tenant, withoutValue.Tenant);
        Assert.Equal(1, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task UpdateAsync_DeletedOrSupersededMemory_ThrowsInvalidState()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var doomed = await CreateAsync(store, tenant, "Ana is on vacation");
        var old = await CreateAsync(store, tenant, "Ana's manager is Li");
        var deleted = await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = doomed.Id, Reason = "back at work", Actor = MemoryActor.User("ana") }, Ct);
        var replaced = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, Actor = MemoryActor.User("ana"), Value = "Ana's manager is Kim" }, Ct);
        var events = await EventCountAsync(store);

        foreach (var (id, version) in new[] { (doomed.Id, deleted.Version), (old.Id, replaced.Previous.Version) })
        {
            var error = await Assert.ThrowsAsync<MemoryConflictException>(
                () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = id, ExpectedVersion = version, Actor = MemoryActor.User("ana"), Value = "changed anyway" }, Ct));
            Assert.Equal(MemoryErrorCode.InvalidState, error.Code);
        }

        Assert.Equal(events, await EventCountAsync(store));
        Assert.Equal(deleted, await store.GetAsync(tenant, doomed.Id, Ct));
        Assert.Equal(replaced.Previous, await store.GetAsync(tenant, old.Id, Ct));
    }

    [Fact]
    public virtual async Task UpdateAsync_ToContentOfAnotherActiveMemory_ThrowsDuplicateContent()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var existing = await CreateAsync(store, tenant, "Ana's favourite colour is green");
        var other = await CreateAsync(store, tenant, "Ana's favourite colour is red");

        var error = await Assert.ThrowsAsync<MemoryConflictException>(
            () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = other.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "  ana's FAVOURITE colour is green " }, Ct));

        Assert.Equal(MemoryErrorCode.DuplicateContent, error.Code);
        Assert.Equal(existing.Id, error.ExistingId);
        Assert.Equal(other, await store.GetAsync(tenant, other.Id, Ct));
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task SupersedeAsync_ClosesOldVersionAndCreatesNewOne()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var old = await CreateAsync(store, Note(tenant, "Ana lives in Porto") with { Scope = MemoryScope.ForTeam("hr"), Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        var at = Clock.Advance(TimeSpan.FromDays(1));

        var result = await store.SupersedeAsync(
            new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, ExpectedVersion = 1, Actor = MemoryActor.Agent("hr-bot"), Reason = "moved", Value = "Ana lives in Lisbon" },
            Ct);

        var previous = result.Previous;
        var current = result.Current;
        Assert.Equal(old.Id, previous.Id);
        Assert.Equal(MemoryStatus.Superseded, previous.Status);
        Assert.Equal(current.Id, previous.SupersededBy);
        Assert.Equal(current.ValidFrom, previous.ValidTo);
        Assert.Equal(2, previous.Version);
        Assert.Equal(old.Value, previous.Value);

        Assert.NotEqual(old.Id, current.Id);
        Assert.Equal(7, current.Id.Version);
        Assert.True(current.Id.CompareTo(old.Id) > 0);
        Assert.Equal(old.Id, current.Supersedes);
        Assert.Null(current.SupersededBy);
        Assert.Equal(1, current.Version);
        Assert.Equal(MemoryStatus.Active, current.Status);
        Assert.Equal("Ana lives in Lisbon", current.Value.Text);
        Assert.Equal(old.Tenant, current.Tenant);
        Assert.Equal(old.Type, current.Type);
        Assert.Equal(old.Scope, current.Scope);
        Assert.Equal(old.Subject, current.Subject);
        Assert.Equal(old.Metadata, current.Metadata);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(at), current.ValidFrom);
        Assert.Equal(current.ValidFrom, current.CreatedAt);
        Assert.Null(current.ValidTo);

        Assert.Equal(previous, await store.GetAsync(tenant, old.Id, Ct));
        Assert.Equal(current, await store.GetAsync(tenant, current.Id, Ct));
        Assert.Equal([current.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant }));
        Assert.Equal(3, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task SupersedeAsync_ValidAt_ReturnsTheVersionValidAtThatInstant()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var old = await CreateAsync(store, tenant, "Ana's phone is a Pixel");
        var before = Clock.Advance(TimeSpan.FromDays(10));
        var supersedeAt = Clock.Advance(TimeSpan.FromDays(10));
        var result = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, Actor = MemoryActor.User("ana"), Value = "Ana's phone is an iPhone" }, Ct);
        var after = Clock.Advance(TimeSpan.FromDays(10));

        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(supersedeAt), result.Current.ValidFrom);
        Assert.Equal([result.Current.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant }));
        Assert.Equal([old.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ValidAt = before }));
        Assert.Equal([result.Current.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ValidAt = after }));
        Assert.Equal([result.Current.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ValidAt = result.Current.ValidFrom }));
        Assert.Empty(await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ValidAt = old.ValidFrom.AddDays(-1) }));

        var asOfBefore = Assert.Single(await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, ValidAt = before }));
        Assert.Equal(result.Previous, asOfBefore);
    }

    [Fact]
    public virtual async Task SupersedeAsync_History_OldHasCreatedAndSupersededNewHasCreated()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var old = await CreateAsync(store, tenant, "Ana uses vim");
        var result = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, Actor = MemoryActor.User("ana"), Value = "Ana uses emacs", Reason = "switched" }, Ct);

        var oldHistory = await store.GetHistoryAsync(tenant, old.Id, Ct);
        var newHistory = await store.GetHistoryAsync(tenant, result.Current.Id, Ct);

        Assert.Equal([MemoryEventType.Created, MemoryEventType.Superseded], oldHistory.Select(e => e.EventType));
        Assert.Equal([1L, 2L], oldHistory.Select(e => e.StreamVersion));
        Assert.Equal(result.Previous, oldHistory[1].ReadRecord());
        var created = Assert.Single(newHistory);
        Assert.Equal(MemoryEventType.Created, created.EventType);
        Assert.Equal(1, created.StreamVersion);
        Assert.Equal(result.Current, created.ReadRecord());
        Assert.True(created.Sequence > oldHistory[1].Sequence);
    }

    [Fact]
    public virtual async Task SupersedeAsync_StaleVersion_ThrowsConcurrencyAndLeavesStoreUnchanged()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, tenant, "Ana's team is Blue");
        var updated = await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Salience = 0.9 }, Ct);

        var error = await Assert.ThrowsAsync<MemoryConcurrencyException>(
            () => store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana's team is Red" }, Ct));

        Assert.Equal(1, error.ExpectedVersion);
        Assert.Equal(2, error.ActualVersion);
        Assert.Equal(updated, await store.GetAsync(tenant, original.Id, Ct));
        Assert.Equal([original.Id], await ReadIdsAsync(store, AllStatuses(tenant)));
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task DeleteAsync_BlankReason_ThrowsReason()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's badge number is 1234");

        foreach (var reason in new[] { string.Empty, " ", "\t\n" })
        {
            await AssertRejectedAsync(store, "reason", () => store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = record.Id, Reason = reason, Actor = MemoryActor.User("ana") }, Ct));
        }

        Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
    }

    [Fact]
    public virtual async Task DeleteAsync_WithReason_MarksDeletedAndHidesFromDefaultReadsAndSearch()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var keep = await CreateAsync(store, tenant, "Ana likes sailing boats");
        var doomed = await CreateAsync(store, tenant, "Ana owns a sailing dinghy");
        var at = Clock.Advance(TimeSpan.FromHours(3));

        var deleted = await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = doomed.Id, Reason = "sold it", Actor = MemoryActor.User("ana"), ExpectedVersion = 1 }, Ct);

        Assert.Equal(MemoryStatus.Deleted, deleted.Status);
        Assert.Equal("sold it", deleted.DeletionReason);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(at), deleted.ValidTo);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(at), deleted.UpdatedAt);
        Assert.Equal(2, deleted.Version);
        Assert.Equal(doomed.Value, deleted.Value);
        Assert.Equal(deleted, await store.GetAsync(tenant, doomed.Id, Ct));

        Assert.Equal([keep.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant }));
        Assert.Equal([doomed.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Deleted] }));
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "sailing dinghy", Mode = mode }, Ct);
            Assert.Contains(hits, h => h.Record.Id == keep.Id);
            Assert.DoesNotContain(hits, h => h.Record.Id == doomed.Id);
        }

        var history = await store.GetHistoryAsync(tenant, doomed.Id, Ct);
        Assert.Equal(MemoryEventType.Deleted, history[^1].EventType);
        Assert.Equal("sold it", history[^1].Reason);
        Assert.Equal(2, history[^1].StreamVersion);
        Assert.Equal(deleted, history[^1].ReadRecord());
    }

    [Fact]
    public virtual async Task DeleteAsync_Twice_ThrowsInvalidState()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's locker code is 4321");
        var deleted = await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = record.Id, Reason = "sensitive", Actor = MemoryActor.User("ana") }, Ct);

        var error = await Assert.ThrowsAsync<MemoryConflictException>(
            () => store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = record.Id, Reason = "again", Actor = MemoryActor.User("ana") }, Ct));

        Assert.Equal(MemoryErrorCode.InvalidState, error.Code);
        Assert.Equal(deleted, await store.GetAsync(tenant, record.Id, Ct));
        Assert.Equal(2, await EventCountAsync(store));
        await Assert.ThrowsAsync<MemoryNotFoundException>(
            () => store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = Guid.CreateVersion7(), Reason = "no such memory", Actor = MemoryActor.User("ana") }, Ct));
    }
}
