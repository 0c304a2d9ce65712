using System.Text.Json;

namespace SkMemory.Tests.Conformance;

/// <summary>Writes: the created record, idempotency keys and duplicate content.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task WriteAsync_NewMemory_ReturnsCreatedRecordWithContractDefaults()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();

        // A clock reading with sub-microsecond ticks, so truncation is observable.
        var now = Clock.Advance(TimeSpan.FromTicks(1_234_567));
        var result = await store.WriteAsync(
            Note(tenant, "Ana prefers oat milk", type: MemoryTypes.Preference) with
            {
                Metadata = new Dictionary<string, string> { ["source"] = "chat" },
                Confidence = 0.8,
                Salience = 0.3,
            },
            Ct);

        Assert.Equal(MemoryWriteOutcome.Created, result.Outcome);
        var record = result.Record;
        Assert.Equal(7, record.Id.Version);
        Assert.Equal(1, record.Version);
        Assert.Equal(MemoryStatus.Active, record.Status);
        var expectedNow = MemoryEventChain.TruncateToMicroseconds(now);
        Assert.NotEqual(now, expectedNow);
        Assert.Equal(expectedNow, record.CreatedAt);
        Assert.Equal(record.CreatedAt, record.UpdatedAt);
        Assert.Equal(record.CreatedAt, record.ValidFrom);
        Assert.Equal(0, record.CreatedAt.UtcTicks % TimeSpan.TicksPerMicrosecond);
        Assert.Null(record.ValidTo);
        Assert.Null(record.Supersedes);
        Assert.Null(record.SupersededBy);
        Assert.Null(record.DeletionReason);
        Assert.False(string.IsNullOrWhiteSpace(record.ContentHash));
        Assert.True(new MemoryTypeRegistry().TryGet(MemoryTypes.Preference, out var definition));
        Assert.Equal(definition.SchemaVersion, record.ValueSchemaVersion);
        Assert.Equal(tenant, record.Tenant);
        Assert.Equal(MemoryTypes.Preference, record.Type);
        Assert.Equal(MemoryScope.Personal, record.Scope);
        Assert.Equal("ana", record.Subject);
        Assert.Equal(MemoryActor.User("ana"), record.Actor);
        Assert.Equal("Ana prefers oat milk", record.Value.Text);
        Assert.Equal(0.8, record.Confidence);
        Assert.Equal(0.3, record.Salience);
        Assert.Equal("chat", Assert.Single(record.Metadata).Value);

        Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
        var history = await store.GetHistoryAsync(tenant, record.Id, Ct);
        var created = Assert.Single(history);
        Assert.Equal(MemoryEventType.Created, created.EventType);
        Assert.Equal(1, created.Sequence);
        Assert.Equal(1, created.StreamVersion);
        Assert.Equal(record.Id, created.MemoryId);
        Assert.Equal(expectedNow, created.OccurredAt);
        Assert.Equal(MemoryEventChain.GenesisHash, created.PreviousHash);
        Assert.Equal(MemoryEventChain.ComputeHash(created), created.Hash);
        Assert.Equal(record, created.ReadRecord());
    }

    [Fact]
    public virtual async Task WriteAsync_ExplicitValidFromAndEvidence_AreKeptTruncatedToMicroseconds()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var validFrom = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(4_321);
        var observedAt = new DateTimeOffset(2024, 6, 1, 9, 30, 0, TimeSpan.Zero).AddTicks(9);
        var request = Note(tenant, "Ana moved to Lisbon") with
        {
            ValidFrom = validFrom,
            Ttl = TimeSpan.FromDays(30),
            DecayPolicy = MemoryDecayPolicy.Exponential(TimeSpan.FromDays(7)),
            Provenance = new MemoryProvenance
            {
                SourceKind = MemorySourceKind.Message,
                MessageIds = ["msg-1", "msg-2"],
                QuotedSpans = ["I moved to Lisbon"],
                ObservedAt = observedAt,
            },
            IdempotencyKey = "msg-1:0",
            Reason = "stated by the user",
        };

        var record = (await store.WriteAsync(request, Ct)).Record;

        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(validFrom), record.ValidFrom);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(Clock.GetUtcNow()), record.CreatedAt);
        Assert.Equal(TimeSpan.FromDays(30), record.Ttl);
        Assert.Equal(record.ValidFrom + TimeSpan.FromDays(30), record.ExpiresAt);
        Assert.Equal(MemoryDecayPolicy.Exponential(TimeSpan.FromDays(7)), record.DecayPolicy);
        Assert.Equal(MemorySourceKind.Message, record.Provenance.SourceKind);
        Assert.Equal(["msg-1", "msg-2"], record.Provenance.MessageIds);
        Assert.Equal(["I moved to Lisbon"], record.Provenance.QuotedSpans);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(observedAt), record.Provenance.ObservedAt);
        Assert.Equal("msg-1:0", record.IdempotencyKey);
        Assert.Equal(record, await store.GetAsync(tenant, record.Id, Ct));
        Assert.Equal("stated by the user", Assert.Single(await store.GetHistoryAsync(tenant, record.Id, Ct)).Reason);
    }

    [Fact]
    public virtual async Task WriteAsync_SameIdempotencyKey_ReturnsExistingRecord()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var request = Note(tenant, "Ana has a dog named Rex") with { IdempotencyKey = "msg-17:0" };
        var first = await CreateAsync(store, request);

        var replay = await store.WriteAsync(request, Ct);

        Assert.Equal(MemoryWriteOutcome.IdempotentReplay, replay.Outcome);
        Assert.Equal(first.Id, replay.Record.Id);
        Assert.Equal(first, replay.Record);
        Assert.Equal(1, await EventCountAsync(store));
        Assert.Single(await ReadAllAsync(store, AllStatuses(tenant)));
    }

    [Fact]
    public virtual async Task WriteAsync_SameIdempotencyKeyDifferentContent_ThrowsIdempotencyKeyReused()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var first = await CreateAsync(store, Note(tenant, "Ana has a dog named Rex") with { IdempotencyKey = "k-1" });

        var error = await Assert.ThrowsAsync<MemoryConflictException>(
            () => store.WriteAsync(Note(tenant, "Ana has a cat named Tom") with { IdempotencyKey = "k-1" }, Ct));

        Assert.Equal(MemoryErrorCode.IdempotencyKeyReused, error.Code);
        Assert.Equal(first.Id, error.ExistingId);
        Assert.Equal(1, await EventCountAsync(store));
        Assert.Equal([first.Id], await ReadIdsAsync(store, AllStatuses(tenant)));
    }

    [Fact]
    public virtual async Task WriteAsync_SameIdempotencyKeyInAnotherTenant_Creates()
    {
        var store = await NewStoreAsync();
        var first = await CreateAsync(store, Note(NewTenant(), "Ana has a dog named Rex") with { IdempotencyKey = "k-1" });

        var other = await store.WriteAsync(Note(NewTenant(), "Ana has a dog named Rex") with { IdempotencyKey = "k-1" }, Ct);

        Assert.Equal(MemoryWriteOutcome.Created, other.Outcome);
        Assert.NotEqual(first.Id, other.Record.Id);
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task WriteAsync_SameNormalizedText_ReturnsDuplicateContent()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var first = await CreateAsync(store, tenant, "Ana likes green tea");

        foreach (var variant in new[] { "Ana likes green tea", "  ana   LIKES green\ttea \n", "ANA LIKES GREEN TEA" })
        {
            var duplicate = await store.WriteAsync(Note(tenant, variant), Ct);
            Assert.Equal(MemoryWriteOutcome.DuplicateContent, duplicate.Outcome);
            Assert.Equal(first.Id, duplicate.Record.Id);
            Assert.Equal(first, duplicate.Record);
        }

        Assert.Equal(1, await EventCountAsync(store));
        Assert.Single(await store.GetHistoryAsync(tenant, first.Id, Ct));
        Assert.Equal([first.Id], await ReadIdsAsync(store, AllStatuses(tenant)));
    }

    [Fact]
    public virtual async Task WriteAsync_SameStructuredValue_ReturnsDuplicateContentAndOtherStructuredValueCreates()
    {
        var store = await NewStoreAsync(RegisterAddressType);
        var tenant = NewTenant();
        var first = await CreateAsync(store, Address(tenant, """{"street":"Rua Augusta 1","city":"Lisbon"}"""));

        var duplicate = await store.WriteAsync(Address(tenant, """{ "street": "Rua Augusta 1", "city": "Lisbon" }"""), Ct);
        var other = await store.WriteAsync(Address(tenant, """{"street":"Rua Augusta 2","city":"Lisbon"}"""), Ct);

        Assert.Equal(MemoryWriteOutcome.DuplicateContent, duplicate.Outcome);
        Assert.Equal(first.Id, duplicate.Record.Id);
        Assert.Equal(MemoryWriteOutcome.Created, other.Outcome);
        Assert.NotEqual(first.Id, other.Record.Id);
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task WriteAsync_SameTextInAnotherSubjectScopeTypeOrTenant_Creates()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        const string Text = "Prefers meetings before noon";
        var first = await CreateAsync(store, Note(tenant, Text));
        var variants = new[]
        {
            Note(tenant, Text, subject: "bob"),
            Note(tenant, Text, type: MemoryTypes.Preference),
            Note(tenant, Text) with { Scope = MemoryScope.Public },
            Note(tenant, Text) with { Scope = MemoryScope.ForTeam("support") },
            Note(tenant, Text) with { Scope = MemoryScope.ForTeam("sales") },
            Note(tenant, Text) with { Scope = MemoryScope.Personal with { Agent = "planner" } },
            Note(tenant, Text) with { Scope = MemoryScope.Personal with { Session = "s-1" } },
            Note(NewTenant(), Text),
        };

        var ids = new HashSet<Guid> { first.Id };
        foreach (var variant in variants)
        {
            var result = await store.WriteAsync(variant, Ct);
            Assert.Equal(MemoryWriteOutcome.Created, result.Outcome);
            Assert.True(ids.Add(result.Record.Id), $"{variant.Scope} / {variant.Subject} / {variant.Type} returned an existing record");
        }

        Assert.Equal(1 + variants.Length, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task WriteAsync_SameContentAfterDelete_Creates()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var first = await CreateAsync(store, tenant, "Ana works at Contoso");
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = first.Id, Reason = "left the company", Actor = MemoryActor.User("ana") }, Ct);

        var again = await store.WriteAsync(Note(tenant, "Ana works at Contoso"), Ct);

        Assert.Equal(MemoryWriteOutcome.Created, again.Outcome);
        Assert.NotEqual(first.Id, again.Record.Id);
        Assert.Equal(3, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task WriteAsync_SameContentAfterSupersede_Creates()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var first = await CreateAsync(store, tenant, "Ana lives in Porto");
        var superseded = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = first.Id, Actor = MemoryActor.User("ana"), Value = "Ana lives in Lisbon" }, Ct);

        var again = await store.WriteAsync(Note(tenant, "Ana lives in Porto"), Ct);

        Assert.Equal(MemoryWriteOutcome.Created, again.Outcome);
        Assert.NotEqual(first.Id, again.Record.Id);
        Assert.NotEqual(superseded.Current.Id, again.Record.Id);
        Assert.Equal(4, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task WriteAsync_AlreadyCancelledToken_ThrowsAndWritesNothing()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(Note(tenant, "never stored"), cancelled.Token));

        Assert.Equal(0, await EventCountAsync(store));
        Assert.Empty(await ReadAllAsync(store, AllStatuses(tenant)));
    }

    /// <summary>A write of the custom "address" type (see <see cref="RegisterAddressType"/>).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="json">The structured value.</param>
    /// <returns>The request.</returns>
    protected static MemoryWriteRequest Address(string tenant, string json)
    {
        using var document = JsonDocument.Parse(json);
        return Note(tenant, "Home address", type: "address") with { Value = new MemoryValue("Home address", document.RootElement.Clone()) };
    }
}
