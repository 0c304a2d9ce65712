using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>One history row (ADD/UPDATE/DELETE) of a memory.</summary>
internal sealed record HistoryEntry(
    Guid Id,
    Guid MemoryId,
    string? OldMemory,
    string? NewMemory,
    string Event,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    bool IsDeleted,
    string? Role,
    MemoryRecord Snapshot)
{
    /// <summary>Gets when the row was written (Platform rows show this as created_at/updated_at).</summary>
    public DateTimeOffset WrittenAt { get; init; }

    /// <summary>Gets the metadata at the time of the row.</summary>
    public JsonObject? Metadata { get; init; }
}
