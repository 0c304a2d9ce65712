using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>
/// A memory: a typed, versioned, scoped record with provenance. Every change to it is an event in the store's log;
/// this record is the current projection of those events.
/// </summary>
/// <remarks>Derived data (embeddings per model, summaries) lives beside the record, never inside it.</remarks>
public sealed record MemoryRecord
{
    /// <summary>The version of the record's JSON form that this library writes and reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Gets the version of this record's JSON form. Readers reject any version but <see cref="CurrentSchemaVersion"/>.</summary>
    [JsonRequired]
    [JsonPropertyOrder(-1)]
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Gets the stable id (UUID v7, time-ordered).</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the tenant: the isolation boundary.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory type name (see <see cref="MemoryTypes"/>).</summary>
    public required string Type { get; init; }

    /// <summary>Gets the scope inside the tenant.</summary>
    public required MemoryScope Scope { get; init; }

    /// <summary>Gets who or what the memory is about.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets who wrote the current version.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the memory's content.</summary>
    public required MemoryValue Value { get; init; }

    /// <summary>Gets the version of the type's schema that <see cref="MemoryValue.Structured"/> follows.</summary>
    public int ValueSchemaVersion { get; init; } = 1;

    /// <summary>Gets the evidence.</summary>
    public MemoryProvenance Provenance { get; init; } = MemoryProvenance.Manual;

    /// <summary>Gets how sure the writer is that this is true, 0..1.</summary>
    public double Confidence { get; init; } = 1;

    /// <summary>Gets how important this is to recall, 0..1.</summary>
    public double Salience { get; init; } = 0.5;

    /// <summary>Gets how relevance decays with time.</summary>
    public MemoryDecayPolicy DecayPolicy { get; init; } = MemoryDecayPolicy.None;

    /// <summary>Gets when the record was created (system time).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the record last changed (system time).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the fact became true (event time).</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>Gets when the fact stopped being true (set when superseded or deleted).</summary>
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>Gets the time to live from <see cref="ValidFrom"/>, if the memory expires.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Gets the life-cycle state.</summary>
    public MemoryStatus Status { get; init; } = MemoryStatus.Active;

    /// <summary>Gets the id of the memory this one replaced.</summary>
    public Guid? Supersedes { get; init; }

    /// <summary>Gets the id of the memory that replaced this one.</summary>
    public Guid? SupersededBy { get; init; }

    /// <summary>Gets why the memory was deleted.</summary>
    public string? DeletionReason { get; init; }

    /// <summary>Gets the optimistic-concurrency version: 1 at creation, incremented by every change.</summary>
    public long Version { get; init; } = 1;

    /// <summary>Gets free-form string metadata, filterable by exact match.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the caller's idempotency key for the write that created this record.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the hash of the normalized content in its scope, used to recognize duplicate writes.</summary>
    public required string ContentHash { get; init; }

    /// <summary>Gets when the memory expires, derived from <see cref="ValidFrom"/> and <see cref="Ttl"/>.</summary>
    public DateTimeOffset? ExpiresAt => Ttl is { } ttl ? ValidFrom + ttl : null;

    /// <inheritdoc />
    public bool Equals(MemoryRecord? other) =>
        other is not null
        && Id == other.Id
        && Tenant == other.Tenant
        && Type == other.Type
        && Scope == other.Scope
        && Subject == other.Subject
        && Actor == other.Actor
        && Value == other.Value
        && ValueSchemaVersion == other.ValueSchemaVersion
        && Provenance == other.Provenance
        && Confidence.Equals(other.Confidence)
        && Salience.Equals(other.Salience)
        && DecayPolicy == other.DecayPolicy
        && CreatedAt == other.CreatedAt
        && UpdatedAt == other.UpdatedAt
        && ValidFrom == other.ValidFrom
        && ValidTo == other.ValidTo
        && Ttl == other.Ttl
        && Status == other.Status
        && Supersedes == other.Supersedes
        && SupersededBy == other.SupersededBy
        && DeletionReason == other.DeletionReason
        && Version == other.Version
        && IdempotencyKey == other.IdempotencyKey
        && ContentHash == other.ContentHash
        && Metadata.Count == other.Metadata.Count
        && Metadata.All(kv => other.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Version, ContentHash);
}
