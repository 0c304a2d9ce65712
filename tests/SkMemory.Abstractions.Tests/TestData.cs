using System.Text;
using System.Text.Json;

namespace SkMemory.Abstractions.Tests;

/// <summary>Records, hash-chained events and export files built by hand, as a store would build them.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A record with every optional field set, timestamps at microsecond precision.</summary>
    public static MemoryRecord Record(string tenant, string text, int minute = 0)
    {
        var at = Start.AddMinutes(minute).AddTicks(1_234_560);
        using var structured = JsonDocument.Parse("""{"milk":"oat","cups":2,"tags":["morning",null,true]}""");
        return new MemoryRecord
        {
            Id = Guid.CreateVersion7(at),
            Tenant = tenant,
            Type = MemoryTypes.Preference,
            Scope = new MemoryScope { Kind = MemoryScopeKind.Team, Team = "support", Agent = "planner", Session = "s-1" },
            Subject = "ana",
            Actor = MemoryActor.Agent("support-bot"),
            Value = new MemoryValue(text, structured.RootElement.Clone()),
            ValueSchemaVersion = 3,
            Provenance = new MemoryProvenance
            {
                SourceKind = MemorySourceKind.Message,
                MessageIds = ["m-1", "m-2"],
                ToolCallIds = ["call-9"],
                FileHashes = ["sha256:00ff"],
                QuotedSpans = ["I switched to oat milk"],
                ObservedAt = at.AddMinutes(-1),
            },
            Confidence = 0.875,
            Salience = 0.25,
            DecayPolicy = MemoryDecayPolicy.Exponential(TimeSpan.FromDays(30)),
            CreatedAt = at,
            UpdatedAt = at.AddSeconds(5),
            ValidFrom = at.AddDays(-2),
            ValidTo = at.AddDays(10),
            Ttl = TimeSpan.FromDays(400),
            Status = MemoryStatus.Superseded,
            Supersedes = Guid.CreateVersion7(at.AddDays(-3)),
            SupersededBy = Guid.CreateVersion7(at.AddDays(10)),
            DeletionReason = null,
            Version = 4,
            Metadata = new Dictionary<string, string> { ["channel"] = "chat", ["lang"] = "en" },
            IdempotencyKey = "m-1:0",
            ContentHash = MemoryEventChain.ComputePayloadHash(text),
        };
    }

    /// <summary>A valid chain of "created" events, one per record, for one tenant.</summary>
    public static List<MemoryEvent> Chain(IReadOnlyList<MemoryRecord> records)
    {
        var events = new List<MemoryEvent>();
        var previous = MemoryEventChain.GenesisHash;
        for (var i = 0; i < records.Count; i++)
        {
            var payload = MemoryJson.SerializeRecord(records[i]);
            var e = new MemoryEvent
            {
                Tenant = records[i].Tenant,
                Sequence = i + 1,
                EventId = Guid.CreateVersion7(records[i].UpdatedAt),
                MemoryId = records[i].Id,
                EventType = MemoryEventType.Created,
                StreamVersion = records[i].Version,
                OccurredAt = records[i].UpdatedAt,
                Actor = records[i].Actor,
                Reason = i % 2 == 0 ? "stated" : null,
                Payload = payload,
                PayloadHash = MemoryEventChain.ComputePayloadHash(payload),
                PreviousHash = previous,
                Hash = string.Empty,
            };
            e = e with { Hash = MemoryEventChain.ComputeHash(e) };
            previous = e.Hash;
            events.Add(e);
        }

        return events;
    }

    /// <summary>Writes an export of the events and records with <see cref="MemoryExportWriter"/>.</summary>
    public static async Task<byte[]> ExportAsync(IReadOnlyList<MemoryEvent> events, IReadOnlyList<MemoryRecord> records, bool end = true)
    {
        using var stream = new MemoryStream();
        var writer = new MemoryExportWriter(stream);
        await using (writer)
        {
            await writer.WriteHeaderAsync(new MemoryExportHeader(MemoryExportFormat.Name, MemoryExportFormat.Version, MemoryRecord.CurrentSchemaVersion, Start, null, "tests"), TestContext.Current.CancellationToken);
            foreach (var e in events)
            {
                await writer.WriteEventAsync(e, TestContext.Current.CancellationToken);
            }

            foreach (var record in records)
            {
                await writer.WriteObjectAsync(record, TestContext.Current.CancellationToken);
            }

            if (end)
            {
                await writer.WriteEndAsync(TestContext.Current.CancellationToken);
            }
        }

        return stream.ToArray();
    }

    /// <summary>A small valid export: 3 events and 3 objects in one tenant, as lines.</summary>
    public static async Task<List<string>> ExportLinesAsync()
    {
        var records = new[] { Record("acme", "Ana prefers oat milk", 0), Record("acme", "Ana's café order: flat white & croissant <3", 1), Record("acme", "Ana's desk is 4B", 2) };
        return Lines(await ExportAsync(Chain(records), records));
    }

    public static List<string> Lines(byte[] bytes) => Encoding.UTF8.GetString(bytes).TrimEnd('\n').Split('\n').ToList();

    public static byte[] Join(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    /// <summary>Reads every item of an export.</summary>
    public static async Task<List<MemoryExportItem>> ReadAllAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var items = new List<MemoryExportItem>();
        await foreach (var item in MemoryExportReader.ReadAsync(stream, TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        return items;
    }
}
