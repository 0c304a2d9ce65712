using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Mem0;

/// <summary>
/// How a memory travels to Mem0 and back. The text is the memory's value text (what Mem0 searches); the whole typed
/// record rides in <c>metadata.skmem</c> (the canonical JSON form, so it comes back intact), with flat
/// <c>skmem_tenant</c>, <c>skmem_type</c>, <c>skmem_status</c> and <c>skmem_id</c> keys Mem0's filters can match.
/// Scopes map onto Mem0's entity ids: subject → <c>user_id</c>, agent → <c>agent_id</c>, session → <c>run_id</c>, and
/// tenant → <c>app_id</c> on the Platform (the self-hosted server has no app id; the tenant is then in metadata only).
/// </summary>
internal static class Mem0RecordCodec
{
    public const string RecordKey = "skmem";
    public const string TenantKey = "skmem_tenant";
    public const string TypeKey = "skmem_type";
    public const string StatusKey = "skmem_status";
    public const string IdKey = "skmem_id";

    /// <summary>The metadata key under which an adopted (foreign) memory keeps the Mem0 id it came from.</summary>
    public const string AdoptedFromKey = "mem0.id";

    public static Mem0Entities Entities(MemoryRecord record, Mem0ApiFlavor flavor) =>
        new(EntityId(record.Subject), EntityId(record.Scope.Agent), flavor == Mem0ApiFlavor.Platform ? EntityId(record.Tenant) : null, EntityId(record.Scope.Session));

    public static Mem0Entities Entities(MemoryFilter filter, Mem0ApiFlavor flavor) =>
        new(EntityId(filter.Subject), EntityId(filter.Agent), flavor == Mem0ApiFlavor.Platform ? EntityId(filter.Tenant) : null, EntityId(filter.Session));

    /// <summary>
    /// An SkMemory name as a Mem0 entity id. Mem0 refuses ids with whitespace, which SkMemory names may hold ("John Smith"),
    /// so whitespace and '%' are percent-encoded: reversible, and unchanged for every name without them.
    /// </summary>
    public static string? EntityId(string? name)
    {
        if (name is null || !name.Any(c => c == '%' || char.IsWhiteSpace(c)))
        {
            return name;
        }

        var encoded = new StringBuilder(name.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in name.EnumerateRunes())
        {
            if (rune.Value == '%' || Rune.IsWhiteSpace(rune))
            {
                var length = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..length])
                {
                    encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                encoded.Append(rune.ToString());
            }
        }

        return encoded.ToString();
    }

    /// <summary>The SkMemory name an entity id stands for (the reverse of <see cref="EntityId"/>).</summary>
    public static string? Name(string? entityId)
    {
        if (entityId is null || !entityId.Contains('%', StringComparison.Ordinal))
        {
            return entityId;
        }

        try
        {
            return Uri.UnescapeDataString(entityId);
        }
        catch (UriFormatException)
        {
            return entityId;
        }
    }

    public static JsonObject Metadata(MemoryRecord record) => new()
    {
        [RecordKey] = JsonNode.Parse(MemoryJson.SerializeRecord(record)),
        [TenantKey] = record.Tenant,
        [TypeKey] = record.Type,
        [StatusKey] = MemoryJson.EnumName(record.Status),
        [IdKey] = record.Id.ToString("D"),
    };

    /// <summary>
    /// The day after which Mem0 may hide the memory: the day its time to live ends, rounded up, so Mem0 never hides a
    /// memory before the canonical store expires it (the store's own filter applies the exact instant).
    /// </summary>
    public static DateOnly? ExpirationDate(MemoryRecord record)
    {
        if (record.ExpiresAt is not { } expiresAt)
        {
            return null;
        }

        var utc = expiresAt.UtcDateTime;
        var day = DateOnly.FromDateTime(utc);
        return utc.TimeOfDay == TimeSpan.Zero ? day : day.AddDays(1);
    }

    /// <summary>The SkMemory record a Mem0 memory carries, or null when another client wrote it.</summary>
    /// <exception cref="MemoryException">The metadata claims to carry a record but it does not parse.</exception>
    public static MemoryRecord? Decode(Mem0Memory memory)
    {
        if (memory.Metadata?[RecordKey] is not JsonObject carried)
        {
            return null;
        }

        try
        {
            return MemoryJson.DeserializeRecord(carried.ToJsonString());
        }
        catch (JsonException ex)
        {
            throw new MemoryException(MemoryErrorCode.ImportInvalid, $"Mem0 memory {memory.Id} carries an unreadable SkMemory record in metadata.{RecordKey}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A record for a memory another Mem0 client wrote: its Mem0 id becomes the id (Mem0 ids are UUIDs), its text the
    /// value, its user (else agent, else run) the subject, its timestamps the record's, and its metadata kept as strings.
    /// </summary>
    public static MemoryRecord Adopt(Mem0Memory memory, string tenant, string type, DateTimeOffset now)
    {
        if (!Guid.TryParse(memory.Id, out var id))
        {
            throw new MemoryException(MemoryErrorCode.ImportInvalid, $"Mem0 memory id '{memory.Id}' is not a UUID, so it cannot become a SkMemory id.");
        }

        var entities = memory.Entities with { UserId = Name(memory.Entities.UserId), AgentId = Name(memory.Entities.AgentId), RunId = Name(memory.Entities.RunId) };
        var subject = entities.UserId ?? entities.AgentId ?? entities.RunId
            ?? throw new MemoryException(MemoryErrorCode.ImportInvalid, $"Mem0 memory {memory.Id} has no user, agent or run id to take as its subject.");
        var created = Micro(memory.CreatedAt ?? now);
        var updated = Micro(memory.UpdatedAt ?? created);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [AdoptedFromKey] = memory.Id };
        foreach (var (key, value) in memory.Metadata ?? [])
        {
            if (value is not null && !key.StartsWith(RecordKey, StringComparison.Ordinal))
            {
                metadata["mem0." + key] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
            }
        }

        if (memory.Categories.Count > 0)
        {
            metadata["mem0.categories"] = string.Join(',', memory.Categories);
        }

        var scope = new MemoryScope { Kind = MemoryScopeKind.Personal, Agent = entities.UserId is null ? null : entities.AgentId, Session = entities.RunId };
        var ttl = memory.ExpirationDate is { } expires
            ? new DateTimeOffset(expires.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1) - created
            : (TimeSpan?)null;
        return new MemoryRecord
        {
            Id = id,
            Tenant = tenant,
            Type = type,
            Scope = scope,
            Subject = subject,
            Actor = entities.AgentId is { } agent ? MemoryActor.Agent(agent) : new MemoryActor(MemoryActorKind.System, "mem0"),
            Value = memory.Memory,
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Import, ObservedAt = created },
            CreatedAt = created,
            UpdatedAt = updated < created ? created : updated,
            ValidFrom = created,
            Ttl = ttl is { } t && t > TimeSpan.Zero ? t : null,
            Metadata = metadata,
            ContentHash = MemoryContentHash(type, scope, subject, memory.Memory),
        };
    }

    /// <summary>The text Mem0 holds differs from the record's value, or the record Mem0 carries is not this version.</summary>
    public static bool Differs(Mem0Memory memory, MemoryRecord record) =>
        !string.Equals(memory.Memory, record.Value.Text, StringComparison.Ordinal)
        || Decode(memory) is not { } carried
        || carried.Version != record.Version
        || carried.Status != record.Status;

    public static string Describe(Mem0Entities entities) =>
        string.Join(
            ", ",
            new[] { ("user_id", entities.UserId), ("agent_id", entities.AgentId), ("app_id", entities.AppId), ("run_id", entities.RunId) }
                .Where(p => p.Item2 is not null)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Item1}={p.Item2}")));

    private static string MemoryContentHash(string type, MemoryScope scope, string subject, string text) =>
        Storage.MemoryRequestValidator.ContentHash(type, scope, subject, text);

    private static DateTimeOffset Micro(DateTimeOffset value) => MemoryEventChain.TruncateToMicroseconds(value);
}
