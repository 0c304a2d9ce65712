using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SkMemory.Storage.Sqlite;

/// <summary>Maps records and events to and from SQLite rows.</summary>
internal static class SqliteRows
{
    public const string EventColumns = "tenant, sequence, event_id, memory_id, event_type, stream_version, occurred_at, actor_kind, actor_id, reason, payload, payload_hash, previous_hash, hash";

    public static string Timestamp(DateTimeOffset value) => MemoryEventChain.FormatTimestamp(value);

    public static object Timestamp(DateTimeOffset? value) => value is { } v ? Timestamp(v) : DBNull.Value;

    public static DateTimeOffset ParseTimestamp(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static string Id(Guid id) => id.ToString("D");

    public static MemoryRecord ReadRecord(SqliteDataReader reader, int ordinal) => MemoryJson.DeserializeRecord(reader.GetString(ordinal));

    public static MemoryEvent ReadEvent(SqliteDataReader reader) => new()
    {
        Tenant = reader.GetString(0),
        Sequence = reader.GetInt64(1),
        EventId = Guid.ParseExact(reader.GetString(2), "D"),
        MemoryId = Guid.ParseExact(reader.GetString(3), "D"),
        EventType = ParseEnum<MemoryEventType>(reader.GetString(4)),
        StreamVersion = reader.GetInt64(5),
        OccurredAt = ParseTimestamp(reader.GetString(6)),
        Actor = new MemoryActor(ParseEnum<MemoryActorKind>(reader.GetString(7)), reader.GetString(8)),
        Reason = reader.IsDBNull(9) ? null : reader.GetString(9),
        Payload = reader.IsDBNull(10) ? null : reader.GetString(10),
        PayloadHash = reader.GetString(11),
        PreviousHash = reader.GetString(12),
        Hash = reader.GetString(13),
    };

    public static void AddEventParameters(SqliteCommand command, MemoryEvent e)
    {
        var p = command.Parameters;
        p.AddWithValue("$tenant", e.Tenant);
        p.AddWithValue("$sequence", e.Sequence);
        p.AddWithValue("$event_id", Id(e.EventId));
        p.AddWithValue("$memory_id", Id(e.MemoryId));
        p.AddWithValue("$event_type", MemoryJson.EnumName(e.EventType));
        p.AddWithValue("$stream_version", e.StreamVersion);
        p.AddWithValue("$occurred_at", Timestamp(e.OccurredAt));
        p.AddWithValue("$actor_kind", MemoryJson.EnumName(e.Actor.Kind));
        p.AddWithValue("$actor_id", e.Actor.Id);
        p.AddWithValue("$reason", (object?)e.Reason ?? DBNull.Value);
        p.AddWithValue("$payload", (object?)e.Payload ?? DBNull.Value);
        p.AddWithValue("$payload_hash", e.PayloadHash);
        p.AddWithValue("$previous_hash", e.PreviousHash);
        p.AddWithValue("$hash", e.Hash);
    }

    public static void AddObjectParameters(SqliteCommand command, MemoryRecord r)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", Id(r.Id));
        p.AddWithValue("$tenant", r.Tenant);
        p.AddWithValue("$type", r.Type);
        p.AddWithValue("$scope_kind", MemoryJson.EnumName(r.Scope.Kind));
        p.AddWithValue("$team", (object?)r.Scope.Team ?? DBNull.Value);
        p.AddWithValue("$agent", (object?)r.Scope.Agent ?? DBNull.Value);
        p.AddWithValue("$session", (object?)r.Scope.Session ?? DBNull.Value);
        p.AddWithValue("$subject", r.Subject);
        p.AddWithValue("$status", MemoryJson.EnumName(r.Status));
        p.AddWithValue("$created_at", Timestamp(r.CreatedAt));
        p.AddWithValue("$updated_at", Timestamp(r.UpdatedAt));
        p.AddWithValue("$valid_from", Timestamp(r.ValidFrom));
        p.AddWithValue("$valid_to", Timestamp(r.ValidTo));
        p.AddWithValue("$expires_at", Timestamp(r.ExpiresAt));
        p.AddWithValue("$version", r.Version);
        p.AddWithValue("$content_hash", r.ContentHash);
        p.AddWithValue("$idempotency_key", (object?)r.IdempotencyKey ?? DBNull.Value);
        p.AddWithValue("$metadata", JsonSerializer.Serialize(new Dictionary<string, string>(r.Metadata), MemoryJsonContext.Default.DictionaryStringString));
        p.AddWithValue("$text", r.Value.Text);
        p.AddWithValue("$record", MemoryJson.SerializeRecord(r));
    }

    public static MemoryEmbeddingModelState? ParseModelState(string? state) =>
        state is null ? null : ParseEnum<MemoryEmbeddingModelState>(state);

    public static byte[] VectorBytes(ReadOnlyMemory<float> vector) => MemoryMarshal.AsBytes(vector.Span).ToArray();

    public static ReadOnlySpan<float> VectorFromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes);

    public static TEnum ParseEnum<TEnum>(string name)
        where TEnum : struct, Enum =>
        MemoryJson.TryParseEnum<TEnum>(name, out var value) ? value : throw new InvalidDataException($"Unknown {typeof(TEnum).Name} '{name}' in the database.");
}
