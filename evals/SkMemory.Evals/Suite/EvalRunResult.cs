namespace SkMemory.Evals.Suite;

/// <summary>The names of the metrics an eval run reports (the <see cref="EvalMeasurement.Metric"/> values).</summary>
public static class EvalMetrics
{
    /// <summary>Per task: the fraction of the seeded facts the task needs that retrieval returns (higher is better).</summary>
    public const string Recall = "recall";

    /// <summary>Per task: the fraction of the retrieved (injected) memories the task needed (higher is better).</summary>
    public const string Precision = "precision";

    /// <summary>Per change (new value, revoked consent, deletion, expiry): queries until the old value stops being returned (0 is the goal; lower is better).</summary>
    public const string Forgetting = "forgetting";

    /// <summary>The fraction of planted transient statements that became durable memories (lower is better).</summary>
    public const string Contamination = "contamination";

    /// <summary>The fraction of cross-tenant and cross-subject read/search attempts that returned another's memory (lower is better).</summary>
    public const string Leakage = "leakage";

    /// <summary>The fraction of deleted or purged memories whose content is gone from every read, search and export (higher is better).</summary>
    public const string DeletionCompleteness = "deletion_completeness";

    /// <summary>The fraction of planted secrets kept out of stored memories (higher is better).</summary>
    public const string RedactionRecall = "redaction_recall";

    /// <summary>The fraction of stored instruction-like (poisoning) memories rendered inert, as quoted data, in the packet (higher is better).</summary>
    public const string PoisoningInert = "poisoning_inert";

    /// <summary>Between two configurations: the mean overlap (Jaccard) of the top results per task (higher is more stable).</summary>
    public const string RankingStability = "ranking_stability";

    /// <summary>Between two configurations: the fraction of expected memories whose stored state (found, type, status) is the same (higher is more stable).</summary>
    public const string MemoryStability = "memory_stability";
}

/// <summary>One configuration of the pipeline under evaluation (printed in reports, compared for drift).</summary>
/// <param name="Name">A short name, e.g. <c>offline</c> or <c>gpt-4o-mini</c>.</param>
/// <param name="Extractor">The extractor's name (<c>rules</c>, or <c>chat:&lt;model&gt;</c>).</param>
/// <param name="Embedder">The embedding model's name (e.g. <c>all-MiniLM-L6-v2-q4</c>, <c>hashing-384</c>), or <c>none</c>.</param>
/// <param name="ChatModel">The chat model, if any part of the run used one.</param>
public sealed record EvalConfiguration(string Name, string Extractor, string Embedder, string? ChatModel = null);

/// <summary>One measured value: a metric over one slice of the suite (null dimensions mean "all").</summary>
public sealed record EvalMeasurement
{
    /// <summary>Gets the metric (<see cref="EvalMetrics"/>).</summary>
    public required string Metric { get; init; }

    /// <summary>Gets the agent the slice is limited to, or null for all agents.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the task kind the slice is limited to (e.g. <c>checkout</c>), or null for all tasks.</summary>
    public string? Task { get; init; }

    /// <summary>Gets the memory type the slice is limited to (e.g. <c>preference</c>), or null for all types.</summary>
    public string? MemoryType { get; init; }

    /// <summary>Gets the value (a fraction, or a count of queries for <see cref="EvalMetrics.Forgetting"/>, where it is the worst case).</summary>
    public required double Value { get; init; }

    /// <summary>Gets how many samples the value is over (facts, retrieved memories, changes, attempts...).</summary>
    public required int Samples { get; init; }
}

/// <summary>What one task's retrieval returned, for drift between configurations.</summary>
/// <param name="User">The synthetic user.</param>
/// <param name="Task">The task id (unique within the suite).</param>
/// <param name="Returned">The returned memories, best first, as expected-memory ids where they match one, else <c>text:</c> and the text.</param>
public sealed record EvalQueryOutcome(string User, string Task, IReadOnlyList<string> Returned);

/// <summary>What became of one expected memory at the end of a run, for drift between configurations.</summary>
/// <param name="User">The synthetic user.</param>
/// <param name="Expected">The expected memory's id.</param>
/// <param name="Found">Whether a stored memory matched it.</param>
/// <param name="Type">The matched memory's type, or null.</param>
/// <param name="Status">The matched memory's status (<c>active</c>, <c>superseded</c>, ...), or null.</param>
public sealed record EvalMemoryState(string User, string Expected, bool Found, string? Type, string? Status);

/// <summary>One failed expectation, kept as an example for the report.</summary>
/// <param name="Metric">The metric it counted against.</param>
/// <param name="User">The synthetic user.</param>
/// <param name="Detail">What was expected and what happened.</param>
public sealed record EvalFailure(string Metric, string User, string Detail);

/// <summary>The result of running one suite under one configuration on one backend.</summary>
public sealed record EvalRunResult
{
    /// <summary>Gets the suite's name and version (e.g. <c>synthetic-v1 + hard-cases</c>).</summary>
    public required string Suite { get; init; }

    /// <summary>Gets how many synthetic users the suite holds.</summary>
    public required int Users { get; init; }

    /// <summary>Gets the configuration.</summary>
    public required EvalConfiguration Configuration { get; init; }

    /// <summary>Gets the backend (e.g. <c>embedded (SQLite)</c>, <c>postgres</c>, <c>mem0 emulator (platform)</c>).</summary>
    public required string Backend { get; init; }

    /// <summary>Gets every measurement: each metric overall (all dimensions null) and per agent, task and memory type.</summary>
    public required IReadOnlyList<EvalMeasurement> Measurements { get; init; }

    /// <summary>Gets each task's returned memories.</summary>
    public required IReadOnlyList<EvalQueryOutcome> Queries { get; init; }

    /// <summary>Gets each expected memory's end state.</summary>
    public required IReadOnlyList<EvalMemoryState> Memories { get; init; }

    /// <summary>Gets failed expectations (examples, capped per metric).</summary>
    public required IReadOnlyList<EvalFailure> Failures { get; init; }

    /// <summary>Gets how long the run took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Gets the overall value of a metric (the measurement whose dimensions are all null), or null when not measured.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The measurement, or null.</returns>
    public EvalMeasurement? Overall(string metric) =>
        Measurements.FirstOrDefault(m => m.Metric == metric && m.Agent is null && m.Task is null && m.MemoryType is null);
}
