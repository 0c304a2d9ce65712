using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>
/// An ingestion job: the raw input it was given (kept until extracted, so large inputs can be stored now and extracted
/// later), the stages it went through, and what each stage did, with every rejection and decision and its reason.
/// </summary>
public sealed record MemoryIngestionJob
{
    /// <summary>Gets the job id (<c>ing_</c> and a time-ordered hex id).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the life-cycle state.</summary>
    public MemoryIngestionJobState State { get; init; } = MemoryIngestionJobState.Pending;

    /// <summary>Gets when the job was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the job last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the input: what to extract from.</summary>
    public required MemoryExtractionRequest Input { get; init; }

    /// <summary>Gets the stages run so far, in order (<c>extract</c>, <c>gate</c>, <c>evolve</c>).</summary>
    public IReadOnlyList<MemoryIngestionStage> Stages { get; init; } = [];

    /// <summary>Gets the counts.</summary>
    public MemoryIngestionCounts Counts { get; init; } = new();

    /// <summary>Gets the candidates not promoted, with the reason.</summary>
    public IReadOnlyList<MemoryCandidateRejection> Rejections { get; init; } = [];

    /// <summary>Gets the evolve decisions applied, with the reason and the memory they produced or touched.</summary>
    public IReadOnlyList<MemoryIngestionDecision> Decisions { get; init; } = [];

    /// <summary>Gets errors that failed the job or a candidate, with what to do next.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>An ingestion job's life-cycle state.</summary>
public enum MemoryIngestionJobState
{
    /// <summary>Stored raw; not extracted yet.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Being extracted, gated and evolved.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Done; every candidate was stored, merged, superseded, repeated or rejected with a reason.</summary>
    [JsonStringEnumMemberName("completed")]
    Completed,

    /// <summary>Stopped by an error (see <see cref="MemoryIngestionJob.Errors"/>); run it again to retry.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>One stage of an ingestion job.</summary>
/// <param name="Name">The stage: <c>extract</c>, <c>gate</c> or <c>evolve</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it finished; null while running or when it failed.</param>
/// <param name="Error">Why it failed, if it did.</param>
public sealed record MemoryIngestionStage(string Name, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Error = null);

/// <summary>What an ingestion job counted.</summary>
public sealed record MemoryIngestionCounts
{
    /// <summary>Gets the number of input items (messages, tool outputs, documents).</summary>
    public int Items { get; init; }

    /// <summary>Gets the number of items skipped because an earlier job already ingested them unchanged.</summary>
    public int Replayed { get; init; }

    /// <summary>Gets the number of candidates extracted.</summary>
    public int Candidates { get; init; }

    /// <summary>Gets the number of candidates the gate accepted.</summary>
    public int Accepted { get; init; }

    /// <summary>Gets the number of candidates (or model replies) rejected.</summary>
    public int Rejected { get; init; }

    /// <summary>Gets the number of new memories added.</summary>
    public int Added { get; init; }

    /// <summary>Gets the number of candidates merged into an existing memory as corroboration.</summary>
    public int Merged { get; init; }

    /// <summary>Gets the number of memories superseded by a candidate.</summary>
    public int Superseded { get; init; }

    /// <summary>Gets the number of candidates that changed nothing (duplicates, stale values).</summary>
    public int NoOp { get; init; }
}

/// <summary>An evolve decision an ingestion job applied.</summary>
/// <param name="Action">The action.</param>
/// <param name="Reason">Why.</param>
/// <param name="Type">The candidate's type.</param>
/// <param name="Text">The candidate's text.</param>
/// <param name="MemoryId">The memory added, merged into, created by the supersede, or repeated.</param>
/// <param name="PreviousId">The memory superseded, for <see cref="MemoryEvolveAction.Supersede"/>.</param>
/// <param name="Evidence">The candidate's evidence: which turns, tool calls or files the decision came from.</param>
public sealed record MemoryIngestionDecision(MemoryEvolveAction Action, string Reason, string Type, string Text, Guid MemoryId, Guid? PreviousId = null, MemoryProvenance? Evidence = null);
