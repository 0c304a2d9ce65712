using Microsoft.Data.Sqlite;
using SkMemory.Mem0.Emulator;
using SkMemory.Postgres.Tests;
using SkMemory.Storage.Postgres;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Mem0.Tests;

/// <summary>Migration both ways between a real Postgres and Mem0 (the emulator), resumable, losing nothing.</summary>
public sealed class Mem0MigrationTests(Mem0EmulatorFixture fixture, PostgresFixture postgres) : IClassFixture<Mem0EmulatorFixture>, IDisposable
{
    private static readonly MemoryActor Ana = MemoryActor.User("ana");
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-mem0-migrate-").FullName;
    private readonly List<IDisposable> _stores = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
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
    public async Task RoundTrip_PostgresToMem0ToPostgres_LosesNothingInValueScopeOrEvidence()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var source = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await SeedAsync(source, tenant);
        var original = await AllAsync(source, tenant);
        var progress = new List<MemoryMigrationProgress>();

        // Leg 1: Postgres → Mem0 (with its canonical mirror).
        var mem0 = await Mem0StoreAsync();
        var toMem0 = await new MemoryMigrator().MigrateAsync(source, mem0, new MemoryMigrationOptions { Tenant = tenant, Progress = new SyncProgress<MemoryMigrationProgress>(progress.Add) }, Ct);
        Assert.Equal([tenant], toMem0.Tenants);
        var live = original.Where(r => r.Status is not (MemoryStatus.Deleted or MemoryStatus.Expired)).ToList();
        Assert.Equal(live.Count, toMem0.PushedToMem0);
        Assert.Equal(original.Count, toMem0.Memories);
        Assert.Contains(progress, p => p.Stage == "push");
        Assert.Equal(original, await AllAsync(mem0, tenant));

        // Leg 2: Mem0 → Postgres through a NEW, empty mirror, so every memory must come from what Mem0 holds.
        var fromVendor = await Mem0StoreAsync();
        var back = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        var toPostgres = await new MemoryMigrator().MigrateAsync(fromVendor, back, new MemoryMigrationOptions { Tenant = tenant }, Ct);
        Assert.Equal(live.Count, toPostgres.AdoptedFromMem0);

        var returned = (await AllAsync(back, tenant)).ToDictionary(r => r.Id);
        Assert.Equal(live.Count, returned.Count);
        foreach (var record in live)
        {
            // Mem0 holds each memory's latest state, not its event stream: the history restarts at version 1.
            Assert.Equal(record with { Version = 1 }, returned[record.Id]);
        }

        Assert.True((await back.VerifyAsync(tenant, Ct)).IsValid);

        // Through the first Mem0 store's canonical mirror, the history itself comes back, event for event.
        var mirrored = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await new MemoryMigrator().MigrateAsync(mem0, mirrored, new MemoryMigrationOptions { Tenant = tenant }, Ct);
        Assert.Equal(original, await AllAsync(mirrored, tenant));
        Assert.Equal(await ExportAsync(source, tenant), await ExportAsync(mirrored, tenant));
    }

    [Fact]
    public async Task Migration_StoppedDuringThePushToMem0_FinishesWhenRunAgain()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var source = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await SeedAsync(source, tenant);
        var live = (await AllAsync(source, tenant)).Count(r => r.Status is not (MemoryStatus.Deleted or MemoryStatus.Expired));
        var target = await Mem0StoreAsync();
        var before = fixture.Emulator.MemoryCount;

        // Mem0 fails every add after the first two: the import commits canonically, the push stops part-way.
        fixture.Emulator.InjectFault(new Mem0EmulatorFault(500, """{"detail":"overloaded"}""") { PathPrefix = "/v3/memories/add/" }, times: 1000);
        var stopped = await Assert.ThrowsAsync<MemoryException>(() => new MemoryMigrator().MigrateAsync(source, target, new MemoryMigrationOptions { Tenant = tenant }, Ct));
        Assert.Contains("Run the same migration again", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Emulator.MemoryCount);

        fixture.Emulator.Reset();
        var resumed = await new MemoryMigrator().MigrateAsync(source, target, new MemoryMigrationOptions { Tenant = tenant }, Ct);

        Assert.Equal([tenant], resumed.Resumed);
        Assert.Equal(0, resumed.Events);
        Assert.Equal(live, resumed.PushedToMem0);
        Assert.Equal(live, fixture.Emulator.MemoryCount);
        Assert.True((await target.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct)).InSync);

        // A third run finds nothing to do.
        var again = await new MemoryMigrator().MigrateAsync(source, target, new MemoryMigrationOptions { Tenant = tenant }, Ct);
        Assert.Equal((0L, 0L), (again.Events, again.PushedToMem0));
    }

    [Fact]
    public async Task Migration_IntoAStoreWithAnotherHistory_IsRefusedWithoutChangingIt()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var source = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await SeedAsync(source, tenant);
        var target = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await target.WriteAsync(Mem0StoreTests.Note(tenant, "Ana has another history here"), Ct);

        var error = await Assert.ThrowsAsync<MemoryException>(() => new MemoryMigrator().MigrateAsync(source, target, new MemoryMigrationOptions { Tenant = tenant }, Ct));

        Assert.Equal(MemoryErrorCode.ImportConflict, error.Code);
        Assert.Contains("history of its own", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await target.VerifyAsync(tenant, Ct)).EventCount);
    }

    [Fact]
    public async Task Migration_IntoAStoreWithAnotherHistoryOfTheSameLength_IsRefusedNotTakenAsResumed()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var source = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await source.WriteAsync(Mem0StoreTests.Note(tenant, "Ana has one history"), Ct);
        var target = Track(await postgres.OpenStoreAsync(cancellationToken: Ct));
        await target.WriteAsync(Mem0StoreTests.Note(tenant, "Ana has another history"), Ct);

        var error = await Assert.ThrowsAsync<MemoryException>(() => new MemoryMigrator().MigrateAsync(source, target, new MemoryMigrationOptions { Tenant = tenant }, Ct));

        Assert.Equal(MemoryErrorCode.ImportConflict, error.Code);
        Assert.Equal("Ana has another history", Assert.Single((await target.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct)).Items).Value.Text);
    }

    private static async Task SeedAsync(PostgresMemoryStore store, string tenant)
    {
        var typed = (await store.WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = tenant,
                Type = MemoryTypes.Preference,
                Scope = new MemoryScope { Kind = MemoryScopeKind.Personal, Agent = "concierge", Session = "s-1" },
                Subject = "ana",
                Actor = Ana,
                Value = new MemoryValue("Ana prefers window seats", System.Text.Json.JsonDocument.Parse("""{"seat":"window"}""").RootElement),
                Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m-7"], QuotedSpans = ["window please"], ObservedAt = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero) },
                Confidence = 0.9,
                Salience = 0.8,
                Metadata = new Dictionary<string, string> { ["channel"] = "voice" },
            },
            Ct)).Record;
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = typed.Id, ExpectedVersion = 1, Actor = Ana, Salience = 0.95, Reason = "confirmed twice" }, Ct);
        var city = (await store.WriteAsync(Mem0StoreTests.Note(tenant, "Ana lives in Porto"), Ct)).Record;
        await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = city.Id, Actor = Ana, Value = "Ana lives in Lisbon", Reason = "moved" }, Ct);
        await store.WriteAsync(Mem0StoreTests.Note(tenant, "The team standup is at 9:30") with { Scope = MemoryScope.ForTeam("platform"), Subject = "team:platform" }, Ct);
        await store.WriteAsync(Mem0StoreTests.Note(tenant, "Bob takes the night train", subject: "bob") with { Ttl = TimeSpan.FromDays(400) }, Ct);
        var old = (await store.WriteAsync(Mem0StoreTests.Note(tenant, "Ana's old gym card is 4411"), Ct)).Record;
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = old.Id, Reason = "card cancelled", Actor = Ana }, Ct);
    }

    private static async Task<List<MemoryRecord>> AllAsync(IMemoryStore store, string tenant) =>
        [.. (await store.ReadAsync(new MemoryQuery { Tenant = tenant, Statuses = Enum.GetValues<MemoryStatus>(), IncludeExpired = true, PageSize = 1000 }, Ct)).Items];

    private static async Task<string> ExportAsync(PostgresMemoryStore store, string tenant)
    {
        using var buffer = new MemoryStream();
        await store.ExportAsync(buffer, new MemoryExportOptions { Tenant = tenant }, Ct);
        var lines = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n');

        // The header names the exporting store and when; everything after it is the tenant's log and state.
        return string.Join('\n', lines.Skip(1));
    }

    private T Track<T>(T store)
        where T : IDisposable
    {
        _stores.Add(store);
        return store;
    }

    private async Task<Mem0MemoryStore> Mem0StoreAsync()
    {
        var mirror = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, $"{Guid.NewGuid():N}.db") }, cancellationToken: Ct);
        return Track(new Mem0MemoryStore(new Mem0Client(fixture.PlatformOptions()), mirror));
    }

    /// <summary>Reports on the caller's thread, so a test sees every report before the call returns.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
