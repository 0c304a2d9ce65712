namespace SkMemory;

/// <summary>
/// The part of a tenant a caller may read, as the store applies it inside its own queries (so a search's top k is taken
/// from readable memories only, and nothing unreadable is ever loaded): personal memories of some subjects, team
/// memories of some teams, public memories, and never a memory whose subject revoked consent for its scope.
/// </summary>
/// <remarks>Built by the access policy from a <see cref="MemoryCaller"/>; set on <see cref="MemoryFilter.Access"/>.</remarks>
public sealed record MemoryAccessScope
{
    /// <summary>Gets a value indicating whether every scope of the tenant is readable (administrators, auditors).</summary>
    public bool AllScopes { get; init; }

    /// <summary>Gets the subjects whose personal memories are readable.</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];

    /// <summary>Gets the teams whose team memories are readable.</summary>
    public IReadOnlyList<string> Teams { get; init; } = [];

    /// <summary>Gets a value indicating whether public memories are readable.</summary>
    public bool Public { get; init; } = true;
}
