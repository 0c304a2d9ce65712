using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Tests.Conformance;

/// <summary>Export and import: the round trip, refusals, malformed files and cancellation, all or nothing.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    // The layout of the export made by ExportSmallTenantAsync: a header, 7 events, 5 objects and the end line.
    private const int SmallEventCount = 7;
    private const int SmallObjectCount = 5;
    private const int SmallFirstEventLine = 2;
    private const int SmallFirstObjectLine = SmallFirstEventLine + SmallEventCount;
    private const int SmallEndLine = SmallFirstObjectLine + SmallObjectCount;

    [Fact]
    public virtual async Task ExportImport_RoundTrip_ReproducesRecordsEventsAndHashes()
    {
        var (source, tenants) = await PopulatedStoreAsync();
        var (bytes, exported) = await ExportBytesAsync(source);

        Assert.Equal(10, exported.Events);
        Assert.Equal(7, exported.Objects);
        Assert.Equal(tenants.Order(StringComparer.Ordinal), exported.Tenants.Order(StringComparer.Ordinal));
        var items = await ParseExportAsync(bytes);
        var sourceEvents = items.Where(i => i.Event is not null).Select(i => i.Event!).ToList();
        Assert.Equal(exported.Events, sourceEvents.Count);
        Assert.Equal(exported.Objects, items.Count(i => i.Record is not null));
        Assert.Equal(new MemoryExportEnd(exported.Events, exported.Objects), items[^1].End);
        foreach (var tenant in tenants)
        {
            var records = await ReadAllAsync(source, AllStatuses(tenant));
            Assert.Equal(records, items.Where(i => i.Record?.Tenant == tenant).Select(i => i.Record!).OrderBy(r => r.Id));
            Assert.Equal(Enumerable.Range(1, sourceEvents.Count(e => e.Tenant == tenant)).Select(i => (long)i), sourceEvents.Where(e => e.Tenant == tenant).Select(e => e.Sequence));
        }

        var target = await NewStoreAsync(RegisterAddressType);
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            var imported = await target.ImportAsync(stream, cancellationToken: Ct);
            Assert.Equal(exported.Events, imported.Events);
            Assert.Equal(exported.Objects, imported.Objects);
            Assert.Equal(tenants.Order(StringComparer.Ordinal), imported.Tenants.Order(StringComparer.Ordinal));
        }

        foreach (var tenant in tenants)
        {
            var expected = await ReadAllAsync(source, AllStatuses(tenant));
            Assert.Equal(expected, await ReadAllAsync(target, AllStatuses(tenant)));
            Assert.Equal(await ReadAllAsync(source, new MemoryQuery { Tenant = tenant }), await ReadAllAsync(target, new MemoryQuery { Tenant = tenant }));
            foreach (var record in expected)
            {
                Assert.Equal(await source.GetHistoryAsync(tenant, record.Id, Ct), await target.GetHistoryAsync(tenant, record.Id, Ct));
            }
        }

        var targetEvents = await ExportedEventsAsync(target);
        Assert.Equal(sourceEvents.Select(e => e.Hash), targetEvents.Select(e => e.Hash));
        Assert.Equal(sourceEvents, targetEvents);

        var verification = await target.VerifyAsync(cancellationToken: Ct);
        Assert.True(verification.IsValid, $"{verification.FirstBrokenLink}");
        Assert.Equal(exported.Events, verification.EventCount);
        Assert.Equal(2, verification.TenantCount);

        // The imported chain is a live chain: new writes continue it.
        await CreateAsync(target, tenants[0], "written after the import");
        Assert.Equal(exported.Events + 1, await EventCountAsync(target));
    }

    [Fact]
    public virtual async Task ImportAsync_ThenSearch_FindsImportedActiveMemoriesByTextAndVector()
    {
        var (source, tenants) = await PopulatedStoreAsync();
        var target = await NewStoreAsync(RegisterAddressType);
        using (var stream = new MemoryStream((await ExportBytesAsync(source)).Bytes, writable: false))
        {
            await target.ImportAsync(stream, cancellationToken: Ct);
        }

        var vector = await target.SearchAsync(new MemorySearchRequest { Tenant = tenants[0], Text = "aisle seats on trains", Mode = MemorySearchMode.Vector }, Ct);
        // The seats memory is the closest by meaning (rank 1); its 30-day decay and 0.75 confidence show in its breakdown.
        var seats = Assert.Single(vector, h => h.Record.Value.Text == "Ana prefers aisle seats on trains");
        Assert.Equal(1, seats.Breakdown.SemanticRank);
        Assert.Equal(TestEmbeddingGenerator.ModelId, seats.Breakdown.EmbeddingModel);
        Assert.True(seats.Breakdown.Confidence < 1);
        var text = await target.SearchAsync(new MemorySearchRequest { Tenant = tenants[0], Text = "gym river", Mode = MemorySearchMode.Text }, Ct);
        Assert.Empty(text);
        var bob = await target.SearchAsync(new MemorySearchRequest { Tenant = tenants[1], Text = "chess", Mode = MemorySearchMode.Hybrid }, Ct);
        Assert.Equal("Bob plays chess on Sundays", bob[0].Record.Value.Text);
    }

    [Fact]
    public virtual async Task ImportAsync_SameExportTwice_ThrowsImportConflictAndLeavesStoreUnchanged()
    {
        var (source, tenants) = await PopulatedStoreAsync();
        var bytes = (await ExportBytesAsync(source)).Bytes;
        var target = await NewStoreAsync(RegisterAddressType);
        using (var first = new MemoryStream(bytes, writable: false))
        {
            await target.ImportAsync(first, cancellationToken: Ct);
        }

        var eventsBefore = await ExportedEventsAsync(target);
        var recordsBefore = await ReadAllAsync(target, AllStatuses(tenants[0]));

        using var second = new MemoryStream(bytes, writable: false);
        var error = await Assert.ThrowsAsync<MemoryImportException>(() => target.ImportAsync(second, cancellationToken: Ct));

        Assert.Equal(MemoryErrorCode.ImportConflict, error.Code);
        Assert.Equal(2, error.Line); // the first event line: the tenant's chain already exists
        Assert.Equal(eventsBefore, await ExportedEventsAsync(target));
        Assert.Equal(recordsBefore, await ReadAllAsync(target, AllStatuses(tenants[0])));
        Assert.Equal(eventsBefore.Count, await EventCountAsync(target));
    }

    [Fact]
    public virtual async Task ImportAsync_BadJsonLine_ThrowsWithLineAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Broken = SmallFirstEventLine + 2;
        lines[Broken - 1] = lines[Broken - 1][..(lines[Broken - 1].Length / 2)];

        await AssertImportRejectedAsync(lines, tenant, Broken, null);
    }

    [Fact]
    public virtual async Task ImportAsync_TruncatedFile_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        lines.RemoveRange(SmallEndLine - 2, 2);

        var error = await AssertImportRejectedAsync(lines, tenant, SmallEndLine - 2, null);
        Assert.Contains("truncated", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public virtual async Task ImportAsync_WrongFormatVersion_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        lines[0] = EditJson(lines[0], header => header["format_version"] = MemoryExportFormat.Version + 1);

        await AssertImportRejectedAsync(lines, tenant, 1, "format_version");
    }

    [Fact]
    public virtual async Task ImportAsync_PayloadWithSchemaVersion2_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Edited = SmallFirstEventLine + 3;

        // The payload hash is recomputed, so the only problem left is the record's schema version.
        lines[Edited - 1] = EditPayload(lines[Edited - 1], payload => payload["schema_version"] = 2, rehash: true);

        await AssertImportRejectedAsync(lines, tenant, Edited, "payload.schema_version");
    }

    [Fact]
    public virtual async Task ImportAsync_PayloadBreakingWriteRules_ThrowsNamingTheFieldAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Edited = SmallFirstEventLine + 1;

        // The payload hash is recomputed: the payload is intact as data, but no write could have stored this text.
        lines[Edited - 1] = EditPayload(lines[Edited - 1], payload => payload["value"]!["text"] = "tea\u0000time", rehash: true);

        await AssertImportRejectedAsync(lines, tenant, Edited, "payload.value.text");
    }

    [Fact]
    public virtual async Task ImportAsync_PayloadNotMatchingPayloadHash_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Edited = SmallFirstEventLine + 1;
        lines[Edited - 1] = EditPayload(lines[Edited - 1], payload => payload["value"]!["text"] = "Ana owes Bob nothing", rehash: false);

        await AssertImportRejectedAsync(lines, tenant, Edited, "payload_hash");
    }

    [Fact]
    public virtual async Task ImportAsync_WrongEventHash_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Edited = SmallFirstEventLine + 4;
        var hash = JsonNode.Parse(lines[Edited - 1])!["hash"]!.GetValue<string>();
        var forged = MemoryEventChain.ComputePayloadHash("forged");
        lines[Edited - 1] = lines[Edited - 1].Replace($"\"hash\":\"{hash}\"", $"\"hash\":\"{forged}\"", StringComparison.Ordinal);
        Assert.Equal(forged, JsonNode.Parse(lines[Edited - 1])!["hash"]!.GetValue<string>());

        await AssertImportRejectedAsync(lines, tenant, Edited, "hash");
    }

    [Fact]
    public virtual async Task ImportAsync_SequenceGap_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Removed = SmallFirstEventLine + 3;
        lines.RemoveAt(Removed - 1);
        lines[^1] = EditJson(lines[^1], end => end["event_count"] = SmallEventCount - 1);

        // The event after the removed one now sits on the removed line's number, and its sequence skips one.
        await AssertImportRejectedAsync(lines, tenant, Removed, "sequence");
    }

    [Fact]
    public virtual async Task ImportAsync_ObjectLineNotMatchingItsEvents_ThrowsAndImportsNothing()
    {
        var (lines, tenant) = await ExportSmallTenantAsync();
        const int Edited = SmallFirstObjectLine + 1;
        lines[Edited - 1] = EditJson(lines[Edited - 1], line => line["record"]!["confidence"] = 0.125);

        var target = await NewStoreAsync();
        var error = await Assert.ThrowsAsync<MemoryImportException>(() => target.ImportAsync(ToStream(lines), cancellationToken: Ct));

        Assert.Equal(0, (await target.VerifyAsync(cancellationToken: Ct)).EventCount);
        Assert.Empty(await ReadAllAsync(target, AllStatuses(tenant)));
        Assert.Equal(MemoryErrorCode.ImportInvalid, error.Code);
        Assert.Equal(Edited, error.Line);
    }

    [Fact]
    public virtual async Task ImportAsync_CancelledWhileReading_ThrowsAndImportsNothing()
    {
        var source = await NewStoreAsync();
        var tenant = NewTenant();
        for (var i = 0; i < 40; i++)
        {
            await CreateAsync(source, tenant, $"bulk note {i} about the quarterly planning meeting and its many action items");
        }

        var bytes = (await ExportBytesAsync(source)).Bytes;
        var target = await NewStoreAsync();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stream = new CancelAfterStream(bytes, cancelAfterBytes: bytes.Length / 2, cancellation);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => target.ImportAsync(stream, cancellationToken: cancellation.Token));

        Assert.True(stream.BytesRead >= bytes.Length / 2, "the import must have read lines before it was cancelled");
        Assert.True(stream.BytesRead < bytes.Length, "the import must have stopped before the end");
        Assert.Equal(0, (await target.VerifyAsync(cancellationToken: Ct)).EventCount);
        Assert.Empty(await ReadAllAsync(target, AllStatuses(tenant)));

        // Nothing half-done blocks a full import afterwards.
        using var again = new MemoryStream(bytes, writable: false);
        Assert.Equal(40, (await target.ImportAsync(again, cancellationToken: Ct)).Events);
    }

    /// <summary>
    /// Two tenants: the first with a preference (updated), a structured address, a memory with a time to live (deleted) and a
    /// team memory (superseded); the second with two plain memories. 10 events, 7 objects.
    /// </summary>
    /// <returns>The store (with the "address" type) and the two tenants.</returns>
    private async Task<(IMemoryStore Store, string[] Tenants)> PopulatedStoreAsync()
    {
        var store = await NewStoreAsync(RegisterAddressType);
        string[] tenants = [NewTenant(), NewTenant()];
        var a = tenants[0];
        var seats = await CreateAsync(store, Note(a, "Ana prefers window seats on trains", type: MemoryTypes.Preference) with
        {
            Metadata = new Dictionary<string, string> { ["channel"] = "chat", ["lang"] = "en" },
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m-1"], QuotedSpans = ["window seat please"], ObservedAt = Clock.GetUtcNow().AddTicks(7) },
            IdempotencyKey = "m-1:0",
            Confidence = 0.75,
            DecayPolicy = MemoryDecayPolicy.Exponential(TimeSpan.FromDays(30)),
        });
        await CreateAsync(store, Address(a, """{"street":"Rua Augusta 1","city":"Lisbon"}"""));
        var gym = await CreateAsync(store, Note(a, "Ana's gym is near the river") with { Ttl = TimeSpan.FromDays(90), ValidFrom = ClockStart.AddDays(-3) });
        var car = await CreateAsync(store, Note(a, "Ana drives a Civic") with { Scope = MemoryScope.ForTeam("fleet") with { Agent = "fleet-bot" } });
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = a, Id = seats.Id, ExpectedVersion = 1, Actor = MemoryActor.Agent("travel-bot"), Reason = "corrected", Value = "Ana prefers aisle seats on trains" }, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = a, Id = car.Id, Actor = MemoryActor.Agent("fleet-bot"), Value = "Ana drives a Golf", Reason = "new car" }, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = a, Id = gym.Id, Reason = "cancelled membership", Actor = MemoryActor.User("ana") }, Ct);
        await CreateAsync(store, tenants[1], "Bob plays chess on Sundays", subject: "bob");
        await CreateAsync(store, Note(tenants[1], "Bob is allergic to cats", subject: "bob") with { Scope = MemoryScope.Public });
        return (store, tenants);
    }

    /// <summary>Exports one tenant with 5 memories, one update and one deletion: 7 events, 5 objects.</summary>
    /// <returns>The export's lines and the tenant.</returns>
    private async Task<(List<string> Lines, string Tenant)> ExportSmallTenantAsync()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var records = new List<MemoryRecord>();
        foreach (var text in new[] { "Ana owes Bob lunch", "Ana's desk is by the window", "Ana takes the 8:15 train", "Ana's dentist is Dr. Silva", "Ana collects stamps" })
        {
            records.Add(await CreateAsync(store, tenant, text));
        }

        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = records[2].Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana takes the 8:45 train" }, Ct);
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = records[4].Id, Reason = "gave them away", Actor = MemoryActor.User("ana") }, Ct);
        var lines = Lines((await ExportBytesAsync(store, tenant)).Bytes);

        Assert.Equal(SmallEndLine, lines.Count);
        Assert.Equal("header", Kind(lines[0]));
        Assert.All(lines.Skip(SmallFirstEventLine - 1).Take(SmallEventCount), l => Assert.Equal("event", Kind(l)));
        Assert.All(lines.Skip(SmallFirstObjectLine - 1).Take(SmallObjectCount), l => Assert.Equal("object", Kind(l)));
        Assert.Equal("end", Kind(lines[^1]));

        // The unedited lines import cleanly, so each malformed case below fails only for its own edit.
        var control = await NewStoreAsync();
        Assert.Equal(SmallEventCount, (await control.ImportAsync(ToStream(lines), cancellationToken: Ct)).Events);
        return (lines, tenant);

        static string? Kind(string line) => JsonNode.Parse(line)?["kind"]?.GetValue<string>();
    }

    /// <summary>Imports lines into a new store, expecting an invalid-file error at a line and field, and checks nothing was imported.</summary>
    private async Task<MemoryImportException> AssertImportRejectedAsync(List<string> lines, string tenant, long line, string? field)
    {
        var target = await NewStoreAsync();
        var error = await Assert.ThrowsAsync<MemoryImportException>(() => target.ImportAsync(ToStream(lines), cancellationToken: Ct));

        Assert.Equal(MemoryErrorCode.ImportInvalid, error.Code);
        Assert.Equal(line, error.Line);
        Assert.Equal(field, error.Field);
        var verification = await target.VerifyAsync(cancellationToken: Ct);
        Assert.True(verification.IsValid);
        Assert.Equal(0, verification.EventCount);
        Assert.Empty(await ReadAllAsync(target, AllStatuses(tenant)));
        Assert.Empty(await ExportedEventsAsync(target));
        return error;
    }

    /// <summary>Parses a line without a payload, edits it, and writes it back compact.</summary>
    private static string EditJson(string line, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    /// <summary>
    /// Replaces an event line's payload with an edited copy, leaving every other byte of the line as it was; with
    /// <paramref name="rehash"/> the payload_hash is recomputed to match the new payload.
    /// </summary>
    private static string EditPayload(string line, Action<JsonObject> edit, bool rehash)
    {
        using var document = JsonDocument.Parse(line);
        var oldPayload = document.RootElement.GetProperty("payload").GetRawText();
        var oldHash = document.RootElement.GetProperty("payload_hash").GetString()!;
        var payload = JsonNode.Parse(oldPayload)!.AsObject();
        edit(payload);
        var newPayload = payload.ToJsonString();
        Assert.NotEqual(oldPayload, newPayload);
        var edited = line.Replace(oldPayload, newPayload, StringComparison.Ordinal);
        return rehash
            ? edited.Replace($"\"payload_hash\":\"{oldHash}\"", $"\"payload_hash\":\"{MemoryEventChain.ComputePayloadHash(newPayload)}\"", StringComparison.Ordinal)
            : edited;
    }

    /// <summary>A read-only stream that hands out small chunks and cancels a token once half the data has been read.</summary>
    private sealed class CancelAfterStream(byte[] data, long cancelAfterBytes, CancellationTokenSource cancellation) : Stream
    {
        private const int Chunk = 256;
        private long _position;

        public long BytesRead => Interlocked.Read(ref _position);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= cancelAfterBytes)
            {
                cancellation.Cancel();
            }

            var n = (int)Math.Min(Math.Min(buffer.Length, Chunk), data.Length - _position);
            data.AsSpan((int)_position, n).CopyTo(buffer);
            Interlocked.Add(ref _position, n);
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
