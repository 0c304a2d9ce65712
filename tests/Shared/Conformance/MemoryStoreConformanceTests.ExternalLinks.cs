namespace SkMemory.Tests.Conformance;

/// <summary>External links: the side table replicas (Mem0) use to know what they hold of each memory.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task ExternalLinks_RecordSyncFailureFindAndRemove()
    {
        var store = await NewStoreAsync();
        var links = Assert.IsAssignableFrom<IMemoryExternalLinks>(store.GetService(typeof(IMemoryExternalLinks)));
        var tenant = NewTenant();
        var a = Guid.CreateVersion7();
        var b = Guid.CreateVersion7();
        var at = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        var system = "test-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Null(await links.GetAsync(system, tenant, a, Ct));
        await links.SetFailedAsync(system, tenant, a, "503: unavailable", at, Ct);
        Assert.Equal(new MemoryExternalLink(system, tenant, a, null, 0, "503: unavailable", at), await links.GetAsync(system, tenant, a, Ct));

        await links.SetSyncedAsync(system, tenant, a, "ext-a", 2, at.AddMinutes(1), Ct);
        await links.SetSyncedAsync(system, tenant, b, "ext-b", 1, at.AddMinutes(1), Ct);
        await links.SetFailedAsync(system, tenant, b, "timeout", at.AddMinutes(2), Ct);
        Assert.Equal(new MemoryExternalLink(system, tenant, a, "ext-a", 2, null, at.AddMinutes(1)), await links.GetAsync(system, tenant, a, Ct));
        Assert.Equal(new MemoryExternalLink(system, tenant, b, "ext-b", 1, "timeout", at.AddMinutes(2)), await links.GetAsync(system, tenant, b, Ct));
        Assert.Null(await links.GetAsync("other", tenant, a, Ct));

        Assert.Equal([a], (await links.FindAsync(system, ["ext-a", "unknown"], Ct)).Select(l => l.MemoryId));
        Assert.Empty(await links.FindAsync(system, [], Ct));
        Assert.Equal(new[] { a, b }.Order(), (await links.ListAsync(system, tenant, Ct)).Select(l => l.MemoryId).Order());
        Assert.Empty(await links.ListAsync(system, NewTenant(), Ct));

        Assert.Equal(1, await links.RemoveAsync(system, tenant, [a, Guid.CreateVersion7()], Ct));
        Assert.Equal([b], (await links.ListAsync(system, tenant, Ct)).Select(l => l.MemoryId));
    }
}
