using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>The result of a write.</summary>
/// <param name="Record">The stored record: the new one, or the existing one for a duplicate.</param>
/// <param name="Outcome">Whether a record was created.</param>
public sealed record MemoryWriteResult(MemoryRecord Record, MemoryWriteOutcome Outcome);

/// <summary>What a write did.</summary>
public enum MemoryWriteOutcome
{
    /// <summary>A new record was created.</summary>
    [JsonStringEnumMemberName("created")]
    Created,

    /// <summary>The same idempotency key was seen before; nothing was written.</summary>
    [JsonStringEnumMemberName("idempotent_replay")]
    IdempotentReplay,

    /// <summary>The same content already exists in the same scope and subject; nothing was written.</summary>
    [JsonStringEnumMemberName("duplicate_content")]
    DuplicateContent,

    /// <summary>A review policy held the write: nothing is stored until a reviewer approves it (the record is a preview whose id is the review item's).</summary>
    [JsonStringEnumMemberName("held_for_review")]
    HeldForReview,
}
