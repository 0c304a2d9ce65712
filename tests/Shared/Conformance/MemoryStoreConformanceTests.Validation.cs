using System.Text.Json;

namespace SkMemory.Tests.Conformance;

/// <summary>Validation: each invalid field is named exactly, and a rejected call writes nothing.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task WriteAsync_BlankTenant_ThrowsTenant()
    {
        var (store, _) = await SeededStoreAsync();

        foreach (var tenant in new[] { string.Empty, "  " })
        {
            await AssertRejectedAsync(store, "tenant", () => store.WriteAsync(Note(tenant, "no tenant"), Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_BlankSubject_ThrowsSubject()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var subject in new[] { string.Empty, " \t" })
        {
            await AssertRejectedAsync(store, "subject", () => store.WriteAsync(Note(tenant, "no subject", subject: subject), Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_UnknownType_ThrowsType()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var type in new[] { "opinion", "Fact", string.Empty })
        {
            await AssertRejectedAsync(store, "type", () => store.WriteAsync(Note(tenant, "an opinion", type: type), Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_ConfidenceOutsideZeroToOne_ThrowsConfidence()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var confidence in new[] { -0.01, 1.01, double.NaN, double.PositiveInfinity })
        {
            await AssertRejectedAsync(store, "confidence", () => store.WriteAsync(Note(tenant, "unsure") with { Confidence = confidence }, Ct));
        }

        Assert.Equal(0, (await store.WriteAsync(Note(tenant, "zero confidence") with { Confidence = 0 }, Ct)).Record.Confidence);
    }

    [Fact]
    public virtual async Task WriteAsync_SalienceOutsideZeroToOne_ThrowsSalience()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var salience in new[] { -1, 1.5, double.NaN })
        {
            await AssertRejectedAsync(store, "salience", () => store.WriteAsync(Note(tenant, "unimportant") with { Salience = salience }, Ct));
        }

        Assert.Equal(1, (await store.WriteAsync(Note(tenant, "very important") with { Salience = 1 }, Ct)).Record.Salience);
    }

    [Fact]
    public virtual async Task WriteAsync_BlankText_ThrowsValueText()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var text in new[] { string.Empty, "   ", "\n\t" })
        {
            await AssertRejectedAsync(store, "value.text", () => store.WriteAsync(Note(tenant, text), Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_ValueOverMaxValueBytes_ThrowsValue()
    {
        const int Limit = 1024;
        var (store, tenant) = await SeededStoreAsync(o => o.MaxValueBytes = Limit);

        await AssertRejectedAsync(store, "value", () => store.WriteAsync(Note(tenant, new string('a', Limit + 1)), Ct));

        // The limit counts UTF-8 bytes, not characters: 513 two-byte characters are 1026 bytes.
        await AssertRejectedAsync(store, "value", () => store.WriteAsync(Note(tenant, new string('é', (Limit / 2) + 1)), Ct));
        Assert.Equal(MemoryWriteOutcome.Created, (await store.WriteAsync(Note(tenant, new string('b', Limit)), Ct)).Outcome);
    }

    [Fact]
    public virtual async Task WriteAsync_StructuredValueFailingTheTypesSchema_ThrowsValueStructured()
    {
        var (store, tenant) = await SeededStoreAsync(RegisterAddressType);

        foreach (var json in new[] { """{"street":"Rua Augusta 1"}""", """{"street":"Rua Augusta 1","city":5}""", """{"street":"x","city":"y","zip":"1100"}""", "[1,2]" })
        {
            await AssertRejectedAsync(store, "value.structured", () => store.WriteAsync(Address(tenant, json), Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_CustomTypeWithValidStructuredValue_IsAcceptedWithItsSchemaVersion()
    {
        var (store, tenant) = await SeededStoreAsync(RegisterAddressType);
        const string Json = """{"street":"Rua Augusta 1","city":"Lisbon"}""";

        var record = await CreateAsync(store, Address(tenant, Json));

        Assert.Equal("address", record.Type);
        Assert.Equal(2, record.ValueSchemaVersion);
        Assert.Equal(Json, record.Value.Structured?.GetRawText());
        var stored = await store.GetAsync(tenant, record.Id, Ct);
        Assert.Equal(record, stored);
        Assert.Equal(2, stored!.ValueSchemaVersion);
        Assert.Equal("Lisbon", stored.Value.Structured!.Value.GetProperty("city").GetString());
        Assert.Equal(Json, (await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, Types = ["address"] })).Single().Value.Structured?.GetRawText());

        // Built-in types have no schema: any structured value is kept as is.
        using var anything = JsonDocument.Parse("""{"any":["shape",1,true,null]}""");
        var free = await CreateAsync(store, Note(tenant, "free-form") with { Value = new MemoryValue("free-form", anything.RootElement.Clone()) });
        Assert.Equal("""{"any":["shape",1,true,null]}""", (await store.GetAsync(tenant, free.Id, Ct))!.Value.Structured?.GetRawText());
        Assert.Equal(1, free.ValueSchemaVersion);
    }

    [Fact]
    public virtual async Task WriteAsync_TeamScopeWithoutTeam_ThrowsScopeTeam()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var team in new[] { null, string.Empty, " " })
        {
            await AssertRejectedAsync(store, "scope.team", () => store.WriteAsync(Note(tenant, "team note") with { Scope = new MemoryScope { Kind = MemoryScopeKind.Team, Team = team } }, Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_BlankActorId_ThrowsActorId()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var id in new[] { string.Empty, "  " })
        {
            await AssertRejectedAsync(store, "actor.id", () => store.WriteAsync(Note(tenant, "who wrote this?") with { Actor = new MemoryActor(MemoryActorKind.Agent, id) }, Ct));
        }
    }

    [Fact]
    public virtual async Task WriteAsync_NonPositiveTtl_ThrowsTtl()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var ttl in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1) })
        {
            await AssertRejectedAsync(store, "ttl", () => store.WriteAsync(Note(tenant, "short-lived") with { Ttl = ttl }, Ct));
        }

        await AssertRejectedAsync(store, "ttl", () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = Guid.CreateVersion7(), ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Ttl = TimeSpan.Zero }, Ct));
    }

    [Fact]
    public virtual async Task WriteAsync_BlankMetadataKey_ThrowsMetadata()
    {
        var (store, tenant) = await SeededStoreAsync();

        foreach (var key in new[] { string.Empty, " " })
        {
            await AssertRejectedAsync(store, "metadata", () => store.WriteAsync(Note(tenant, "tagged") with { Metadata = new Dictionary<string, string> { [key] = "x" } }, Ct));
        }
    }

    [Fact]
    public virtual async Task UpdateAsync_ExpectedVersionBelowOne_ThrowsExpectedVersion()
    {
        var (store, tenant) = await SeededStoreAsync();
        var record = (await ReadAllAsync(store, new MemoryQuery { Tenant = tenant })).Single();

        foreach (var version in new[] { 0L, -1L })
        {
            await AssertRejectedAsync(store, "expected_version", () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = version, Actor = MemoryActor.User("ana"), Value = "changed" }, Ct));
        }

        Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
    }

    [Fact]
    public virtual async Task ChangeRequests_InvalidFields_AreRejectedBeforeAnythingIsWritten()
    {
        var (store, tenant) = await SeededStoreAsync();
        var record = (await ReadAllAsync(store, new MemoryQuery { Tenant = tenant })).Single();
        var ana = MemoryActor.User("ana");

        await AssertRejectedAsync(store, "confidence", () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = ana, Confidence = 2 }, Ct));
        await AssertRejectedAsync(store, "value.text", () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = ana, Value = " " }, Ct));
        await AssertRejectedAsync(store, "actor.id", () => store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = new MemoryActor(MemoryActorKind.User, string.Empty), Salience = 0.1 }, Ct));
        await AssertRejectedAsync(store, "value.text", () => store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = record.Id, Actor = ana, Value = string.Empty }, Ct));
        await AssertRejectedAsync(store, "salience", () => store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = record.Id, Actor = ana, Value = "replacement", Salience = -0.5 }, Ct));
        await AssertRejectedAsync(store, "expected_version", () => store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = record.Id, Reason = "bad version", Actor = ana, ExpectedVersion = 0 }, Ct));
        await AssertRejectedAsync(store, "tenant", () => store.ReadAsync(new MemoryQuery { Tenant = " " }, Ct));
        await AssertRejectedAsync(store, "tenant", () => store.SearchAsync(new MemorySearchRequest { Tenant = string.Empty, Text = "anything" }, Ct));
        Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
    }

    /// <summary>A new store holding one memory in a new tenant, so "nothing written" is checked against a non-empty chain.</summary>
    private async Task<(IMemoryStore Store, string Tenant)> SeededStoreAsync(Action<MemoryStoreOptions>? configure = null)
    {
        var store = await NewStoreAsync(configure);
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana's employee number is 4711");
        return (store, tenant);
    }

    [Fact]
    public virtual async Task WriteAsync_NulOrUnpairedSurrogate_ThrowsNamedFieldOnEveryStore()
    {
        var (store, tenant) = await SeededStoreAsync();

        await AssertRejectedAsync(store, "value.text", () => store.WriteAsync(Note(tenant, "tea\0time"), Ct));
        await AssertRejectedAsync(store, "value.text", () => store.WriteAsync(Note(tenant, "broken \ud800 pair"), Ct));
        await AssertRejectedAsync(store, "reason", () => store.WriteAsync(Note(tenant, "fine") with { Reason = "because\0" }, Ct));
        await AssertRejectedAsync(store, "idempotency_key", () => store.WriteAsync(Note(tenant, "fine") with { IdempotencyKey = "key\0" }, Ct));
        await AssertRejectedAsync(store, "metadata", () => store.WriteAsync(Note(tenant, "fine") with { Metadata = new Dictionary<string, string> { ["k\u0001"] = "v" } }, Ct));
        await AssertRejectedAsync(store, "metadata.k", () => store.WriteAsync(Note(tenant, "fine") with { Metadata = new Dictionary<string, string> { ["k"] = "v\udc00" } }, Ct));

        var emoji = await store.WriteAsync(Note(tenant, "likes \ud83c\udf75 tea"), Ct);
        Assert.Equal("likes \ud83c\udf75 tea", (await store.GetAsync(tenant, emoji.Record.Id, Ct))!.Value.Text);
    }
}
