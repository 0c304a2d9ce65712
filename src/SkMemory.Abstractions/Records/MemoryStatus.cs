using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>The life-cycle state of a memory.</summary>
public enum MemoryStatus
{
    /// <summary>Current and retrievable.</summary>
    [JsonStringEnumMemberName("active")]
    Active,

    /// <summary>Replaced by a newer version; still readable in history, with <c>valid_to</c> set.</summary>
    [JsonStringEnumMemberName("superseded")]
    Superseded,

    /// <summary>Folded into another memory.</summary>
    [JsonStringEnumMemberName("merged")]
    Merged,

    /// <summary>Past its time to live.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired,

    /// <summary>Deleted with a reason.</summary>
    [JsonStringEnumMemberName("deleted")]
    Deleted,
}
