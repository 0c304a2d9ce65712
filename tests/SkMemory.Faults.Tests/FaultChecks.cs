namespace SkMemory.Faults.Tests;

/// <summary>What every fault test checks afterwards: the exact memories a tenant holds, and a chain that verifies.</summary>
internal static class FaultChecks
{
    private static readonly MemoryStatus[] AllStatuses = [MemoryStatus.Active, MemoryStatus.Superseded, MemoryStatus.Merged, MemoryStatus.Expired, MemoryStatus.Deleted];

    /// <summary>Reads every memory of a tenant, in any status and whatever its time to live, page by page.</summary>
    public static async Task<List<MemoryRecord>> ReadAllAsync(IMemoryStore store, string tenant, CancellationToken cancellationToken)
    {
        var all = new List<MemoryRecord>();
        string? cursor = null;
        do
        {
            var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant, Statuses = AllStatuses, IncludeExpired = true, PageSize = MemoryQuery.MaxPageSize, Cursor = cursor }, cancellationToken);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>Asserts that the store's hash chains verify, and returns how many events were checked.</summary>
    public static async Task<long> AssertVerifiesAsync(IMemoryStore store, CancellationToken cancellationToken, string? tenant = null)
    {
        var result = await store.VerifyAsync(tenant, cancellationToken);
        Assert.True(result.IsValid, $"the chain does not verify: {result.FirstBrokenLink}");
        return result.EventCount;
    }

    /// <summary>A plain fact about one subject, the write every fault test repeats.</summary>
    public static MemoryWriteRequest Fact(string tenant, string text, string? idempotencyKey = null) => new()
    {
        Tenant = tenant,
        Type = MemoryTypes.Fact,
        Subject = "ana",
        Actor = MemoryActor.User("ana"),
        Value = text,
        IdempotencyKey = idempotencyKey,
    };
}
