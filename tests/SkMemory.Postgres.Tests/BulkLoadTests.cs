using System.Text;
using System.Text.RegularExpressions;
using SkMemory.Storage.Postgres;
using SkMemory.Tests;

namespace SkMemory.Postgres.Tests;

/// <summary>
/// <see cref="PostgresBulkLoader"/> against the write path on a real server: the same operations at the same times, one
/// store through <see cref="IMemoryStore"/>, the other through the loader, must give the same log and projection.
/// </summary>
/// <remarks>
/// Two fields differ by design and are mapped before comparing: ids (UUIDv7: the time is the same, the random bits are
/// not) and the event hashes that cover them (<c>hash</c>, <c>previous_hash</c>; <c>payload_hash</c> covers the payload,
/// which holds the ids). The export header's time is the time of the export.
/// </remarks>
public sealed partial class BulkLoadTests(PostgresFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Types = [MemoryTypes.Preference, MemoryTypes.Identifier, MemoryTypes.Asset, MemoryTypes.Skill, MemoryTypes.Constraint, MemoryTypes.Fact, MemoryTypes.Event];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bulk_loaded_memories_are_indistinguishable_from_written_ones()
    {
        var embedder = new TestEmbeddingGenerator();
        var clock = new ManualTimeProvider(Start);
        using var written = await fixture.OpenStoreAsync(o => { o.EmbeddingGenerator = embedder; o.TimeProvider = clock; }, cancellationToken: Ct);
        // A low threshold, so the load also builds the tenants' own indexes and the tenant-wide search below goes through one.
        using var loaded = await fixture.OpenStoreAsync(o => { o.EmbeddingGenerator = embedder; o.TimeProvider = clock; o.TenantVectorIndexMinRows = 15; }, cancellationToken: Ct);
        var loader = new PostgresBulkLoader(loaded, new PostgresBulkLoadOptions { BatchSize = 17 });

        // The same script on both: writes in three tenants, every few a supersede or a delete of the memory just written.
        var writtenIds = new List<Guid>();
        var loadedIds = new List<Guid>();
        var at = Start;
        for (var i = 0; i < 60; i++)
        {
            at = at.AddMinutes(7).AddTicks(13);
            clock.UtcNow = at;
            var request = Request(i);
            var result = await written.WriteAsync(request, Ct);
            Assert.Equal(MemoryWriteOutcome.Created, result.Outcome);
            writtenIds.Add(result.Record.Id);

            // Supersede and delete only touch the buffer: flush before adding, so what follows an add is in the same batch.
            if (loader.Buffered >= 17)
            {
                await loader.FlushAsync(Ct);
            }

            var (id, outcome) = loader.Add(request, at, TestEmbeddingGenerator.Embed(request.Value.Text));
            Assert.Equal(MemoryWriteOutcome.Created, outcome);
            loadedIds.Add(id);

            if (i % 9 == 4)
            {
                at = at.AddSeconds(30);
                clock.UtcNow = at;
                var text = $"{request.Value.Text} (revised {i})";
                var superseded = await written.SupersedeAsync(
                    new MemorySupersedeRequest { Tenant = request.Tenant, Id = result.Record.Id, Value = text, Actor = MemoryActor.Agent("reviser"), Reason = "newer information" }, Ct);
                writtenIds.Add(superseded.Current.Id);
                loadedIds.Add(loader.Supersede(id, text, MemoryActor.Agent("reviser"), "newer information", at, TestEmbeddingGenerator.Embed(text)));
            }
            else if (i % 11 == 6)
            {
                at = at.AddSeconds(45);
                clock.UtcNow = at;
                await written.DeleteAsync(new MemoryDeleteRequest { Tenant = request.Tenant, Id = result.Record.Id, Actor = MemoryActor.User("owner"), Reason = "asked to forget" }, Ct);
                loader.Delete(id, MemoryActor.User("owner"), "asked to forget", at);
            }
        }

        var load = await loader.CompleteAsync(Ct);
        Assert.Equal(writtenIds.Count, load.Memories);
        Assert.Equal(3, load.Tenants);
        Assert.True(load.Batches >= 4, $"{load.Batches} batches");
        Assert.Equal(1, load.IndexesBuilt);
        Assert.Equal(3, load.TenantIndexesBuilt);
        Assert.True(loaded.HasVectorIndex(TestEmbeddingGenerator.ModelId, TestEmbeddingGenerator.Dimensions));

        // The chains verify, and the export files are the same line for line once ids and id-covering hashes are mapped.
        var verified = await loaded.VerifyAsync(cancellationToken: Ct);
        Assert.True(verified.IsValid, verified.FirstBrokenLink?.Problem);
        Assert.Equal((await written.VerifyAsync(cancellationToken: Ct)).EventCount, verified.EventCount);
        var writtenLines = Normalize(await ExportAsync(written), []);
        var map = writtenIds.Zip(loadedIds).ToDictionary(p => p.Second, p => p.First);
        var loadedLines = Normalize(await ExportAsync(loaded), map);
        Assert.Equal(writtenLines.Length, loadedLines.Length);
        for (var i = 0; i < writtenLines.Length; i++)
        {
            Assert.Equal(writtenLines[i], loadedLines[i]);
        }

        // The projection, the full text and the embeddings are the same rows (ids mapped).
        foreach (var (loadedId, writtenId) in map)
        {
            var fromLoad = await fixture.QueryAsync(
                $"SELECT o.status, o.content_hash, o.origin_content_hash, o.search_vector::text, o.expires_at, o.metadata::text, e.embedding::text, e.created_at FROM \"{loaded.Schema}\".memory_objects o LEFT JOIN \"{loaded.Schema}\".memory_embeddings e ON e.memory_id = o.id WHERE o.id = @id",
                ("id", loadedId));
            var fromWrite = await fixture.QueryAsync(
                $"SELECT o.status, o.content_hash, o.origin_content_hash, o.search_vector::text, o.expires_at, o.metadata::text, e.embedding::text, e.created_at FROM \"{written.Schema}\".memory_objects o LEFT JOIN \"{written.Schema}\".memory_embeddings e ON e.memory_id = o.id WHERE o.id = @id",
                ("id", writtenId));
            Assert.Equal(Assert.Single(fromWrite), Assert.Single(fromLoad));
        }

        // Get, read and search find the loaded memories.
        var active = (await loaded.ReadAsync(new MemoryQuery { Tenant = "tenant-1", PageSize = 100 }, Ct)).Items;
        Assert.Equal((await written.ReadAsync(new MemoryQuery { Tenant = "tenant-1", PageSize = 100 }, Ct)).Items.Select(r => r.Id), active.Select(r => map[r.Id]));
        var probe = active[3].Id;
        var record = await loaded.GetAsync("tenant-1", probe, Ct);
        Assert.NotNull(record);
        Assert.Equal(active[3], record);
        var page = await loaded.ReadAsync(new MemoryQuery { Tenant = record.Tenant, Subject = record.Subject, PageSize = 100 }, Ct);
        Assert.Contains(page.Items, r => r.Id == probe);
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await loaded.SearchAsync(new MemorySearchRequest { Tenant = record.Tenant, Subject = record.Subject, Text = record.Value.Text, Top = 5, Mode = mode }, Ct);
            Assert.Equal(probe, hits[0].Record.Id);
        }

        // Over the whole tenant (above the threshold, so through the tenant's own index the load built) too.
        var tenantWide = await loaded.SearchAsync(new MemorySearchRequest { Tenant = record.Tenant, Text = record.Value.Text, Top = 5, Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal(probe, tenantWide[0].Record.Id);

        // A write after the load continues the tenant's chain.
        clock.UtcNow = at.AddHours(1);
        var before = (await loaded.GetHistoryAsync("tenant-1", probe, Ct))[^1];
        var after = await loaded.WriteAsync(Request(1000) with { Tenant = "tenant-1" }, Ct);
        Assert.Equal(MemoryWriteOutcome.Created, after.Outcome);
        var history = await loaded.GetHistoryAsync("tenant-1", after.Record.Id, Ct);
        Assert.True(history[0].Sequence > before.Sequence);
        var again = await loaded.VerifyAsync("tenant-1", Ct);
        Assert.True(again.IsValid, again.FirstBrokenLink?.Problem);
    }

    [Fact]
    public async Task The_loader_reports_duplicates_like_the_write_path_and_refuses_what_it_cannot_do()
    {
        var embedder = new TestEmbeddingGenerator();
        using var store = await fixture.OpenStoreAsync(o => o.EmbeddingGenerator = embedder, cancellationToken: Ct);
        var loader = new PostgresBulkLoader(store, new PostgresBulkLoadOptions { BatchSize = 100 });
        var request = Request(1);
        var first = loader.Add(request, Start, null);
        Assert.Equal((first.Id, MemoryWriteOutcome.DuplicateContent), loader.Add(request, Start.AddMinutes(1), null));
        var keyed = Request(2) with { IdempotencyKey = "k-2" };
        var created = loader.Add(keyed, Start, null);
        Assert.Equal((created.Id, MemoryWriteOutcome.IdempotentReplay), loader.Add(keyed, Start.AddMinutes(1), null));
        var reused = Assert.Throws<MemoryConflictException>(() => loader.Add(Request(8) with { IdempotencyKey = "k-2" }, Start, null));
        Assert.Equal(MemoryErrorCode.IdempotencyKeyReused, reused.Code);
        Assert.Throws<MemoryValidationException>(() => loader.Add(request with { Subject = " " }, Start, null));
        Assert.Throws<MemoryValidationException>(() => loader.Add(Request(4), Start, ReadOnlyMemory<float>.Empty));
        await loader.FlushAsync(Ct);

        // After a batch is written, its memories are the store's: change them through the store.
        var outside = Assert.Throws<InvalidOperationException>(() => loader.Delete(first.Id, MemoryActor.User("u"), "gone", Start.AddHours(1)));
        Assert.Contains("not in the bulk loader's buffer", outside.Message, StringComparison.Ordinal);

        // Content someone else wrote meanwhile fails the whole batch, before anything of it is written.
        var other = await store.WriteAsync(Request(5), Ct);
        Assert.Equal(MemoryWriteOutcome.Created, other.Outcome);
        loader.Add(Request(6), Start.AddHours(2), null);
        loader.Add(Request(5), Start.AddHours(2), null);
        var conflict = await Assert.ThrowsAsync<MemoryConflictException>(() => loader.FlushAsync(Ct));
        Assert.Equal(other.Record.Id, conflict.ExistingId);
        var verified = await store.VerifyAsync(cancellationToken: Ct);
        Assert.True(verified.IsValid);
        Assert.Equal(3, verified.EventCount);
    }

    private static MemoryWriteRequest Request(int i) => new()
    {
        Tenant = "tenant-" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Type = Types[i % Types.Length],
        Subject = "user-" + (i % 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Actor = MemoryActor.Agent("loader-test"),
        Value = $"Memory number {i} about {(i % 2 == 0 ? "coffee in Lisbon" : "the Falcon project")} and item {i * 7}.",
        Salience = 0.3 + ((i % 6) / 10.0),
        Confidence = 0.6 + ((i % 4) / 10.0),
        ValidFrom = i % 7 == 6 ? Start.AddDays(-i) : null,
        Ttl = i % 10 == 3 ? TimeSpan.FromDays(400) : null,
        Metadata = i % 4 == 0 ? new Dictionary<string, string> { ["source"] = "chat", ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null,
        Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Import, MessageIds = ["m-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] },
        Reason = i % 5 == 0 ? "captured" : null,
    };

    private static async Task<string> ExportAsync(PostgresMemoryStore store)
    {
        using var stream = new MemoryStream();
        await store.ExportAsync(stream, cancellationToken: Ct);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // Ids mapped to the written store's, id-covering hashes blanked, the header (export time) dropped.
    private static string[] Normalize(string export, Dictionary<Guid, Guid> map)
    {
        var text = GuidPattern().Replace(export, m => Guid.TryParse(m.Value, out var id) && map.TryGetValue(id, out var mapped) ? mapped.ToString("D") : m.Value);
        text = EventIdPattern().Replace(text, "\"event_id\":\"<id>\"");
        text = HashPattern().Replace(text, m => $"\"{m.Groups[1].Value}\":\"<hash>\"");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidPattern();

    [GeneratedRegex("\"event_id\":\"[0-9a-f-]{36}\"")]
    private static partial Regex EventIdPattern();

    [GeneratedRegex("\"(hash|previous_hash|payload_hash)\":\"[0-9a-f]{64}\"")]
    private static partial Regex HashPattern();
}
