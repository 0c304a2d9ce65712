using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>The kinds of change recorded in the event log.</summary>
public enum MemoryEventType
{
    /// <summary>A memory was written.</summary>
    [JsonStringEnumMemberName("created")]
    Created,

    /// <summary>A memory's value or attributes changed in place.</summary>
    [JsonStringEnumMemberName("updated")]
    Updated,

    /// <summary>A memory was replaced by a newer one and its validity closed.</summary>
    [JsonStringEnumMemberName("superseded")]
    Superseded,

    /// <summary>Corroborating evidence was merged into a memory (its confidence may rise); undone by an update naming the merge.</summary>
    [JsonStringEnumMemberName("merged")]
    Merged,

    /// <summary>Sensitive content was removed from a memory.</summary>
    [JsonStringEnumMemberName("redacted")]
    Redacted,

    /// <summary>A memory passed its time to live.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired,

    /// <summary>A memory was deleted with a reason.</summary>
    [JsonStringEnumMemberName("deleted")]
    Deleted,

    /// <summary>A deleted or expired memory was restored.</summary>
    [JsonStringEnumMemberName("restored")]
    Restored,

    /// <summary>A subject's consent changed.</summary>
    [JsonStringEnumMemberName("consent_changed")]
    ConsentChanged,
}
