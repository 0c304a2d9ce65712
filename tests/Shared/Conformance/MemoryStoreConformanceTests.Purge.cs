namespace SkMemory.Tests.Conformance;

/// <summary>Expiry, legal holds, purge (verifiable deletion) and its attestation.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task ExpireAsync_ActiveMemory_LeavesReadsAndSearchAndRecordsAnEvent()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var kept = await CreateAsync(store, tenant, "Ana drinks oat milk in her coffee");
        var record = await CreateAsync(store, tenant, "Ana drinks almond milk at breakfast");
        Clock.Advance(TimeSpan.FromMinutes(5));

        var expired = await store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = "retention: 30 days", Actor = MemoryActor.System, ExpectedVersion = 1 }, Ct);

        Assert.Equal(MemoryStatus.Expired, expired.Status);
        Assert.Equal(2, expired.Version);
        Assert.NotNull(expired.ValidTo);
        Assert.Equal(record.Value, expired.Value);
        Assert.Equal(expired, await store.GetAsync(tenant, record.Id, Ct));
        var history = await store.GetHistoryAsync(tenant, record.Id, Ct);
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Expired], history.Select(e => e.EventType));
        Assert.Equal("retention: 30 days", history[^1].Reason);
        Assert.Equal(MemoryActor.System, history[^1].Actor);

        var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct);
        Assert.Equal([kept.Id], page.Items.Select(r => r.Id));
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "almond milk breakfast", Mode = mode }, Ct);
            Assert.DoesNotContain(hits, h => h.Record.Id == record.Id);
        }

        Assert.Contains(await ReadAllAsync(store, AllStatuses(tenant)), r => r.Id == record.Id && r.Status == MemoryStatus.Expired);
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
    }

    [Fact]
    public virtual async Task ExpireAsync_StaleVersionOrNotActive_IsRefused()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's locker code is 4411");
        var request = new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = "retention", Actor = MemoryActor.System };

        var stale = await Assert.ThrowsAsync<MemoryConcurrencyException>(() => store.ExpireAsync(request with { ExpectedVersion = 7 }, Ct));
        Assert.Equal(MemoryErrorCode.VersionConflict, stale.Code);
        await store.ExpireAsync(request, Ct);
        var again = await Assert.ThrowsAsync<MemoryConflictException>(() => store.ExpireAsync(request, Ct));
        Assert.Equal(MemoryErrorCode.InvalidState, again.Code);
        var missing = await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.ExpireAsync(request with { Id = Guid.NewGuid() }, Ct));
        Assert.Equal(MemoryErrorCode.NotFound, missing.Code);
        await AssertRejectedAsync(store, "reason", () => store.ExpireAsync(request with { Reason = " " }, Ct));
        Assert.Equal(2, (await store.GetHistoryAsync(tenant, record.Id, Ct)).Count);
    }

    [Fact]
    public virtual async Task ExpireAsync_UnderLegalHold_IsRefusedUntilReleased()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var byId = await CreateAsync(store, tenant, "Ana signed the lease on May 2", subject: "ana");
        var bySubject = await CreateAsync(store, tenant, "Bob signed the lease on May 3", subject: "bob");
        await PlaceHoldAsync(store, tenant, "hold-1", memoryId: byId.Id);
        await PlaceHoldAsync(store, tenant, "hold-2", subject: "bob");
        await PlaceHoldAsync(store, tenant, "hold-released", subject: "ana", released: true);

        foreach (var record in new[] { byId, bySubject })
        {
            var error = await Assert.ThrowsAsync<MemoryException>(() => store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = "retention", Actor = MemoryActor.System }, Ct));
            Assert.Equal(MemoryErrorCode.LegalHold, error.Code);
            Assert.Contains("hold", error.Message, StringComparison.Ordinal);
            Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, record.Id, Ct))!.Status);
        }

        await QuerySqlAsync(store, "UPDATE {s}memory_legal_holds SET released_at = @at WHERE tenant = @tenant AND id = @id", ("at", Clock.GetUtcNow()), ("tenant", tenant), ("id", "hold-1"));
        var expired = await store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = byId.Id, Reason = "retention", Actor = MemoryActor.System }, Ct);
        Assert.Equal(MemoryStatus.Expired, expired.Status);
    }

    /// <summary>Places a legal hold by writing its row (the hold store is another component).</summary>
    private async Task PlaceHoldAsync(IMemoryStore store, string tenant, string id, Guid? memoryId = null, string? subject = null, bool released = false) =>
        await QuerySqlAsync(
            store,
            """
            INSERT INTO {s}memory_legal_holds (tenant, id, subject, memory_id, reason, placed_by_kind, placed_by_id, placed_at, released_at)
            VALUES (@tenant, @id, @subject, @memory_id, 'matter 42', 'user', 'counsel', @placed_at, @released_at)
            """,
            ("tenant", tenant),
            ("id", id),
            ("subject", subject),
            ("memory_id", memoryId),
            ("placed_at", Clock.GetUtcNow()),
            ("released_at", released ? Clock.GetUtcNow() : null));
}
