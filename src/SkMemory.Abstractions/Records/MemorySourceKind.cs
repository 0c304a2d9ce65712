using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Where the evidence for a memory came from.</summary>
public enum MemorySourceKind
{
    /// <summary>Stated directly (an explicit "remember this").</summary>
    [JsonStringEnumMemberName("manual")]
    Manual,

    /// <summary>Conversation messages.</summary>
    [JsonStringEnumMemberName("message")]
    Message,

    /// <summary>A tool's output.</summary>
    [JsonStringEnumMemberName("tool")]
    Tool,

    /// <summary>A document or file.</summary>
    [JsonStringEnumMemberName("document")]
    Document,

    /// <summary>An import from another store or vendor.</summary>
    [JsonStringEnumMemberName("import")]
    Import,

    /// <summary>Derived by the memory system (merge, summary).</summary>
    [JsonStringEnumMemberName("derived")]
    Derived,
}
