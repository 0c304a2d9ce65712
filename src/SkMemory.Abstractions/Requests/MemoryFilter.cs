namespace SkMemory;

/// <summary>
/// Filters shared by reads and searches. All set filters must match. By default only active, unexpired memories match.
/// </summary>
public record MemoryFilter
{
    /// <summary>The most ids <see cref="Ids"/> may list.</summary>
    public const int MaxIds = 1000;

    /// <summary>Gets the tenant; every read is inside one tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject to match, if any.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets the scope kinds to match, if any.</summary>
    public IReadOnlyList<MemoryScopeKind>? ScopeKinds { get; init; }

    /// <summary>Gets the team to match, if any.</summary>
    public string? Team { get; init; }

    /// <summary>Gets the agent to match, if any.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the session to match, if any.</summary>
    public string? Session { get; init; }

    /// <summary>Gets the memory types to match, if any.</summary>
    public IReadOnlyList<string>? Types { get; init; }

    /// <summary>
    /// Gets the statuses to match. Null means active only, or active and superseded when <see cref="ValidAt"/> is set.
    /// </summary>
    public IReadOnlyList<MemoryStatus>? Statuses { get; init; }

    /// <summary>Gets the inclusive lower bound on <c>created_at</c>.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Gets the exclusive upper bound on <c>created_at</c>.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Gets the inclusive lower bound on <c>updated_at</c>.</summary>
    public DateTimeOffset? UpdatedFrom { get; init; }

    /// <summary>Gets the exclusive upper bound on <c>updated_at</c>.</summary>
    public DateTimeOffset? UpdatedTo { get; init; }

    /// <summary>Gets an event time: only memories valid at that instant match (bi-temporal "as of").</summary>
    public DateTimeOffset? ValidAt { get; init; }

    /// <summary>Gets the ids the results must be among (at most <see cref="MaxIds"/>); <see langword="null"/> means any id.</summary>
    /// <remarks>Lets a layer that finds candidates elsewhere (the Mem0 store's vendor search) apply every other rule of this filter in the store.</remarks>
    public IReadOnlyList<Guid>? Ids { get; init; }

    /// <summary>Gets metadata entries that must all match exactly.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Gets what the caller may read, applied inside the store's query; <see langword="null"/> means unrestricted (trusted
    /// code below the access-control layer). When set, memories whose subject revoked (or let expire) consent for their
    /// scope are excluded too.
    /// </summary>
    public MemoryAccessScope? Access { get; init; }

    /// <summary>Gets a value indicating whether active memories past their time to live still match.</summary>
    public bool IncludeExpired { get; init; }

    /// <summary>Gets the statuses this filter matches once defaults are applied.</summary>
    /// <returns>The statuses.</returns>
    public IReadOnlyList<MemoryStatus> EffectiveStatuses() =>
        Statuses is { Count: > 0 } s ? s
        : ValidAt is null ? [MemoryStatus.Active]
        : [MemoryStatus.Active, MemoryStatus.Superseded];

    /// <summary>Copies only the filter part of this instance (useful when deriving from a query or search).</summary>
    /// <returns>A plain filter.</returns>
    public MemoryFilter ToFilter() => new(this);
}
