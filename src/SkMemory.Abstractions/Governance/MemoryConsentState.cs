using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Whether a consent is granted or revoked.</summary>
public enum MemoryConsentState
{
    /// <summary>Granted: reads and writes allowed until it expires.</summary>
    [JsonStringEnumMemberName("granted")]
    Granted,

    /// <summary>Revoked: reads stop at once and the subject's memories in the scope are scheduled for deletion by retention.</summary>
    [JsonStringEnumMemberName("revoked")]
    Revoked,
}
