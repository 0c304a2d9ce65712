namespace SkMemory.Storage;

/// <summary>The last event of a tenant's chain: its sequence and hash.</summary>
/// <param name="Sequence">The last sequence number, 0 for an empty chain.</param>
/// <param name="Hash">The last hash, <see cref="MemoryEventChain.GenesisHash"/> for an empty chain.</param>
public sealed record ChainHead(long Sequence, string Hash)
{
    /// <summary>Gets the head of an empty chain.</summary>
    public static ChainHead Empty { get; } = new(0, MemoryEventChain.GenesisHash);

    /// <summary>
    /// Builds the event of a change to a memory, not chained yet (no sequence or hashes but the payload's): the write path
    /// chains it at once, the bulk loader later, under the lock of the heads it continues.
    /// </summary>
    /// <param name="type">The kind of change.</param>
    /// <param name="state">The memory after the change.</param>
    /// <param name="payload">The state's JSON (<see cref="MemoryJson.SerializeRecord"/>).</param>
    /// <param name="actor">Who made the change.</param>
    /// <param name="reason">Why, when given.</param>
    /// <param name="now">When (microsecond precision); the event id follows it.</param>
    /// <returns>The event, to pass to <see cref="Chain"/>.</returns>
    internal static MemoryEvent Unchained(MemoryEventType type, MemoryRecord state, string payload, MemoryActor actor, string? reason, DateTimeOffset now) => new()
    {
        Tenant = state.Tenant,
        Sequence = 0,
        EventId = MonotonicUuidV7.Create(now),
        MemoryId = state.Id,
        EventType = type,
        StreamVersion = state.Version,
        OccurredAt = now,
        Actor = actor,
        Reason = reason,
        Payload = payload,
        PayloadHash = MemoryEventChain.ComputePayloadHash(payload),
        PreviousHash = string.Empty,
        Hash = string.Empty,
    };

    /// <summary>Chains an event after this head: the next sequence, this head's hash as its previous hash, and its own hash.</summary>
    /// <param name="e">The event (from <see cref="Unchained"/>).</param>
    /// <returns>The chained event; its sequence and hash are the chain's new head.</returns>
    internal MemoryEvent Chain(MemoryEvent e)
    {
        var chained = e with { Sequence = Sequence + 1, PreviousHash = Hash };
        return chained with { Hash = MemoryEventChain.ComputeHash(chained) };
    }
}
