using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Where a held write stands.</summary>
public enum MemoryReviewState
{
    /// <summary>Waiting for a reviewer.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Approved: the write was applied.</summary>
    [JsonStringEnumMemberName("approved")]
    Approved,

    /// <summary>Rejected: nothing was written.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected,
}
