using System.Globalization;
using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>
/// The emulator's state and request handling, independent of the HTTP host. One lock guards everything;
/// Platform async work is applied lazily (at the next request or state read once its delay has elapsed).
/// The OSS and Platform routes are in the other parts of this partial class.
/// </summary>
internal sealed partial class EmulatorEngine(Mem0EmulatorOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, MemoryRecord> _memories = [];
    private readonly List<HistoryEntry> _history = [];
    private readonly Dictionary<Guid, EmulatorEvent> _events = [];
    private readonly Dictionary<(string Type, string Name), int> _entityNumbers = [];
    private long _sequence;

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    private DateOnly Today => DateOnly.FromDateTime(Now.UtcDateTime);

    public int MemoryCount
    {
        get
        {
            lock (_gate)
            {
                ProcessDue();
                return _memories.Count;
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _memories.Clear();
            _history.Clear();
            _events.Clear();
            _entityNumbers.Clear();
        }
    }

    public EmulatorResponse Handle(EmulatorHttpRequest request)
    {
        lock (_gate)
        {
            ProcessDue();
            if (IsPlatformPath(request.Path))
            {
                return HandlePlatform(request);
            }

            var response = HandleOss(request);
            var requestId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4));
            return response with { Headers = [.. response.Headers, new("X-Request-ID", requestId)] };
        }
    }

    public static bool IsPlatformPath(string path) =>
        path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/v2/", StringComparison.Ordinal) || path.StartsWith("/v3/", StringComparison.Ordinal)
        || path is "/v1" or "/v2" or "/v3";

    private void ProcessDue()
    {
        var now = Now;
        foreach (var e in _events.Values.Where(e => !e.Done && e.DueAt <= now).OrderBy(e => e.CreatedAt).ToList())
        {
            Complete(e);
        }
    }

    private void Complete(EmulatorEvent e)
    {
        if (e.Work is { } work)
        {
            e.Work = null;
            e.Results = work();
            e.CompletedAt = Now;
        }
    }

    private IEnumerable<MemoryRecord> Ordered() => _memories.Values.OrderBy(r => r.Sequence);

    private static bool Visible(MemoryRecord r, bool showExpired, DateOnly today) => showExpired || !r.IsExpired(today);

    private MemoryRecord AddRecord(string text, string? userId, string? agentId, string? appId, string? runId, string? role, JsonObject? metadata, string? expirationDate, List<string> categories, JsonArray input, bool immutable, DateTimeOffset? createdAt)
    {
        var now = Now;
        var record = new MemoryRecord
        {
            Id = Guid.NewGuid(),
            Sequence = ++_sequence,
            Text = text,
            UserId = userId,
            AgentId = agentId,
            AppId = appId,
            RunId = runId,
            Role = role,
            Metadata = metadata?.DeepClone().AsObject(),
            ExpirationDate = expirationDate,
            Categories = categories,
            Input = input,
            Immutable = immutable,
            CreatedAt = createdAt ?? now,
            UpdatedAt = createdAt ?? now,
        };
        _memories[record.Id] = record;
        foreach (var (type, name) in EntitiesOf(record))
        {
            _entityNumbers.TryAdd((type, name), _entityNumbers.Count + 1);
        }

        _history.Add(new HistoryEntry(Guid.NewGuid(), record.Id, null, text, "ADD", record.CreatedAt, null, false, role, record) { WrittenAt = now, Metadata = record.Metadata?.DeepClone().AsObject() });
        return record;
    }

    private void UpdateRecord(MemoryRecord record, string? text, JsonObject? metadataPatch, bool setExpiration, string? expiration)
    {
        var old = record.Text;
        if (text is not null)
        {
            record.Text = text;
        }

        if (metadataPatch is not null)
        {
            record.Metadata ??= [];
            foreach (var (key, value) in metadataPatch)
            {
                record.Metadata[key] = value?.DeepClone();
            }
        }

        if (setExpiration)
        {
            record.ExpirationDate = expiration;
        }

        var now = Now;
        record.UpdatedAt = now;
        _history.Add(new HistoryEntry(Guid.NewGuid(), record.Id, old, record.Text, "UPDATE", record.CreatedAt, now, false, null, record) { WrittenAt = now, Metadata = record.Metadata?.DeepClone().AsObject() });
    }

    private void DeleteRecord(MemoryRecord record)
    {
        var now = Now;
        _memories.Remove(record.Id);
        _history.Add(new HistoryEntry(Guid.NewGuid(), record.Id, record.Text, null, "DELETE", record.CreatedAt, now, true, null, record) { WrittenAt = now, Metadata = record.Metadata?.DeepClone().AsObject() });
    }

    private static IEnumerable<(string Type, string Name)> EntitiesOf(MemoryRecord r)
    {
        foreach (var type in (string[])["user", "agent", "app", "run"])
        {
            if (r.EntityId(type) is string name)
            {
                yield return (type, name);
            }
        }
    }

    /// <summary>Ranks records for a query: score ≥ threshold (and > 0 unless the threshold is 0), descending, ties in creation order.</summary>
    private static List<(MemoryRecord Record, double Score, double Keyword)> Rank(IEnumerable<MemoryRecord> candidates, string query, double threshold, int topK)
    {
        var tokens = TextScorer.Tokens(query);
        return candidates
            .Select(r => { var (score, keyword) = TextScorer.Score(tokens, r.Text); return (Record: r, Score: score, Keyword: keyword); })
            .Where(x => x.Score >= threshold)
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Record.Sequence)
            .Take(topK)
            .ToList();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
