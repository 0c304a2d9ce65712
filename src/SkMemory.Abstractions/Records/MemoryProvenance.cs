using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>The evidence for a memory: where it came from and what it was observed in.</summary>
public sealed record MemoryProvenance
{
    /// <summary>Gets the kind of source.</summary>
    public MemorySourceKind SourceKind { get; init; } = MemorySourceKind.Manual;

    /// <summary>Gets the ids of the messages the memory was observed in.</summary>
    public IReadOnlyList<string> MessageIds { get; init; } = [];

    /// <summary>Gets the ids of the tool calls the memory came from.</summary>
    public IReadOnlyList<string> ToolCallIds { get; init; } = [];

    /// <summary>Gets content hashes (for example <c>sha256:…</c>) of the files the memory came from.</summary>
    public IReadOnlyList<string> FileHashes { get; init; } = [];

    /// <summary>Gets the exact spans of source text that support the memory.</summary>
    public IReadOnlyList<string> QuotedSpans { get; init; } = [];

    /// <summary>Gets when the evidence was observed (event time), if known.</summary>
    public DateTimeOffset? ObservedAt { get; init; }

    /// <summary>Gets a provenance for a memory stated directly, with no further evidence.</summary>
    public static MemoryProvenance Manual { get; } = new();

    /// <summary>Gets a value indicating whether any evidence item is present.</summary>
    [JsonIgnore]
    public bool HasEvidence => MessageIds.Count > 0 || ToolCallIds.Count > 0 || FileHashes.Count > 0 || QuotedSpans.Count > 0;

    /// <inheritdoc />
    public bool Equals(MemoryProvenance? other) =>
        other is not null
        && SourceKind == other.SourceKind
        && ObservedAt == other.ObservedAt
        && MessageIds.SequenceEqual(other.MessageIds, StringComparer.Ordinal)
        && ToolCallIds.SequenceEqual(other.ToolCallIds, StringComparer.Ordinal)
        && FileHashes.SequenceEqual(other.FileHashes, StringComparer.Ordinal)
        && QuotedSpans.SequenceEqual(other.QuotedSpans, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SourceKind, ObservedAt, MessageIds.Count, QuotedSpans.Count);
}
