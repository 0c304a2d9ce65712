using System.Text.Json;

namespace SkMemory;

/// <summary>
/// One entry of a tenant's append-only, hash-chained event log. The payload is the memory's state after the change;
/// the chain covers the payload's hash, not the payload, so content can later be erased while the chain still verifies.
/// </summary>
public sealed record MemoryEvent
{
    /// <summary>Gets the tenant whose chain this event belongs to.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the position in the tenant's chain, from 1, without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>Gets the event id (UUID v7).</summary>
    public required Guid EventId { get; init; }

    /// <summary>Gets the memory this event changed.</summary>
    public required Guid MemoryId { get; init; }

    /// <summary>Gets the kind of change.</summary>
    public required MemoryEventType EventType { get; init; }

    /// <summary>Gets the memory's version after this event.</summary>
    public required long StreamVersion { get; init; }

    /// <summary>Gets when the change was recorded (system time, microsecond precision, UTC).</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Gets who made the change.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets why the change was made, when given.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the payload: the memory record's JSON after the change, or null when the content was erased.</summary>
    public string? Payload { get; init; }

    /// <summary>Gets the SHA-256 (lower-case hex) of the UTF-8 payload as first written.</summary>
    public required string PayloadHash { get; init; }

    /// <summary>Gets the hash of the previous event in the tenant's chain (64 zeros for the first).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Gets this event's chain hash (see <see cref="MemoryEventChain.ComputeHash"/>).</summary>
    public required string Hash { get; init; }

    /// <summary>Reads the memory record carried by the payload.</summary>
    /// <returns>The record, or null when the payload was erased.</returns>
    /// <exception cref="JsonException">The payload is not a valid memory record.</exception>
    public MemoryRecord? ReadRecord() => Payload is null ? null : MemoryJson.DeserializeRecord(Payload);
}
