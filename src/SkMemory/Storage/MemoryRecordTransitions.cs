namespace SkMemory.Storage;

/// <summary>
/// The records a write creates and the record changes of a supersede and a delete, shared by the write path (<see cref="EventSourcedMemoryStore"/>) and
/// the Postgres bulk loader, so a bulk-loaded history is the one the write path would have written.
/// </summary>
internal static class MemoryRecordTransitions
{
    /// <summary>The first version of a memory written by <paramref name="request"/> (validated) at <paramref name="now"/>.</summary>
    /// <param name="request">The write request.</param>
    /// <param name="type">Its validated type.</param>
    /// <param name="value">Its validated value.</param>
    /// <param name="contentHash">The value's content hash.</param>
    /// <param name="now">When (truncated to microseconds).</param>
    /// <returns>The record.</returns>
    public static MemoryRecord Create(MemoryWriteRequest request, MemoryTypeDefinition type, MemoryValue value, string contentHash, DateTimeOffset now) =>
        new()
        {
            Id = MonotonicUuidV7.Create(now),
            Tenant = request.Tenant,
            Type = type.Name,
            Scope = request.Scope,
            Subject = request.Subject,
            Actor = request.Actor,
            Value = value,
            ValueSchemaVersion = type.SchemaVersion,
            Provenance = Truncate(request.Provenance),
            Confidence = request.Confidence,
            Salience = request.Salience,
            DecayPolicy = request.DecayPolicy,
            CreatedAt = now,
            UpdatedAt = now,
            ValidFrom = request.ValidFrom is { } validFrom ? MemoryEventChain.TruncateToMicroseconds(validFrom) : now,
            Ttl = request.Ttl,
            Metadata = Copy(request.Metadata),
            IdempotencyKey = request.IdempotencyKey,
            ContentHash = contentHash,
        };

    /// <summary>A copy of metadata the record owns (empty for none), so the caller's dictionary can change afterwards.</summary>
    /// <param name="metadata">The metadata, or null.</param>
    /// <returns>The copy.</returns>
    public static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);

    /// <summary>Provenance with its observation time at the log's precision (microseconds).</summary>
    /// <param name="provenance">The provenance.</param>
    /// <returns>The provenance as stored.</returns>
    public static MemoryProvenance Truncate(MemoryProvenance provenance) =>
        provenance.ObservedAt is { } observed ? provenance with { ObservedAt = MemoryEventChain.TruncateToMicroseconds(observed) } : provenance;

    /// <summary>Closes <paramref name="current"/> and opens its replacement, valid from <paramref name="validFrom"/>.</summary>
    /// <param name="current">The active version.</param>
    /// <param name="replacement"><paramref name="current"/> with the new content (value, content hash, and any provenance, confidence, salience or metadata change).</param>
    /// <param name="actor">Who supersedes it.</param>
    /// <param name="now">When (truncated to microseconds).</param>
    /// <param name="validFrom">When the new version starts (truncated to microseconds; not before <paramref name="current"/>'s start).</param>
    /// <returns>The closed old version and the new one.</returns>
    public static (MemoryRecord Previous, MemoryRecord Next) Supersede(MemoryRecord current, MemoryRecord replacement, MemoryActor actor, DateTimeOffset now, DateTimeOffset validFrom)
    {
        var next = replacement with
        {
            Id = MonotonicUuidV7.Create(now),
            Actor = actor,
            CreatedAt = now,
            UpdatedAt = now,
            ValidFrom = validFrom,
            ValidTo = null,
            Status = MemoryStatus.Active,
            Supersedes = current.Id,
            SupersededBy = null,
            Version = 1,
            IdempotencyKey = null,
        };
        var previous = current with
        {
            Status = MemoryStatus.Superseded,
            ValidTo = validFrom,
            SupersededBy = next.Id,
            Actor = actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        return (previous, next);
    }

    /// <summary>Marks <paramref name="current"/> deleted (its validity ends now unless it ended before).</summary>
    /// <param name="current">The memory.</param>
    /// <param name="actor">Who deletes it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="now">When (truncated to microseconds).</param>
    /// <returns>The deleted version.</returns>
    public static MemoryRecord Delete(MemoryRecord current, MemoryActor actor, string reason, DateTimeOffset now) =>
        current with
        {
            Status = MemoryStatus.Deleted,
            DeletionReason = reason,
            ValidTo = current.ValidTo ?? now,
            Actor = actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
}
