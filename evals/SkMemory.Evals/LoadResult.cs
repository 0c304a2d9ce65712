namespace SkMemory.Evals;

/// <summary>How a load benchmark's data set was loaded (measured when it was built; a re-run that reuses it reports these).</summary>
/// <param name="Memories">Memories written (before supersedes).</param>
/// <param name="Rows">Memory rows in the store afterwards (every version).</param>
/// <param name="DistinctTexts">Distinct texts, each embedded once.</param>
/// <param name="EmbedTime">Embedding the distinct texts, batched.</param>
/// <param name="WriteTime">Writing: binary COPY on PostgreSQL, one write at a time on SQLite.</param>
/// <param name="IndexTime">Building the HNSW index and analyzing the tables (PostgreSQL only).</param>
/// <param name="MeasuredAt">When the load finished.</param>
/// <param name="ThisRun">Whether this run loaded it.</param>
public sealed record LoadIngest(long Memories, long Rows, int DistinctTexts, TimeSpan EmbedTime, TimeSpan WriteTime, TimeSpan IndexTime, DateTimeOffset MeasuredAt, bool ThisRun)
{
    /// <summary>Gets the whole load's time.</summary>
    public TimeSpan Total => EmbedTime + WriteTime + IndexTime;

    /// <summary>Gets memories per second over the whole load.</summary>
    public double PerSecond => Total.TotalSeconds > 0 ? Memories / Total.TotalSeconds : 0;

    /// <summary>Gets memories per second of the writing step alone.</summary>
    public double WritePerSecond => WriteTime.TotalSeconds > 0 ? Memories / WriteTime.TotalSeconds : 0;

    /// <summary>Gets distinct texts embedded per second.</summary>
    public double EmbedPerSecond => EmbedTime.TotalSeconds > 0 ? DistinctTexts / EmbedTime.TotalSeconds : 0;
}

/// <summary>One write throughput measurement, over repeated rounds.</summary>
/// <param name="Name">What was measured, e.g. "single, live embedding".</param>
/// <param name="Batched">Whether the writes were batched.</param>
/// <param name="Embedding">Whether each write was embedded with the live model.</param>
/// <param name="WritesPerRound">Writes per round.</param>
/// <param name="RoundRates">Writes per second of each round.</param>
/// <param name="Latency">Per-write latency over all rounds (single writes), or null.</param>
public sealed record LoadWriteThroughput(string Name, bool Batched, bool Embedding, int WritesPerRound, IReadOnlyList<double> RoundRates, LatencySummary? Latency)
{
    /// <summary>Gets the median of the rounds' rates.</summary>
    public double MedianRate => LatencySummary.Median(RoundRates);
}

/// <summary>Scoped search latency over repeated rounds.</summary>
/// <param name="Scope">"subject" (tenant and subject, as the MCP tool searches) or "tenant" (tenant only).</param>
/// <param name="LiveEmbedding">Whether the query was embedded live inside each timed search (else embedded beforehand: retrieval alone).</param>
/// <param name="RowsInScope">The memories one search's filter covers, on average.</param>
/// <param name="Rounds">Each round's latency distribution.</param>
/// <param name="Pooled">All rounds together.</param>
public sealed record LoadSearchLatency(string Scope, bool LiveEmbedding, double RowsInScope, IReadOnlyList<LatencySummary> Rounds, LatencySummary Pooled)
{
    /// <summary>Gets the median over rounds of each round's p50.</summary>
    public double P50 => LatencySummary.Median(Rounds.Select(r => r.P50));

    /// <summary>Gets the median over rounds of each round's p95.</summary>
    public double P95 => LatencySummary.Median(Rounds.Select(r => r.P95));

    /// <summary>Gets the median over rounds of each round's p99.</summary>
    public double P99 => LatencySummary.Median(Rounds.Select(r => r.P99));
}

/// <summary>Filtered approximate nearest neighbours against exact search, at tenant scope.</summary>
/// <param name="Queries">How many queries.</param>
/// <param name="K">How many neighbours.</param>
/// <param name="Exact">Latency of exact search over the same filter.</param>
/// <param name="Shortfalls">Approximate searches that came back short and were answered exactly instead.</param>
/// <param name="Settings">Every setting tried (the first is the store's default), with its recall and latency; not empty.</param>
public sealed record LoadRecall(int Queries, int K, LatencySummary Exact, long Shortfalls, IReadOnlyList<LoadRecallSetting> Settings)
{
    /// <summary>Gets the mean recall@K at the store's default setting (a hit: a returned row no farther than the K-th exact distance, so duplicates count).</summary>
    public double Mean => Settings[0].Mean;

    /// <summary>Gets the worst query's recall@K at the store's default setting.</summary>
    public double Min => Settings[0].Min;

    /// <summary>Gets the latency of the store's vector retrieval (HNSW, iterative scan) at its default setting.</summary>
    public LatencySummary Approximate => Settings[0].Latency;

    /// <summary>Gets the store's <c>hnsw.ef_search</c>.</summary>
    public int EfSearch => Settings[0].EfSearch;

    /// <summary>Gets how many rows the store's vector retrieval fetches; recall counts the <see cref="K"/> nearest of them.</summary>
    public int Candidates => Settings[0].Candidates;
}

/// <summary>Recall of one (ef_search, candidates) setting of the filtered ANN search.</summary>
/// <param name="EfSearch">The <c>hnsw.ef_search</c>.</param>
/// <param name="Candidates">How many rows were fetched (the K nearest of them are scored).</param>
/// <param name="Mean">Mean recall@K.</param>
/// <param name="Min">The worst query's recall@K.</param>
/// <param name="Latency">The vector retrieval's latency.</param>
public sealed record LoadRecallSetting(int EfSearch, int Candidates, double Mean, double Min, LatencySummary Latency);

/// <summary>The load benchmark's results on one store.</summary>
public sealed record LoadStoreResult
{
    /// <summary>Gets "postgres" or "sqlite".</summary>
    public required string Kind { get; init; }

    /// <summary>Gets what the store is.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the server or file details.</summary>
    public required string Details { get; init; }

    /// <summary>Gets the tenants' count.</summary>
    public required int Tenants { get; init; }

    /// <summary>Gets the subjects' count.</summary>
    public required int Subjects { get; init; }

    /// <summary>Gets memory rows by status (active, superseded, deleted) in the data set.</summary>
    public required IReadOnlyDictionary<string, long> RowsByStatus { get; init; }

    /// <summary>Gets how the data set was loaded.</summary>
    public required LoadIngest Ingest { get; init; }

    /// <summary>Gets the write throughput measurements.</summary>
    public required IReadOnlyList<LoadWriteThroughput> Writes { get; init; }

    /// <summary>Gets the search latency measurements.</summary>
    public required IReadOnlyList<LoadSearchLatency> Searches { get; init; }

    /// <summary>Gets the filtered-ANN recall (PostgreSQL only).</summary>
    public LoadRecall? Recall { get; init; }

    /// <summary>Gets the tenant indexes this run built over a data set loaded before the store had them (PostgreSQL only), or null.</summary>
    public LoadTenantIndexBuild? TenantIndexBuild { get; init; }

    /// <summary>Gets the share of the CPUs other processes used while searching, or null when unknown.</summary>
    public double? OtherCpu { get; init; }
}

/// <summary>Tenant HNSW indexes built by a run over a reused data set (a load builds them itself, inside its index time).</summary>
/// <param name="Built">How many tenants' indexes were built.</param>
/// <param name="Time">How long building them took, one after the other.</param>
public sealed record LoadTenantIndexBuild(int Built, TimeSpan Time);

/// <summary>The load benchmark's results.</summary>
public sealed record LoadResult
{
    /// <summary>Gets the per-store results.</summary>
    public required IReadOnlyList<LoadStoreResult> Stores { get; init; }

    /// <summary>Gets the embedding model's id.</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets where the embedder runs.</summary>
    public required string EmbeddingRuntime { get; init; }

    /// <summary>Gets the repeated rounds.</summary>
    public required int Rounds { get; init; }

    /// <summary>Gets the seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Gets the machine description.</summary>
    public required string Machine { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
}
