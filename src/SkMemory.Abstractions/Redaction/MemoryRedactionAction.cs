using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>What the redaction policy does with a finding.</summary>
public enum MemoryRedactionAction
{
    /// <summary>Replace the value with <c>[redacted:&lt;kind&gt;]</c>; it is gone for good.</summary>
    [JsonStringEnumMemberName("redact")]
    Redact,

    /// <summary>
    /// Replace the value with a vault token <c>[[tok:&lt;kind&gt;:&lt;id&gt;]]</c>; a caller with
    /// <see cref="MemoryRoles.VaultReveal"/> can reveal it, and every reveal is audited.
    /// </summary>
    [JsonStringEnumMemberName("tokenize")]
    Tokenize,

    /// <summary>Keep the value and tag the memory (metadata <c>redaction.tags</c>) with the kind.</summary>
    [JsonStringEnumMemberName("tag")]
    Tag,

    /// <summary>Refuse the whole write (<see cref="MemoryErrorCode.Blocked"/>); nothing is stored.</summary>
    [JsonStringEnumMemberName("block")]
    Block,
}
