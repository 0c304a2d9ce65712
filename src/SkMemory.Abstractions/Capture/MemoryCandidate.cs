using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>
/// A memory an extractor proposes, with its evidence. The gate decides whether it becomes durable; the evolve step decides
/// whether it adds, merges into, supersedes or repeats an existing memory.
/// </summary>
public sealed record MemoryCandidate
{
    /// <summary>Gets the memory type name.</summary>
    public required string Type { get; init; }

    /// <summary>Gets who the memory is about.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the memory: text naming the subject (never "I"), plus a structured value where the type has a schema.</summary>
    public required MemoryValue Value { get; init; }

    /// <summary>Gets who stated it (the speaker, tool or document), for attribution.</summary>
    public string? Source { get; init; }

    /// <summary>Gets how sure the extractor is, 0..1.</summary>
    public double Confidence { get; init; } = 0.5;

    /// <summary>Gets how important it is to recall, 0..1.</summary>
    public double Salience { get; init; } = 0.5;

    /// <summary>Gets the evidence: message ids, quoted spans, tool call ids or file hashes, and when it was observed.</summary>
    public required MemoryProvenance Evidence { get; init; }

    /// <summary>
    /// Gets the slot the memory fills when the subject has at most one value for it at a time (<c>preference:milk</c>,
    /// <c>asset:shipping_address</c>, <c>fact:home_city</c>): a newer value for the same slot supersedes the older one.
    /// Lower-case; null for memories that accumulate (skills, events).
    /// </summary>
    public string? Key { get; init; }

    /// <summary>Gets the value this one replaces when the source states a change ("switched from almond milk"), if it says.</summary>
    public string? Replaces { get; init; }

    /// <summary>Gets when the fact became true (event time, grounded against the observation time); the observation time when null.</summary>
    public DateTimeOffset? ValidFrom { get; init; }

    /// <summary>Gets traits the extractor noticed that make the content unfit for durable memory; the gate decides what they mean.</summary>
    public IReadOnlyList<MemoryCandidateSignal> Signals { get; init; } = [];

    /// <summary>Gets the name of the extractor that proposed it.</summary>
    public required string Extractor { get; init; }
}

/// <summary>Traits of a candidate that argue against promoting it to durable memory.</summary>
public enum MemoryCandidateSignal
{
    /// <summary>True only now ("I'm in a hurry today", "I'm tired").</summary>
    [JsonStringEnumMemberName("transient")]
    Transient,

    /// <summary>A one-off code snippet, stack trace or log excerpt.</summary>
    [JsonStringEnumMemberName("code_snippet")]
    CodeSnippet,

    /// <summary>The assistant's own guess, suggestion or assumption, not something the subject stated.</summary>
    [JsonStringEnumMemberName("assistant_speculation")]
    AssistantSpeculation,

    /// <summary>Content quoted from outside the subject (a web page, an article, search results).</summary>
    [JsonStringEnumMemberName("external_content")]
    ExternalContent,

    /// <summary>A hypothetical, question or wish, not a statement ("if I moved to Berlin…", "should I learn Go?").</summary>
    [JsonStringEnumMemberName("hypothetical")]
    Hypothetical,
}
