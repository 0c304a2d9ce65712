using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>A candidate (or a model reply) that was not promoted, and why.</summary>
/// <param name="Reason">The rule that rejected it.</param>
/// <param name="Detail">A sentence naming what was wrong.</param>
/// <param name="Candidate">The candidate, when there was one to reject (a malformed model reply has none).</param>
public sealed record MemoryCandidateRejection(MemoryRejectionReason Reason, string Detail, MemoryCandidate? Candidate = null);

/// <summary>Why a candidate was not promoted to durable memory.</summary>
public enum MemoryRejectionReason
{
    /// <summary>It cites no evidence.</summary>
    [JsonStringEnumMemberName("no_evidence")]
    NoEvidence,

    /// <summary>Its quoted evidence does not occur in the source it cites, or it cites a source that was not given.</summary>
    [JsonStringEnumMemberName("evidence_not_found")]
    EvidenceNotFound,

    /// <summary>Its confidence is under the type's threshold.</summary>
    [JsonStringEnumMemberName("low_confidence")]
    LowConfidence,

    /// <summary>It is true only now.</summary>
    [JsonStringEnumMemberName("transient")]
    Transient,

    /// <summary>It is a one-off code snippet.</summary>
    [JsonStringEnumMemberName("code_snippet")]
    CodeSnippet,

    /// <summary>It is the assistant's guess, not the subject's statement.</summary>
    [JsonStringEnumMemberName("assistant_speculation")]
    AssistantSpeculation,

    /// <summary>It is content quoted from outside the subject.</summary>
    [JsonStringEnumMemberName("external_content")]
    ExternalContent,

    /// <summary>It is a hypothetical, question or wish.</summary>
    [JsonStringEnumMemberName("hypothetical")]
    Hypothetical,

    /// <summary>Its type is not registered, or capture of the type is turned off.</summary>
    [JsonStringEnumMemberName("type_not_captured")]
    TypeNotCaptured,

    /// <summary>Its value is empty, too long, or fails the type's JSON schema.</summary>
    [JsonStringEnumMemberName("invalid_value")]
    InvalidValue,

    /// <summary>The model's reply was malformed or partial twice; nothing from it was kept.</summary>
    [JsonStringEnumMemberName("malformed_output")]
    MalformedOutput,
}
