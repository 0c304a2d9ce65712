using Microsoft.Data.Sqlite;
using SkMemory.Mem0;
using SkMemory.Mem0.Emulator;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Faults.Tests;

/// <summary>
/// Mem0 answering 429, 500 and not at all, end to end through the Mem0 store and its canonical SQLite mirror: transient
/// faults are retried away; faults that outlast the retry budget give a clear error while the mirror keeps the write, and
/// reconcile pushes it once Mem0 is back. Each test counts the memories in the mirror and in Mem0 before and after.
/// </summary>
public sealed class Mem0FaultTests : IAsyncLifetime
{
    private const string AddPath = "/v3/memories/add/";
    private const int MaxRetries = 2;
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-faults-mem0-").FullName;
    private Mem0Emulator _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
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

    [Fact]
    public async Task Transient429And500AndATimeout_AreRetried_AndEveryWriteLandsOnceInMem0AndTheMirror()
    {
        using var store = await OpenAsync();
        const string tenant = "mem0-transient";
        await store.WriteAsync(FaultChecks.Fact(tenant, "Ana's passport expires in May"), Ct);
        Assert.Equal((1, 1), (await MirrorCountAsync(store, tenant), _emulator.MemoryCount));

        // One write meets a 429 (with a Retry-After the client caps) then a 500: the third attempt goes through.
        _emulator.InjectFault(new Mem0EmulatorFault(429, """{"detail":"rate limited"}""") { PathPrefix = AddPath, RetryAfter = TimeSpan.FromSeconds(1) });
        _emulator.InjectFault(new Mem0EmulatorFault(500, """{"detail":"internal error"}""") { PathPrefix = AddPath });
        var adds = AddRequests();
        var retried = await store.WriteAsync(FaultChecks.Fact(tenant, "Ana flies to Lisbon on Friday"), Ct);
        Assert.Equal(MemoryWriteOutcome.Created, retried.Outcome);
        Assert.Equal(3, AddRequests() - adds);

        // Another write's first attempt gets no answer within the attempt timeout; the retry goes through.
        _emulator.InjectFault(new Mem0EmulatorFault(200) { PathPrefix = AddPath, Delay = TimeSpan.FromSeconds(5) });
        adds = AddRequests();
        var afterTimeout = await store.WriteAsync(FaultChecks.Fact(tenant, "Ana's hotel is near the river"), Ct);
        Assert.Equal(MemoryWriteOutcome.Created, afterTimeout.Outcome);
        Assert.Equal(2, AddRequests() - adds);

        Assert.Equal((3, 3), (await MirrorCountAsync(store, tenant), _emulator.MemoryCount));
        foreach (var record in new[] { retried.Record, afterTimeout.Record })
        {
            var link = await LinkAsync(store, record);
            Assert.NotNull(link.ExternalId);
            Assert.Null(link.LastError);
        }

        Assert.True((await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct)).InSync);
        Assert.Equal(3, _emulator.MemoryCount);
        Assert.Equal(3, await FaultChecks.AssertVerifiesAsync(store, Ct, tenant));
    }

    [Fact]
    public async Task PersistentErrorsAndTimeouts_GiveAClearErrorAfterTheRetryBudget_TheMirrorKeepsTheWrites_AndReconcilePushesThem()
    {
        using var store = await OpenAsync();
        const string tenant = "mem0-outage";
        await store.WriteAsync(FaultChecks.Fact(tenant, "Ana's passport expires in May"), Ct);

        // Every attempt of the budget (1 + MaxRetries) answers 500.
        _emulator.InjectFault(new Mem0EmulatorFault(500, """{"detail":"database is down"}""") { PathPrefix = AddPath }, times: MaxRetries + 1);
        var adds = AddRequests();
        var failed = await Assert.ThrowsAsync<Mem0SyncException>(() => store.WriteAsync(FaultChecks.Fact(tenant, "Ana flies to Lisbon on Friday", "lisbon"), Ct));
        Assert.Equal(MaxRetries + 1, AddRequests() - adds);
        Assert.Equal(MemoryErrorCode.Unavailable, failed.Code);
        Assert.Contains("database is down", failed.Message, StringComparison.Ordinal);
        Assert.Contains($"{MaxRetries + 1} attempts", failed.Message, StringComparison.Ordinal);
        Assert.Contains("skmem reconcile", failed.Message, StringComparison.Ordinal);

        // Every attempt of the budget gets no answer in time.
        _emulator.InjectFault(new Mem0EmulatorFault(200) { PathPrefix = AddPath, Delay = TimeSpan.FromSeconds(5) }, times: MaxRetries + 1);
        adds = AddRequests();
        var timedOut = await Assert.ThrowsAsync<Mem0SyncException>(() => store.WriteAsync(FaultChecks.Fact(tenant, "Ana's hotel is near the river", "hotel"), Ct));
        Assert.Equal(MaxRetries + 1, AddRequests() - adds);
        Assert.Equal(MemoryErrorCode.Unavailable, timedOut.Code);
        Assert.Contains("did not answer within the attempt timeout", timedOut.Message, StringComparison.Ordinal);
        Assert.Contains("skmem reconcile", timedOut.Message, StringComparison.Ordinal);

        // The mirror holds all three (durable in the log, chain intact); Mem0 holds only the first; the two carry the error.
        Assert.Equal((3, 1), (await MirrorCountAsync(store, tenant), _emulator.MemoryCount));
        Assert.Equal(3, await FaultChecks.AssertVerifiesAsync(store, Ct, tenant));
        Assert.Equal(failed.Record, await store.GetAsync(tenant, failed.Record.Id, Ct));
        Assert.Equal(timedOut.Record, await store.GetAsync(tenant, timedOut.Record.Id, Ct));
        Assert.Contains("database is down", (await LinkAsync(store, failed.Record)).LastError, StringComparison.Ordinal);
        Assert.Contains("attempt timeout", (await LinkAsync(store, timedOut.Record)).LastError, StringComparison.Ordinal);

        // Mem0 is back: reconcile pushes exactly the two, and a retried write is a replay, not a third copy.
        var result = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);
        Assert.Equal(2, result.Pushed);
        Assert.True(result.InSync);
        Assert.Equal((3, 3), (await MirrorCountAsync(store, tenant), _emulator.MemoryCount));
        Assert.Equal(MemoryWriteOutcome.IdempotentReplay, (await store.WriteAsync(FaultChecks.Fact(tenant, "Ana flies to Lisbon on Friday", "lisbon"), Ct)).Outcome);
        Assert.Equal((3, 3), (await MirrorCountAsync(store, tenant), _emulator.MemoryCount));
        foreach (var record in new[] { failed.Record, timedOut.Record })
        {
            Assert.Null((await LinkAsync(store, record)).LastError);
        }

        Assert.Equal(3, await FaultChecks.AssertVerifiesAsync(store, Ct, tenant));
    }

    private static async Task<int> MirrorCountAsync(Mem0MemoryStore store, string tenant) => (await FaultChecks.ReadAllAsync(store.Mirror, tenant, Ct)).Count;

    private static async Task<MemoryExternalLink> LinkAsync(Mem0MemoryStore store, MemoryRecord record) =>
        Assert.IsType<MemoryExternalLink>(await ((IMemoryExternalLinks)store.GetService(typeof(IMemoryExternalLinks))!).GetAsync(Mem0MemoryStore.SystemName, record.Tenant, record.Id, Ct));

    private int AddRequests() => _emulator.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.StartsWith(AddPath, StringComparison.Ordinal));

    private async Task<Mem0MemoryStore> OpenAsync()
    {
        var mirror = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, $"{Guid.NewGuid():N}.db") }, cancellationToken: Ct);
        var client = new Mem0Client(new Mem0ClientOptions
        {
            BaseAddress = _emulator.BaseAddress,
            ApiKey = _emulator.Options.PlatformApiKey,
            Flavor = Mem0ApiFlavor.Platform,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetries = MaxRetries,
            AttemptTimeout = TimeSpan.FromMilliseconds(500),
            TotalTimeout = TimeSpan.FromSeconds(20),
        });
        return new Mem0MemoryStore(client, mirror);
    }
}
