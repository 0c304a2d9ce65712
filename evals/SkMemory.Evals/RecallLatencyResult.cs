using Microsoft.Extensions.AI;

namespace SkMemory.Evals;

/// <summary>The kinds of store the recall latency benchmark runs on.</summary>
public enum RecallLatencyStoreKind
{
    /// <summary>The embedded SQLite store.</summary>
    Sqlite,

    /// <summary>The PostgreSQL store.</summary>
    Postgres,
}

/// <summary>One store to benchmark and the data set it holds.</summary>
/// <param name="Kind">SQLite or Postgres.</param>
/// <param name="Display">Where the store is, safe to print (no password).</param>
/// <param name="OpenAsync">Opens (creating when missing) the store, embedding with the generator it is given.</param>
/// <param name="Memories">How many memories in all.</param>
/// <param name="Subjects">Over how many subjects.</param>
public sealed record RecallLatencyTarget(
    RecallLatencyStoreKind Kind,
    string Display,
    Func<IEmbeddingGenerator<string, Embedding<float>>, CancellationToken, Task<IMemoryStore>> OpenAsync,
    int Memories,
    int Subjects)
{
    /// <summary>The default SQLite data set: 10,000 memories in one subject.</summary>
    public const int DefaultSqliteMemories = 10_000;

    /// <summary>The default Postgres data set: 100,000 memories over 1,000 subjects.</summary>
    public const int DefaultPostgresMemories = 100_000;

    /// <summary>The default number of Postgres subjects.</summary>
    public const int DefaultPostgresSubjects = 1_000;

    /// <summary>The Postgres schema the benchmark uses unless told otherwise (never a real store's).</summary>
    public const string DefaultSchema = "skmem_bench_latency";

    /// <summary>
    /// Gets the PostgreSQL connection string and schema the store was opened with, read only to describe the server in the
    /// report (version, pgvector, settings, the schema's size on disk); null for SQLite, or to leave the server undescribed.
    /// </summary>
    public (string ConnectionString, string Schema)? Server { get; init; }

    /// <inheritdoc />
    public override string ToString() => Display;
}

/// <summary>How the data set was loaded: when, how many writes, and how long embedding and writing took.</summary>
/// <param name="Written">Memories written.</param>
/// <param name="EmbedTime">Time to embed their texts in batches.</param>
/// <param name="WriteTime">Time to write them, one <see cref="IMemoryStore.WriteAsync"/> (one transaction) each.</param>
/// <param name="Concurrency">How many writes ran at once.</param>
/// <param name="MeasuredAt">When the ingest finished.</param>
/// <param name="ThisRun">Whether this run did it (false: measured when the data set was built, read back from the store).</param>
/// <param name="OtherCpu">The share of the machine's CPU time other processes used meanwhile (the database server included), where known.</param>
public sealed record RecallLatencyIngest(int Written, TimeSpan EmbedTime, TimeSpan WriteTime, int Concurrency, DateTimeOffset MeasuredAt, bool ThisRun, double? OtherCpu = null)
{
    /// <summary>Gets the whole ingest time.</summary>
    public TimeSpan Total => EmbedTime + WriteTime;

    /// <summary>Gets writes per second over the write phase alone.</summary>
    public double WritesPerSecond => WriteTime.TotalSeconds > 0 ? Written / WriteTime.TotalSeconds : 0;
}

/// <summary>What the benchmark measured on one store.</summary>
public sealed record RecallLatencyStoreResult
{
    /// <summary>Gets the kind of store.</summary>
    public required RecallLatencyStoreKind Kind { get; init; }

    /// <summary>Gets what the store is and how it searches.</summary>
    public required string Description { get; init; }

    /// <summary>Gets where the data is, without secrets.</summary>
    public required string Location { get; init; }

    /// <summary>Gets the engine's version and settings that matter.</summary>
    public required string Details { get; init; }

    /// <summary>Gets the tenant holding the data set.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memories the data set has (its size once its load finished, or as counted in the store).</summary>
    public required int Memories { get; init; }

    /// <summary>Gets the subjects they are spread over.</summary>
    public required int Subjects { get; init; }

    /// <summary>Gets how the data set was loaded, if known; <see cref="RecallLatencyIngest.ThisRun"/> says whether this run loaded (part of) it.</summary>
    public required RecallLatencyIngest? Ingest { get; init; }

    /// <summary>Gets the end-to-end recall latency: search (embed query, retrieve, fuse, score, rerank) plus packet.</summary>
    public required LatencySummary Recall { get; init; }

    /// <summary>Gets the <see cref="IMemoryStore.SearchAsync"/> part of each recall (query embedding included).</summary>
    public required LatencySummary Search { get; init; }

    /// <summary>Gets the packet part of each recall.</summary>
    public required LatencySummary Pack { get; init; }

    /// <summary>Gets the query embedding alone, measured on the same queries after the recalls.</summary>
    public required LatencySummary QueryEmbedding { get; init; }

    /// <summary>Gets the recalls per second of one client running them back to back.</summary>
    public required double RecallsPerSecond { get; init; }

    /// <summary>Gets the questions aimed at one memory among the timed queries.</summary>
    public required int AimedQueries { get; init; }

    /// <summary>Gets how many aimed questions found their memory in the results.</summary>
    public required int TargetHits { get; init; }

    /// <summary>Gets the mean number of search results.</summary>
    public required double MeanResults { get; init; }

    /// <summary>Gets the mean packet size in tokens.</summary>
    public required double MeanPacketTokens { get; init; }

    /// <summary>Gets the mean number of memories in a packet.</summary>
    public required double MeanPacketItems { get; init; }

    /// <summary>Gets how many texts the store embedded live (not precomputed) during the warm-up and timed recalls.</summary>
    public required long LiveEmbeddings { get; init; }

    /// <summary>
    /// Gets the share of the machine's CPU time that other processes used during the timed recalls (0..1; the database
    /// server included), where the system reports it.
    /// </summary>
    public double? OtherCpu { get; init; }
}

/// <summary>What the recall latency benchmark measured, with its settings.</summary>
public sealed record RecallLatencyResult
{
    /// <summary>Gets the per-store results, in the order run.</summary>
    public required IReadOnlyList<RecallLatencyStoreResult> Stores { get; init; }

    /// <summary>Gets the embedding model (memories and queries).</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets where the embedder ran (for example "offline, ONNX Runtime, CPU").</summary>
    public required string EmbeddingRuntime { get; init; }

    /// <summary>Gets the name of the reranker the stores' default retrieval options use (<see cref="IMemoryReranker.Name"/>).</summary>
    public required string Reranker { get; init; }

    /// <summary>Gets how many results each search asks for.</summary>
    public required int Top { get; init; }

    /// <summary>Gets the packet budget in o200k tokens.</summary>
    public required int PacketBudget { get; init; }

    /// <summary>Gets the timed recalls per store.</summary>
    public required int Queries { get; init; }

    /// <summary>Gets the untimed warm-up recalls per store.</summary>
    public required int Warmup { get; init; }

    /// <summary>Gets the seed of the synthetic data and queries.</summary>
    public required int Seed { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
}
