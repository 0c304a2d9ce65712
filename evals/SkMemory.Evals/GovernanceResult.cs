using Microsoft.Extensions.AI;

namespace SkMemory.Evals;

/// <summary>Options of <see cref="GovernanceBenchmark"/>.</summary>
public sealed class GovernanceOptions
{
    /// <summary>The default number of memories loaded.</summary>
    public const int DefaultMemories = 2000;

    /// <summary>The default number of subjects they are spread over.</summary>
    public const int DefaultSubjects = 20;

    /// <summary>Gets or sets the embedder; null uses the benchmark's own deterministic hashing embedder (no model, no download).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>Gets or sets how many memories are loaded.</summary>
    public int Memories { get; set; } = DefaultMemories;

    /// <summary>Gets or sets over how many subjects.</summary>
    public int Subjects { get; set; } = DefaultSubjects;

    /// <summary>Gets or sets the timed searches and reads per path (raw and access-controlled).</summary>
    public int Searches { get; set; } = 500;

    /// <summary>Gets or sets the timed writes per kind of text and path (raw and redacting).</summary>
    public int Writes { get; set; } = 500;

    /// <summary>Gets or sets the untimed warm-up operations before each measurement.</summary>
    public int Warmup { get; set; } = 50;

    /// <summary>Gets or sets how many single-memory purges are timed.</summary>
    public int Purges { get; set; } = 50;

    /// <summary>Gets or sets how many results each search asks for, 1..100.</summary>
    public int Top { get; set; } = 10;

    /// <summary>Gets or sets the passes of the redactor over the corpus for its throughput.</summary>
    public int RedactorPasses { get; set; } = 5;

    /// <summary>Gets or sets the seed of the synthetic data.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Gets or sets the folder of the temporary SQLite file; null uses the system's temporary folder.</summary>
    public string? Folder { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="ArgumentException.ParamName"/> names it).</exception>
    public void Validate()
    {
        RecallLatencyOptions.Check(Subjects >= 2, nameof(Subjects), Subjects, "must be at least 2 (one subject is purged whole)");
        RecallLatencyOptions.Check(Memories >= 2 * Subjects, nameof(Memories), Memories, "must be at least twice the subjects");
        RecallLatencyOptions.Check(Searches >= 1, nameof(Searches), Searches, "must be at least 1");
        RecallLatencyOptions.Check(Writes >= 1, nameof(Writes), Writes, "must be at least 1");
        RecallLatencyOptions.Check(Warmup >= 0, nameof(Warmup), Warmup, "must not be negative");
        RecallLatencyOptions.Check(Purges >= 1 && Purges <= Memories - (Memories / Subjects) - Subjects, nameof(Purges), Purges, "must be at least 1 and leave every other subject a memory");
        RecallLatencyOptions.Check(Top is >= 1 and <= 100, nameof(Top), Top, "must be between 1 and 100");
        RecallLatencyOptions.Check(RedactorPasses >= 1, nameof(RedactorPasses), RedactorPasses, "must be at least 1");
    }
}

/// <summary>A retention sweep's wall time and what it did.</summary>
/// <param name="Elapsed">The wall time.</param>
/// <param name="Examined">Memories examined.</param>
/// <param name="Expired">Memories expired.</param>
/// <param name="Purged">Memories purged.</param>
/// <param name="Errors">Errors counted.</param>
public sealed record GovernanceSweep(TimeSpan Elapsed, int Examined, int Expired, int Purged, int Errors);

/// <summary>The results of <see cref="GovernanceBenchmark"/>: every duration in milliseconds unless typed otherwise.</summary>
public sealed record GovernanceResult
{
    /// <summary>Gets the embedding model's id.</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets where the embedder runs.</summary>
    public required string EmbeddingRuntime { get; init; }

    /// <summary>Gets the memories loaded.</summary>
    public required int Memories { get; init; }

    /// <summary>Gets the subjects.</summary>
    public required int Subjects { get; init; }

    /// <summary>Gets the seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Gets the results per search.</summary>
    public required int Top { get; init; }

    /// <summary>Gets the warm-up operations before each measurement.</summary>
    public required int Warmup { get; init; }

    /// <summary>Gets the wall time of loading the memories (one write at a time).</summary>
    public required TimeSpan LoadTime { get; init; }

    /// <summary>Gets the hybrid search through the raw store.</summary>
    public required LatencySummary SearchRaw { get; init; }

    /// <summary>Gets the hybrid search through the access-controlled store (filter and read audit).</summary>
    public required LatencySummary SearchGoverned { get; init; }

    /// <summary>Gets a ReadAsync page through the raw store.</summary>
    public required LatencySummary ReadRaw { get; init; }

    /// <summary>Gets a ReadAsync page through the access-controlled store.</summary>
    public required LatencySummary ReadGoverned { get; init; }

    /// <summary>Gets the page size of the reads.</summary>
    public required int ReadPageSize { get; init; }

    /// <summary>Gets a write of a text without secrets through the raw store.</summary>
    public required LatencySummary WriteCleanRaw { get; init; }

    /// <summary>Gets a write of a text without secrets through the redacting store.</summary>
    public required LatencySummary WriteCleanRedacted { get; init; }

    /// <summary>Gets a write of a text with secrets through the raw store.</summary>
    public required LatencySummary WriteSecretRaw { get; init; }

    /// <summary>Gets a write of a text with secrets through the redacting store.</summary>
    public required LatencySummary WriteSecretRedacted { get; init; }

    /// <summary>Gets how many of the redacted secret writes were stored changed (the redactor acted).</summary>
    public required int SecretWritesChanged { get; init; }

    /// <summary>Gets how many of the redacted clean writes were stored changed.</summary>
    public required int CleanWritesChanged { get; init; }

    /// <summary>Gets the corpus size the redactor scanned per pass, in UTF-8 bytes.</summary>
    public required long RedactorBytes { get; init; }

    /// <summary>Gets the corpus lines per pass.</summary>
    public required int RedactorLines { get; init; }

    /// <summary>Gets the timed passes over the corpus.</summary>
    public required int RedactorPasses { get; init; }

    /// <summary>Gets the time of all timed passes.</summary>
    public required TimeSpan RedactorElapsed { get; init; }

    /// <summary>Gets the redactor's throughput in KiB per second.</summary>
    public double RedactorKibPerSecond => RedactorElapsed > TimeSpan.Zero ? RedactorBytes * (double)RedactorPasses / 1024 / RedactorElapsed.TotalSeconds : 0;

    /// <summary>Gets the purge of one memory (signed attestation included).</summary>
    public required LatencySummary PurgeOne { get; init; }

    /// <summary>Gets the memories of the subject purged whole.</summary>
    public required int SubjectMemories { get; init; }

    /// <summary>Gets the wall time of purging one whole subject.</summary>
    public required TimeSpan PurgeSubject { get; init; }

    /// <summary>Gets the verification of that purge's attestation (signature and store).</summary>
    public required LatencySummary VerifySubject { get; init; }

    /// <summary>Gets whether the attestation verified.</summary>
    public required bool AttestationValid { get; init; }

    /// <summary>Gets the memories the retention policy gave a time to live.</summary>
    public required int WithTimeToLive { get; init; }

    /// <summary>Gets the sweep that expires.</summary>
    public required GovernanceSweep ExpireSweep { get; init; }

    /// <summary>Gets the sweep that purges what expired.</summary>
    public required GovernanceSweep PurgeSweep { get; init; }

    /// <summary>Gets the sweep with nothing to do.</summary>
    public required GovernanceSweep NoOpSweep { get; init; }

    /// <summary>Gets the share of the machine's CPU time other processes used while measuring, when known.</summary>
    public double? OtherCpu { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
}
