namespace SkMemory.Tests.Conformance;

/// <summary>Verification of the hash chains: valid after work, and tampering or loss found at the right link.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task VerifyAsync_EmptyStore_IsValidWithNothingChecked()
    {
        var store = await NewStoreAsync();

        var verification = await store.VerifyAsync(cancellationToken: Ct);

        Assert.True(verification.IsValid);
        Assert.Equal(0, verification.EventCount);
        Assert.Equal(0, verification.TenantCount);
        Assert.Null(verification.FirstBrokenLink);
    }

    [Fact]
    public virtual async Task VerifyAsync_AfterManyOperations_IsValidWithEventAndTenantCounts()
    {
        var store = await NewStoreAsync();
        var first = NewTenant();
        var second = NewTenant();
        var records = new List<MemoryRecord>();
        for (var i = 0; i < 6; i++)
        {
            records.Add(await CreateAsync(store, first, $"first tenant note {i}"));
        }

        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = first, Id = records[0].Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "first tenant note zero" }, Ct);
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = first, Id = records[0].Id, ExpectedVersion = 2, Actor = MemoryActor.User("ana"), Salience = 1 }, Ct);
        await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = first, Id = records[1].Id, Actor = MemoryActor.User("ana"), Value = "first tenant note one, replaced" }, Ct);
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = first, Id = records[2].Id, Reason = "obsolete", Actor = MemoryActor.User("ana") }, Ct);
        await store.WriteAsync(Note(first, "first tenant note 3"), Ct); // duplicate: no event
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(store, second, $"second tenant note {i}");
        }

        var all = await store.VerifyAsync(cancellationToken: Ct);
        var firstOnly = await store.VerifyAsync(first, Ct);
        var secondOnly = await store.VerifyAsync(second, Ct);

        Assert.True(all.IsValid, $"{all.FirstBrokenLink}");
        Assert.Null(all.FirstBrokenLink);
        Assert.Equal(6 + 2 + 2 + 1 + 3, all.EventCount);
        Assert.Equal(2, all.TenantCount);
        Assert.True(firstOnly.IsValid);
        Assert.Equal(11, firstOnly.EventCount);
        Assert.Equal(1, firstOnly.TenantCount);
        Assert.True(secondOnly.IsValid);
        Assert.Equal(3, secondOnly.EventCount);

        var events = await ExportedEventsAsync(store, first);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(MemoryEventChain.GenesisHash, events[0].PreviousHash);
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(MemoryEventChain.ComputeHash(events[i]), events[i].Hash);
            Assert.Equal(MemoryEventChain.ComputePayloadHash(events[i].Payload!), events[i].PayloadHash);
            Assert.Equal(i == 0 ? MemoryEventChain.GenesisHash : events[i - 1].Hash, events[i].PreviousHash);
        }
    }

    [Fact]
    public virtual async Task VerifyAsync_TamperedPayload_ReportsTheBrokenSequence()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var other = NewTenant();
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(store, tenant, $"Ana owes Bob {i} euros");
        }

        await CreateAsync(store, other, "untouched tenant");
        var events = await ExportedEventsAsync(store, tenant);
        var original = events[2];
        Assert.Equal(3, original.Sequence);

        await TamperEventPayloadAsync(store, tenant, 3, original.Payload!.Replace("owes Bob 2 euros", "owes Bob 2000 euros", StringComparison.Ordinal), Ct);

        var verification = await store.VerifyAsync(cancellationToken: Ct);
        Assert.False(verification.IsValid);
        var broken = Assert.IsType<BrokenChainLink>(verification.FirstBrokenLink);
        Assert.Equal(tenant, broken.Tenant);
        Assert.Equal(3, broken.Sequence);
        Assert.False(string.IsNullOrWhiteSpace(broken.Problem));
        Assert.False((await store.VerifyAsync(tenant, Ct)).IsValid);
        Assert.True((await store.VerifyAsync(other, Ct)).IsValid);
    }

    [Fact]
    public virtual async Task VerifyAsync_RemovedMiddleEvent_ReportsTheMissingSequence()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(store, tenant, $"meeting note {i}");
        }

        await RemoveEventAsync(store, tenant, 3, Ct);

        var verification = await store.VerifyAsync(tenant, Ct);
        Assert.False(verification.IsValid);
        Assert.Equal(tenant, verification.FirstBrokenLink!.Tenant);
        Assert.Equal(3, verification.FirstBrokenLink.Sequence);
        Assert.False((await store.VerifyAsync(cancellationToken: Ct)).IsValid);
    }

    [Fact]
    public virtual async Task VerifyAsync_RemovedLastEvent_IsDetected()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        for (var i = 0; i < 4; i++)
        {
            await CreateAsync(store, tenant, $"travel note {i}");
        }

        await RemoveEventAsync(store, tenant, 4, Ct);

        var verification = await store.VerifyAsync(cancellationToken: Ct);
        Assert.False(verification.IsValid);
        Assert.Equal(tenant, verification.FirstBrokenLink!.Tenant);
        Assert.False((await store.VerifyAsync(tenant, Ct)).IsValid);
    }
}
