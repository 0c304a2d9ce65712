using System.Text.Json;
using Microsoft.Data.Sqlite;
using SkMemory.Mem0.Emulator;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Mem0.Tests;

/// <summary>What the Mem0 store does beyond the contract: the metadata round trip, the mirror, outages and reconcile.</summary>
public sealed class Mem0StoreTests(Mem0EmulatorFixture fixture) : IClassFixture<Mem0EmulatorFixture>, IDisposable
{
    private static readonly MemoryActor Ana = MemoryActor.User("ana");
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-mem0-store-").FullName;
    private readonly List<IDisposable> _stores = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Mem0Emulator Emulator => fixture.Emulator;

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
    public async Task Write_TypedRecordTravelsInMetadata_AndComesBackIntact()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var written = (await store.WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = tenant,
                Type = MemoryTypes.Preference,
                Scope = new MemoryScope { Kind = MemoryScopeKind.Personal, Agent = "travel-bot", Session = "s-42" },
                Subject = "ana",
                Actor = Ana,
                Value = new MemoryValue("Ana prefers aisle seats", JsonDocument.Parse("""{"seat":"aisle","strength":0.9}""").RootElement),
                Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m-1", "m-2"], QuotedSpans = ["I always take the aisle"] },
                Confidence = 0.8,
                Salience = 0.7,
                Ttl = TimeSpan.FromDays(30),
                Metadata = new Dictionary<string, string> { ["channel"] = "chat" },
            },
            Ct)).Record;

        var link = await LinkAsync(store, written);
        Assert.Equal(written.Version, link.SyncedVersion);
        var copy = Assert.IsType<Mem0Memory>(await store.Client.GetAsync(link.ExternalId!, Ct));
        Assert.Equal("Ana prefers aisle seats", copy.Memory);
        Assert.Equal(new Mem0Entities("ana", "travel-bot", tenant, "s-42"), copy.Entities);
        Assert.Equal(DateOnly.FromDateTime(written.ExpiresAt!.Value.UtcDateTime).AddDays(1), copy.ExpirationDate);
        Assert.Equal(written, Mem0RecordCodec.Decode(copy));
        Assert.Equal(written, await store.GetAsync(tenant, written.Id, Ct));
    }

    [Fact]
    public async Task Search_Hybrid_RanksMem0CandidatesThroughTheCanonicalFilterAndScoring()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var green = await WriteAsync(store, tenant, "Ana drinks green tea every morning");
        var herbal = await WriteAsync(store, tenant, "Ana likes herbal tea at night");
        var gone = await WriteAsync(store, tenant, "Ana used to drink black tea");
        await WriteAsync(store, tenant, "Bob drinks tea with milk", subject: "bob");
        await WriteAsync(store, NewTenant(), "Ana drinks tea in another tenant");
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = gone.Id, Reason = "no longer true", Actor = Ana }, Ct);
        var before = Emulator.Requests.Count;

        var results = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Subject = "ana", Text = "tea" }, Ct);

        Assert.Equal(new[] { green.Id, herbal.Id }.Order(), results.Select(r => r.Record.Id).Order());
        Assert.All(results, r =>
        {
            Assert.Equal(Mem0MemoryStore.SystemName, r.Breakdown.EmbeddingModel);
            Assert.InRange(r.Breakdown.Semantic!.Value, 0.1, 1);
            Assert.Equal(r.Score, r.Breakdown.Final);
        });
        Assert.True(results[0].Score >= results[1].Score);
        Assert.Contains(Emulator.Requests.Skip(before), r => r.Method == "POST" && r.PathAndQuery.StartsWith("/v3/memories/search/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Write_WhenMem0IsDown_KeepsTheCanonicalRecord_AndReconcilePushesIt()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var count = Emulator.MemoryCount;
        Emulator.InjectFault(new Mem0EmulatorFault(503, """{"detail":"maintenance"}""") { PathPrefix = "/v3/memories/add/" }, times: 3);

        var error = await Assert.ThrowsAsync<Mem0SyncException>(() => store.WriteAsync(Note(tenant, "Ana's flight is on Friday") with { IdempotencyKey = "k-1" }, Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, error.Code);
        Assert.Contains("maintenance", error.Message, StringComparison.Ordinal);
        Assert.Contains("skmem reconcile", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Record, await store.GetAsync(tenant, error.Record.Id, Ct));
        Assert.Equal(count, Emulator.MemoryCount);
        var failed = await LinkAsync(store, error.Record);
        Assert.Null(failed.ExternalId);
        Assert.Contains("maintenance", failed.LastError, StringComparison.Ordinal);

        var result = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);

        Assert.Equal(1, result.Pushed);
        Assert.True(result.InSync);
        Assert.Equal(count + 1, Emulator.MemoryCount);
        Assert.Null((await LinkAsync(store, error.Record)).LastError);
        Assert.Equal(error.Record.Id, Assert.Single(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "flight Friday" }, Ct)).Record.Id);

        // A retry of the same write is a replay: nothing new, nothing pushed twice.
        var replay = await store.WriteAsync(Note(tenant, "Ana's flight is on Friday") with { IdempotencyKey = "k-1" }, Ct);
        Assert.Equal(MemoryWriteOutcome.IdempotentReplay, replay.Outcome);
        Assert.Equal(count + 1, Emulator.MemoryCount);
    }

    [Fact]
    public async Task Reconcile_RelinksACopyWhoseLinkWasLost_AndRemovesADuplicateCopy()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var record = await WriteAsync(store, tenant, "Ana's locker is number 12");
        var link = await LinkAsync(store, record);
        var links = Links(store);

        // The process stopped after Mem0 took the add and before the link was written.
        await links.RemoveAsync(Mem0MemoryStore.SystemName, tenant, [record.Id], Ct);
        var relinked = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);
        Assert.Equal((1, 0L, 0L), (relinked.Relinked, relinked.Pushed, relinked.Adopted));
        Assert.Equal(link.ExternalId, (await LinkAsync(store, record)).ExternalId);

        // The add was retried after a lost response: Mem0 holds the memory twice.
        var count = Emulator.MemoryCount;
        var copy = (await store.Client.GetAsync(link.ExternalId!, Ct))!;
        await store.Client.AddAsync(new Mem0AddRequest { Messages = [new Mem0Message("user", copy.Memory)], Entities = copy.Entities, Metadata = copy.Metadata, Infer = false }, Ct);
        Assert.Equal(count + 1, Emulator.MemoryCount);
        var deduplicated = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);
        Assert.Equal(1, deduplicated.RemovedFromMem0);
        Assert.True(deduplicated.InSync);
        Assert.Equal(count, Emulator.MemoryCount);
        Assert.NotNull(await store.Client.GetAsync(link.ExternalId!, Ct));
    }

    [Fact]
    public async Task Reconcile_AdoptsAMemoryAnotherMem0ClientWrote_AndMakesItSearchable()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var added = await store.Client.AddAsync(
            new Mem0AddRequest
            {
                Messages = [new Mem0Message("user", "Carol is allergic to peanuts")],
                Entities = new Mem0Entities(UserId: "carol", AppId: tenant),
                Metadata = new System.Text.Json.Nodes.JsonObject { ["source"] = "agent-framework" },
                Infer = false,
            },
            Ct);
        var mem0Id = Assert.Single(added).Id;

        var notAdopted = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant, Adopt = false }, Ct);
        Assert.Equal(1, notAdopted.NotAdopted);
        Assert.False(notAdopted.InSync);

        var result = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);

        Assert.Equal(1, result.Adopted);
        Assert.True(result.InSync);
        var adopted = Assert.IsType<MemoryRecord>(await store.GetAsync(tenant, Guid.Parse(mem0Id), Ct));
        Assert.Equal(("Carol is allergic to peanuts", "carol", MemoryTypes.Fact, MemorySourceKind.Import), (adopted.Value.Text, adopted.Subject, adopted.Type, adopted.Provenance.SourceKind));
        Assert.Equal(mem0Id, adopted.Metadata["mem0.id"]);
        Assert.Equal("agent-framework", adopted.Metadata["mem0.source"]);
        Assert.Equal(adopted, Mem0RecordCodec.Decode((await store.Client.GetAsync(mem0Id, Ct))!));
        Assert.Equal(adopted.Id, Assert.Single(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "peanuts allergy" }, Ct)).Record.Id);
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
    }

    [Fact]
    public async Task DeleteAndPurge_RemoveTheMem0Copy_WhileTheTombstoneAndProofStayCanonical()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var deleted = await WriteAsync(store, tenant, "Ana's old address is 1 Elm St");
        var purged = await WriteAsync(store, tenant, "Ana's passport number is on file");
        var deletedCopy = (await LinkAsync(store, deleted)).ExternalId!;
        var purgedCopy = (await LinkAsync(store, purged)).ExternalId!;

        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = deleted.Id, Reason = "moved", Actor = Ana }, Ct);
        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [purged.Id], Reason = "erasure request", Actor = Ana }, Ct);

        Assert.Null(await store.Client.GetAsync(deletedCopy, Ct));
        Assert.Null(await store.Client.GetAsync(purgedCopy, Ct));
        Assert.Equal(MemoryStatus.Deleted, (await store.GetAsync(tenant, deleted.Id, Ct))!.Status);
        Assert.Equal([purged.Id], attestation.MemoryIds);
        Assert.Null(await Links(store).GetAsync(Mem0MemoryStore.SystemName, tenant, purged.Id, Ct));
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
        Assert.True((await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct)).InSync);
    }

    [Fact]
    public async Task Update_WithAStaleVersion_IsRefusedByTheMirror_BeforeMem0SeesAnything()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var record = await WriteAsync(store, tenant, "Ana runs on Tuesdays");
        var updated = await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = Ana, Value = "Ana runs on Thursdays" }, Ct);
        var link = await LinkAsync(store, updated);
        Assert.Equal(2, link.SyncedVersion);
        Assert.Equal("Ana runs on Thursdays", (await store.Client.GetAsync(link.ExternalId!, Ct))!.Memory);
        var before = Emulator.Requests.Count;

        await Assert.ThrowsAsync<MemoryConcurrencyException>(() => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = Ana, Value = "Ana runs on Sundays" }, Ct));

        Assert.Equal(before, Emulator.Requests.Count);
        Assert.Equal("Ana runs on Thursdays", (await store.Client.GetAsync(link.ExternalId!, Ct))!.Memory);
    }

    [Fact]
    public async Task SelfHostedServer_WritesSearchesBySubject_AndSaysWhatItCannotSearch()
    {
        var store = await OpenAsync(fixture.ServerOptions());
        var tenant = NewTenant();
        var record = await WriteAsync(store, tenant, "Ana keeps her bike in the garage");
        var copy = (await store.Client.GetAsync((await LinkAsync(store, record)).ExternalId!, Ct))!;
        Assert.Equal(new Mem0Entities(UserId: "ana"), copy.Entities);

        Assert.Equal(record.Id, Assert.Single(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Subject = "ana", Text = "bike garage" }, Ct)).Record.Id);
        Assert.Empty(await store.SearchAsync(new MemorySearchRequest { Tenant = NewTenant(), Subject = "ana", Text = "bike garage" }, Ct));
        var error = await Assert.ThrowsAsync<MemoryException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "bike" }, Ct));
        Assert.Equal(MemoryErrorCode.NotSupported, error.Code);
        Assert.Contains("subject, agent or session", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesWithWhitespace_TravelPercentEncoded_AndComeBackAsWritten()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var record = (await store.WriteAsync(Note(tenant, "John likes 100% rye bread", subject: "John Smith") with { Scope = new MemoryScope { Kind = MemoryScopeKind.Personal, Agent = "baker bot" } }, Ct)).Record;

        var copy = (await store.Client.GetAsync((await LinkAsync(store, record)).ExternalId!, Ct))!;

        Assert.Equal(new Mem0Entities("John%20Smith", "baker%20bot", tenant), copy.Entities);
        Assert.Equal(record, Mem0RecordCodec.Decode(copy));
        Assert.Equal(record.Id, Assert.Single(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Subject = "John Smith", Text = "rye bread" }, Ct)).Record.Id);
        Assert.Equal("50%25 off", Mem0RecordCodec.EntityId("50% off")!.Replace("%20", " ", StringComparison.Ordinal));
        Assert.Equal("50% off", Mem0RecordCodec.Name(Mem0RecordCodec.EntityId("50% off")));
        Assert.Equal("plain-id", Mem0RecordCodec.EntityId("plain-id"));
    }

    [Fact]
    public async Task Reconcile_AddsBackACopySomeoneDeletedInMem0()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var record = await WriteAsync(store, tenant, "Ana's dentist is Dr. Costa");
        var deletedElsewhere = (await LinkAsync(store, record)).ExternalId!;
        await store.Client.DeleteAsync(deletedElsewhere, Ct);

        var result = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);

        Assert.Equal((1L, 1L), (result.MissingInMem0, result.Pushed));
        Assert.True(result.InSync);
        var restored = (await LinkAsync(store, record)).ExternalId!;
        Assert.NotEqual(deletedElsewhere, restored);
        Assert.Equal(record, Mem0RecordCodec.Decode((await store.Client.GetAsync(restored, Ct))!));
        Assert.Equal(0, (await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct)).Pushed);
    }

    [Fact]
    public async Task Reconcile_AfterAnAdoptionWhoseLinkWasLost_RelinksInsteadOfAdoptingOrPushingAgain()
    {
        var store = await OpenAsync();
        var tenant = NewTenant();
        var mem0Id = Assert.Single(await store.Client.AddAsync(
            new Mem0AddRequest { Messages = [new Mem0Message("user", "Dan collects vinyl records")], Entities = new Mem0Entities(UserId: "dan", AppId: tenant), Infer = false },
            Ct)).Id;
        Assert.Equal(1, (await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct)).Adopted);
        var count = Emulator.MemoryCount;

        // The process stopped after the adoption committed and before its link was written.
        await Links(store).RemoveAsync(Mem0MemoryStore.SystemName, tenant, [Guid.Parse(mem0Id)], Ct);
        var result = await store.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant }, Ct);

        Assert.Equal((0L, 1L, 0L), (result.Adopted, result.Relinked, result.Pushed));
        Assert.True(result.InSync);
        Assert.Equal(count, Emulator.MemoryCount);
        Assert.Equal(mem0Id, (await Links(store).GetAsync(Mem0MemoryStore.SystemName, tenant, Guid.Parse(mem0Id), Ct))!.ExternalId);
    }

    internal static MemoryWriteRequest Note(string tenant, string text, string subject = "ana") => new()
    {
        Tenant = tenant,
        Type = MemoryTypes.Fact,
        Subject = subject,
        Actor = Ana,
        Value = text,
    };

    private static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    private static IMemoryExternalLinks Links(Mem0MemoryStore store) => (IMemoryExternalLinks)store.GetService(typeof(IMemoryExternalLinks))!;

    private static async Task<MemoryExternalLink> LinkAsync(Mem0MemoryStore store, MemoryRecord record) =>
        Assert.IsType<MemoryExternalLink>(await Links(store).GetAsync(Mem0MemoryStore.SystemName, record.Tenant, record.Id, Ct));

    private static async Task<MemoryRecord> WriteAsync(Mem0MemoryStore store, string tenant, string text, string subject = "ana") =>
        (await store.WriteAsync(Note(tenant, text, subject), Ct)).Record;

    private async Task<Mem0MemoryStore> OpenAsync(Mem0ClientOptions? client = null)
    {
        var mirror = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, $"{Guid.NewGuid():N}.db") }, cancellationToken: Ct);
        var store = new Mem0MemoryStore(new Mem0Client(client ?? fixture.PlatformOptions()), mirror);
        _stores.Add(store);
        return store;
    }
}
