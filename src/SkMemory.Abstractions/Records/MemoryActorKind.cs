using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>What kind of party performed a change.</summary>
public enum MemoryActorKind
{
    /// <summary>A person.</summary>
    [JsonStringEnumMemberName("user")]
    User,

    /// <summary>An AI agent.</summary>
    [JsonStringEnumMemberName("agent")]
    Agent,

    /// <summary>A tool invoked by an agent.</summary>
    [JsonStringEnumMemberName("tool")]
    Tool,

    /// <summary>An import of an export file.</summary>
    [JsonStringEnumMemberName("import")]
    Import,

    /// <summary>The memory system itself (sweeps, retention, migrations).</summary>
    [JsonStringEnumMemberName("system")]
    System,

    /// <summary>A service acting with its own identity.</summary>
    [JsonStringEnumMemberName("service")]
    Service,
}
