using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace SkMemory.Storage.Postgres;

/// <summary>Maps records and events to and from PostgreSQL rows.</summary>
internal static class PostgresRows
{
    public const string EventColumns = "tenant, sequence, event_id, memory_id, event_type, stream_version, occurred_at, actor_kind, actor_id, reason, payload, payload_hash, previous_hash, hash";

    // The projection's columns as the write path and the bulk loader write them (origin_content_hash: the content hash the memory was created with).
    public const string ObjectColumns =
        "id, tenant, type, scope_kind, team, agent, session, subject, status, created_at, updated_at, valid_from, valid_to, expires_at, version, content_hash, origin_content_hash, idempotency_key, metadata, \"text\", record";

    public static MemoryRecord ReadRecord(NpgsqlDataReader reader, int ordinal) => MemoryJson.DeserializeRecord(reader.GetString(ordinal));

    public static MemoryEvent ReadEvent(NpgsqlDataReader reader) => new()
    {
        Tenant = reader.GetString(0),
        Sequence = reader.GetInt64(1),
        EventId = reader.GetGuid(2),
        MemoryId = reader.GetGuid(3),
        EventType = ParseEnum<MemoryEventType>(reader.GetString(4)),
        StreamVersion = reader.GetInt64(5),
        OccurredAt = reader.GetFieldValue<DateTimeOffset>(6),
        Actor = new MemoryActor(ParseEnum<MemoryActorKind>(reader.GetString(7)), reader.GetString(8)),
        Reason = reader.IsDBNull(9) ? null : reader.GetString(9),
        Payload = reader.IsDBNull(10) ? null : reader.GetString(10),
        PayloadHash = reader.GetString(11),
        PreviousHash = reader.GetString(12),
        Hash = reader.GetString(13),
    };

    public static void AddEventParameters(NpgsqlCommand command, MemoryEvent e)
    {
        Text(command, "tenant", e.Tenant);
        Add(command, "sequence", e.Sequence);
        Add(command, "event_id", e.EventId);
        Add(command, "memory_id", e.MemoryId);
        Text(command, "event_type", MemoryJson.EnumName(e.EventType));
        Add(command, "stream_version", e.StreamVersion);
        Time(command, "occurred_at", e.OccurredAt);
        Text(command, "actor_kind", MemoryJson.EnumName(e.Actor.Kind));
        Text(command, "actor_id", e.Actor.Id);
        Text(command, "reason", e.Reason);
        Text(command, "payload", e.Payload);
        Text(command, "payload_hash", e.PayloadHash);
        Text(command, "previous_hash", e.PreviousHash);
        Text(command, "hash", e.Hash);
    }

    public static void AddObjectParameters(NpgsqlCommand command, MemoryRecord r)
    {
        Add(command, "id", r.Id);
        Text(command, "tenant", r.Tenant);
        Text(command, "type", r.Type);
        Text(command, "scope_kind", MemoryJson.EnumName(r.Scope.Kind));
        Text(command, "team", r.Scope.Team);
        Text(command, "agent", r.Scope.Agent);
        Text(command, "session", r.Scope.Session);
        Text(command, "subject", r.Subject);
        Text(command, "status", MemoryJson.EnumName(r.Status));
        Time(command, "created_at", r.CreatedAt);
        Time(command, "updated_at", r.UpdatedAt);
        Time(command, "valid_from", r.ValidFrom);
        Time(command, "valid_to", r.ValidTo);
        Time(command, "expires_at", r.ExpiresAt);
        Add(command, "version", r.Version);
        Text(command, "content_hash", r.ContentHash);
        Text(command, "idempotency_key", r.IdempotencyKey);
        Json(command, "metadata", MetadataJson(r.Metadata));

        Text(command, "text", r.Value.Text);
        Text(command, "record", MemoryJson.SerializeRecord(r));
    }

    public static string MetadataJson(IReadOnlyDictionary<string, string> metadata) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(metadata, StringComparer.Ordinal), MemoryJsonContext.Default.DictionaryStringString);

    public static void Text(NpgsqlCommand command, string name, string? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    public static void Json(NpgsqlCommand command, string name, string value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = value });

    public static void Time(NpgsqlCommand command, string name, DateTimeOffset? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value });

    public static void TextArray(NpgsqlCommand command, string name, IEnumerable<string> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() });

    public static void Add<T>(NpgsqlCommand command, string name, T value) =>
        command.Parameters.Add(new NpgsqlParameter<T>(name, value));

    public static MemoryEmbeddingModelState ParseModelState(string state) => ParseEnum<MemoryEmbeddingModelState>(state);

    public static TEnum ParseEnum<TEnum>(string name)
        where TEnum : struct, Enum =>
        MemoryJson.TryParseEnum<TEnum>(name, out var value) ? value : throw new InvalidDataException($"Unknown {typeof(TEnum).Name} '{name}' in the database.");
}
