using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Who a memory is shared with inside its tenant.</summary>
public enum MemoryScopeKind
{
    /// <summary>About and for one subject only.</summary>
    [JsonStringEnumMemberName("personal")]
    Personal,

    /// <summary>Shared with the members of a named team.</summary>
    [JsonStringEnumMemberName("team")]
    Team,

    /// <summary>Tenant-wide knowledge.</summary>
    [JsonStringEnumMemberName("public")]
    Public,
}
