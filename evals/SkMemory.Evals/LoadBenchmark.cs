using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Npgsql;
using SkMemory.Storage.Postgres;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Evals;

/// <summary>What <see cref="LoadBenchmark"/> measures after loading.</summary>
[Flags]
public enum LoadMeasurements
{
    /// <summary>Nothing but the load.</summary>
    None = 0,

    /// <summary>Write throughput.</summary>
    Writes = 1,

    /// <summary>Scoped search latency.</summary>
    Search = 2,

    /// <summary>Filtered-ANN recall against exact search (PostgreSQL).</summary>
    Recall = 4,

    /// <summary>Everything.</summary>
    All = Writes | Search | Recall,
}

/// <summary>Options of <see cref="LoadBenchmark"/>.</summary>
public sealed class LoadOptions
{
    /// <summary>The schema prefix of the benchmark's data sets; only schemas with it are ever dropped.</summary>
    public const string SchemaPrefix = "skmemory_load_";

    /// <summary>Gets or sets the embedder; null loads the offline default (all-MiniLM-L6-v2).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>Gets or sets the PostgreSQL connection string; null skips PostgreSQL.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Gets or sets the PostgreSQL schema of the data set; null derives one from its shape (prefixed <see cref="SchemaPrefix"/>).</summary>
    public string? PostgresSchema { get; set; }

    /// <summary>Gets or sets the memories loaded into PostgreSQL.</summary>
    public int PostgresMemories { get; set; } = 1_000_000;

    /// <summary>Gets or sets the subjects of the PostgreSQL data set.</summary>
    public int PostgresSubjects { get; set; } = 10_000;

    /// <summary>Gets or sets the tenants of the PostgreSQL data set.</summary>
    public int PostgresTenants { get; set; } = 20;

    /// <summary>Gets or sets whether to run the embedded (SQLite) store.</summary>
    public bool Embedded { get; set; }

    /// <summary>Gets or sets the SQLite file of the embedded data set; null puts it in the temp folder, named after its shape.</summary>
    public string? SqliteFile { get; set; }

    /// <summary>Gets or sets the memories loaded into SQLite.</summary>
    public int EmbeddedMemories { get; set; } = 100_000;

    /// <summary>Gets or sets the subjects of the SQLite data set.</summary>
    public int EmbeddedSubjects { get; set; } = 1_000;

    /// <summary>Gets or sets the tenants of the SQLite data set.</summary>
    public int EmbeddedTenants { get; set; } = 20;

    /// <summary>Gets or sets memories per distinct text (each distinct text is embedded once): 20 gives 50,000 texts for 1,000,000 memories.</summary>
    public int MemoriesPerText { get; set; } = 20;

    /// <summary>Gets or sets the repeated rounds of every measurement.</summary>
    public int Rounds { get; set; } = 3;

    /// <summary>Gets or sets the timed searches per scope per round.</summary>
    public int Queries { get; set; } = 200;

    /// <summary>Gets or sets the untimed warm-up searches (JIT, pools, caches).</summary>
    public int Warmup { get; set; } = 100;

    /// <summary>Gets or sets the queries of the recall measurement.</summary>
    public int RecallQueries { get; set; } = 100;

    /// <summary>Gets or sets single writes per round per variant.</summary>
    public int SingleWrites { get; set; } = 100;

    /// <summary>Gets or sets batched writes per round per variant.</summary>
    public int BatchWrites { get; set; } = 2_000;

    /// <summary>Gets or sets the memories per COPY transaction of the load.</summary>
    public int BatchSize { get; set; } = 50_000;

    /// <summary>Gets or sets <c>maintenance_work_mem</c> of the HNSW build.</summary>
    public string IndexBuildMemory { get; set; } = "4GB";

    /// <summary>Gets or sets the parallel workers of the HNSW build.</summary>
    public int IndexBuildWorkers { get; set; } = 1;

    /// <summary>Gets or sets the seed.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Gets or sets what to measure after the load (all by default).</summary>
    public LoadMeasurements Measure { get; set; } = LoadMeasurements.All;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (its name is the parameter name).</exception>
    /// <exception cref="ArgumentException">The schema lacks the benchmark's prefix, or the index build memory is not a PostgreSQL memory size.</exception>
    public void Validate()
    {
        RecallLatencyOptions.Check(PostgresConnectionString is not null || Embedded, nameof(Embedded), 0, "name a store: PostgreSQL, the embedded store, or both");
        RecallLatencyOptions.Check(PostgresMemories >= 1, nameof(PostgresMemories), PostgresMemories, "must be at least 1");
        RecallLatencyOptions.Check(PostgresSubjects >= 1 && PostgresSubjects <= PostgresMemories, nameof(PostgresSubjects), PostgresSubjects, "must be between 1 and the memories");
        RecallLatencyOptions.Check(PostgresTenants >= 1 && PostgresTenants <= PostgresSubjects, nameof(PostgresTenants), PostgresTenants, "must be between 1 and the subjects");
        RecallLatencyOptions.Check(EmbeddedMemories >= 1, nameof(EmbeddedMemories), EmbeddedMemories, "must be at least 1");
        RecallLatencyOptions.Check(EmbeddedSubjects >= 1 && EmbeddedSubjects <= EmbeddedMemories, nameof(EmbeddedSubjects), EmbeddedSubjects, "must be between 1 and the memories");
        RecallLatencyOptions.Check(EmbeddedTenants >= 1 && EmbeddedTenants <= EmbeddedSubjects, nameof(EmbeddedTenants), EmbeddedTenants, "must be between 1 and the subjects");
        RecallLatencyOptions.Check(MemoriesPerText >= 1, nameof(MemoriesPerText), MemoriesPerText, "must be at least 1");
        RecallLatencyOptions.Check(Rounds >= 1, nameof(Rounds), Rounds, "must be at least 1");
        RecallLatencyOptions.Check(Queries >= 1, nameof(Queries), Queries, "must be at least 1");
        RecallLatencyOptions.Check(Warmup >= 0, nameof(Warmup), Warmup, "must not be negative");
        RecallLatencyOptions.Check(RecallQueries >= 1, nameof(RecallQueries), RecallQueries, "must be at least 1");
        RecallLatencyOptions.Check(SingleWrites >= 1, nameof(SingleWrites), SingleWrites, "must be at least 1");
        RecallLatencyOptions.Check(BatchWrites >= 1, nameof(BatchWrites), BatchWrites, "must be at least 1");
        RecallLatencyOptions.Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        RecallLatencyOptions.Check(IndexBuildWorkers >= 0, nameof(IndexBuildWorkers), IndexBuildWorkers, "must not be negative");
        if (PostgresSchema is { } schema && !schema.StartsWith(SchemaPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The benchmark drops and reloads an incomplete data set, so its schema must start with '{SchemaPrefix}'; '{schema}' does not.", nameof(PostgresSchema));
        }

        // The bulk loader's own checks (a memory size such as 4GB), now rather than after the corpus has been embedded.
        if (PostgresConnectionString is not null)
        {
            new PostgresBulkLoadOptions { BatchSize = BatchSize, IndexBuildMemory = IndexBuildMemory, IndexBuildWorkers = IndexBuildWorkers }.Validate();
        }
    }

    /// <summary>Gets the distinct texts of a data set of <paramref name="memories"/> over <paramref name="subjects"/>.</summary>
    /// <param name="memories">The memories.</param>
    /// <param name="subjects">The subjects.</param>
    /// <returns>The distinct texts: memories / <see cref="MemoriesPerText"/>, at least what the corpus needs.</returns>
    public int DistinctTexts(int memories, int subjects) => Math.Max(memories / MemoriesPerText, 2 * ((memories + subjects - 1) / subjects));
}

/// <summary>
/// The scale benchmark: loads a realistic corpus (<see cref="LoadCorpus"/>: all seven types, months of timestamps, some
/// memories superseded or deleted) into PostgreSQL with <see cref="PostgresBulkLoader"/> (binary COPY, HNSW built after)
/// and into the embedded SQLite store through its write path, then measures write throughput (single and batched, with
/// and without live embedding), scoped hybrid search latency and filtered-ANN recall against exact search, each over
/// repeated rounds.
/// </summary>
/// <remarks>
/// Each distinct text is embedded once, in batches, with the real embedder, and its vector reused by every memory with
/// that text. A load that finishes writes a record in the <see cref="MetaTenant"/> tenant; a re-run that finds it reuses
/// the data set (and reports the load numbers measured when it was built). A data set without the record (an interrupted
/// load) is dropped and loaded again: a PostgreSQL schema only when its name starts with <see cref="LoadOptions.SchemaPrefix"/>.
/// </remarks>
public static class LoadBenchmark
{
    /// <summary>The tenant of the load records.</summary>
    public const string MetaTenant = "load-meta";

    /// <summary>The tenant the write throughput measurements write into (never one of the data set's).</summary>
    public const string WriteTenant = "load-writes";

    private const int ProgressStep = 5_000;
    private const int K = 10;

    /// <summary>Gets the name of a data set's shape.</summary>
    /// <param name="memories">The memories.</param>
    /// <param name="subjects">The subjects.</param>
    /// <param name="tenants">The tenants.</param>
    /// <param name="distinct">The distinct texts.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The name, usable as a schema or file name.</returns>
    public static string DataSetName(int memories, int subjects, int tenants, int distinct, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"{LoadOptions.SchemaPrefix}v{LoadCorpus.Version}_s{seed}_{memories}x{subjects}x{tenants}_d{distinct}");

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress lines; may be null.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results.</returns>
    public static async Task<LoadResult> RunAsync(LoadOptions options, IProgress<string>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return await BenchmarkEmbedder.RunAsync(options.EmbeddingGenerator, progress, RunWithAsync, cancellationToken).ConfigureAwait(false);

        async Task<LoadResult> RunWithAsync(IEmbeddingGenerator<string, Embedding<float>> generator)
        {
            var stores = new List<LoadStoreResult>();
            if (options.PostgresConnectionString is { } connectionString)
            {
                stores.Add(await RunPostgresAsync(connectionString, generator, options, progress, cancellationToken).ConfigureAwait(false));
            }

            if (options.Embedded)
            {
                stores.Add(await RunSqliteAsync(generator, options, progress, cancellationToken).ConfigureAwait(false));
            }

            return new LoadResult
            {
                Stores = stores,
                EmbeddingModel = BenchmarkEmbedder.ModelId(generator),
                EmbeddingRuntime = BenchmarkEmbedder.Runtime(generator),
                Rounds = options.Rounds,
                Seed = options.Seed,
                Machine = BenchmarkDocument.Machine(),
                FinishedAt = DateTimeOffset.UtcNow,
            };
        }
    }

    private static async Task<LoadStoreResult> RunPostgresAsync(
        string connectionString, IEmbeddingGenerator<string, Embedding<float>> generator, LoadOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var distinct = options.DistinctTexts(options.PostgresMemories, options.PostgresSubjects);
        var schema = options.PostgresSchema ?? DataSetName(options.PostgresMemories, options.PostgresSubjects, options.PostgresTenants, distinct, options.Seed);
        var model = BenchmarkEmbedder.ModelId(generator);
        progress?.Report($"postgres: preparing the corpus ({options.PostgresMemories:N0} memories, {options.PostgresSubjects:N0} subjects, {options.PostgresTenants} tenants, {distinct:N0} distinct texts)");
        var corpus = new LoadCorpus(options.PostgresMemories, options.PostgresSubjects, options.PostgresTenants, distinct, options.Seed);

        using var cache = new PrecomputedEmbeddingGenerator(generator);
        var store = await OpenPostgresAsync(connectionString, schema, cache, model, cancellationToken).ConfigureAwait(false);
        try
        {
            var ingest = await ReadIngestRecordAsync(store, schema, model, cancellationToken).ConfigureAwait(false);
            LoadTenantIndexBuild? tenantIndexBuild = null;
            if (ingest is not null)
            {
                progress?.Report($"postgres: reusing the data set in schema '{schema}' (its load finished on {ingest.MeasuredAt:yyyy-MM-dd HH:mm} UTC); nothing to load");

                // A load builds the large tenants' own indexes itself (PostgresBulkLoader.CompleteAsync); a data set loaded
                // before the store had them gets them here.
                var tenantIndexClock = Stopwatch.StartNew();
                var tenantIndexesBuilt = await store.EnsureTenantVectorIndexesAsync(progress, cancellationToken).ConfigureAwait(false);
                tenantIndexClock.Stop();
                if (tenantIndexesBuilt > 0)
                {
                    tenantIndexBuild = new LoadTenantIndexBuild(tenantIndexesBuilt, tenantIndexClock.Elapsed);
                    progress?.Report(string.Create(CultureInfo.InvariantCulture, $"postgres: built {tenantIndexesBuilt} tenant HNSW indexes over the reused data set in {tenantIndexClock.Elapsed.TotalSeconds:F0} s"));
                }
            }
            else
            {
                if (await CountRowsAsync(store.DataSource, schema, cancellationToken).ConfigureAwait(false) > 0)
                {
                    progress?.Report($"postgres: schema '{schema}' holds an incomplete load (no load record): dropping it and loading again");
                    store.Dispose();
                    await DropSchemaAsync(connectionString, schema, cancellationToken).ConfigureAwait(false);
                    store = await OpenPostgresAsync(connectionString, schema, cache, model, cancellationToken).ConfigureAwait(false);
                }

                ingest = await LoadPostgresAsync(store, corpus, generator, options, progress, cancellationToken).ConfigureAwait(false);
                await WriteIngestRecordAsync(store, schema, model, ingest, cancellationToken).ConfigureAwait(false);
            }

            var rows = await RowsByStatusAsync(store, cancellationToken).ConfigureAwait(false);
            var writes = options.Measure.HasFlag(LoadMeasurements.Writes)
                ? await MeasurePostgresWritesAsync(store, connectionString, schema, corpus, generator, model, options, progress, cancellationToken).ConfigureAwait(false)
                : [];
            var meter = CpuMeter.Start();
            var searches = options.Measure.HasFlag(LoadMeasurements.Search)
                ? await MeasureSearchesAsync(store, cache, corpus, options, "postgres", progress, cancellationToken).ConfigureAwait(false)
                : [];
            var otherCpu = meter.OtherShare();
            var recall = options.Measure.HasFlag(LoadMeasurements.Recall)
                ? await MeasureRecallAsync(store, connectionString, schema, corpus, generator, model, options, progress, cancellationToken).ConfigureAwait(false)
                : null;
            return new LoadStoreResult
            {
                Kind = "postgres",
                Description = string.Create(CultureInfo.InvariantCulture, $"PostgresMemoryStore: tsvector full text, pgvector cosine (exact below {store.ExactSearchMaxRows:N0} rows per subject or {store.TenantVectorIndexMinRows:N0} embeddings per tenant, else the tenant's own HNSW index with iterative scans)"),
                TenantIndexBuild = tenantIndexBuild,
                Details = await PostgresDetailsAsync(store, schema, cancellationToken).ConfigureAwait(false),
                Tenants = corpus.TenantCount,
                Subjects = corpus.SubjectCount,
                RowsByStatus = rows,
                Ingest = ingest,
                Writes = writes,
                Searches = searches,
                Recall = recall,
                OtherCpu = otherCpu,
            };
        }
        finally
        {
            store.Dispose();
        }
    }

    private static async Task<PostgresMemoryStore> OpenPostgresAsync(string connectionString, string schema, IEmbeddingGenerator<string, Embedding<float>>? generator, string model, CancellationToken cancellationToken) =>
        await PostgresMemoryStore.OpenAsync(
            new PostgresMemoryStoreOptions { ConnectionString = connectionString, Schema = schema, EmbeddingGenerator = generator, EmbeddingModel = generator is null ? null : model },
            cancellationToken: cancellationToken).ConfigureAwait(false);

    private static async Task<LoadIngest> LoadPostgresAsync(
        PostgresMemoryStore store, LoadCorpus corpus, IEmbeddingGenerator<string, Embedding<float>> generator, LoadOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var embedClock = Stopwatch.StartNew();
        var vectors = await EmbedPoolAsync(corpus, generator, "postgres", progress, cancellationToken).ConfigureAwait(false);
        embedClock.Stop();

        progress?.Report($"postgres: bulk loading {corpus.MemoryCount:N0} memories (binary COPY, {options.BatchSize:N0} per transaction)");
        var loader = new PostgresBulkLoader(store, new PostgresBulkLoadOptions
        {
            BatchSize = options.BatchSize,
            IndexBuildMemory = options.IndexBuildMemory,
            IndexBuildWorkers = options.IndexBuildWorkers,
            Progress = progress,
        });
        var total = Stopwatch.StartNew();
        for (var i = 0; i < corpus.MemoryCount; i++)
        {
            var memory = corpus.Memory(i);
            var (id, outcome) = await loader.AddAsync(corpus.Request(memory), memory.At, vectors[memory.Text], cancellationToken).ConfigureAwait(false);
            if (outcome != MemoryWriteOutcome.Created)
            {
                throw new InvalidOperationException($"Memory {i} of the corpus was not created ({outcome}): the corpus repeats a text within a subject.");
            }

            ApplyFate(memory, id, corpus, vectors, loader);
        }

        var result = await loader.CompleteAsync(cancellationToken).ConfigureAwait(false);
        total.Stop();
        var prepare = total.Elapsed - result.CopyTime - result.IndexTime;
        progress?.Report(string.Create(
            CultureInfo.InvariantCulture,
            $"postgres: loaded {result.Memories:N0} rows ({result.Events:N0} events) in {total.Elapsed.TotalSeconds:F0} s: COPY {result.CopyTime.TotalSeconds:F0} s, index and ANALYZE {result.IndexTime.TotalSeconds:F0} s, preparing rows {prepare.TotalSeconds:F0} s; embedding took {embedClock.Elapsed.TotalSeconds:F0} s"));

        // Preparing the rows (validation, JSON, hashes) is part of writing them.
        return new LoadIngest(corpus.MemoryCount, result.Memories, corpus.Pool.Count, embedClock.Elapsed, result.CopyTime + prepare, result.IndexTime, DateTimeOffset.UtcNow, ThisRun: true);
    }

    private static void ApplyFate(LoadMemory memory, Guid id, LoadCorpus corpus, float[][] vectors, PostgresBulkLoader loader)
    {
        switch (memory.Fate)
        {
            case LoadFate.Superseded:
                loader.Supersede(id, corpus.Pool[memory.Replacement].Text, MemoryActor.Agent("load-benchmark"), "newer information", memory.At.AddSeconds(1), vectors[memory.Replacement]);
                break;
            case LoadFate.Deleted:
                loader.Delete(id, MemoryActor.User(memory.Subject), "asked to forget", memory.At.AddSeconds(2));
                break;
        }
    }

    // In chunks only for the progress lines: the embedder batches each chunk itself.
    private static async Task<float[][]> EmbedPoolAsync(LoadCorpus corpus, IEmbeddingGenerator<string, Embedding<float>> generator, string name, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var vectors = new float[corpus.Pool.Count][];
        var clock = Stopwatch.StartNew();
        progress?.Report($"{name}: embedding {corpus.Pool.Count:N0} distinct texts once each, in batches");
        for (var start = 0; start < vectors.Length; start += ProgressStep)
        {
            var count = Math.Min(ProgressStep, vectors.Length - start);
            var chunk = await EmbedAsync(generator, [.. corpus.Pool.Skip(start).Take(count).Select(t => t.Text)], cancellationToken).ConfigureAwait(false);
            chunk.CopyTo(vectors, start);
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  {name}: embedded {start + count:N0}/{vectors.Length:N0} ({(start + count) / clock.Elapsed.TotalSeconds:F0} texts/s)"));
        }

        return vectors;
    }

    private static async Task<float[][]> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. embeddings.Select(e => e.Vector.ToArray())];
    }

    private static async Task<IReadOnlyList<LoadWriteThroughput>> MeasurePostgresWritesAsync(
        PostgresMemoryStore store,
        string connectionString,
        string schema,
        LoadCorpus corpus,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        string model,
        LoadOptions options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        using var plain = await OpenPostgresAsync(connectionString, schema, null, model, cancellationToken).ConfigureAwait(false);
        var run = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var single = await MeasureSingleWritesAsync(store, plain, corpus, options, run, "postgres", progress, cancellationToken).ConfigureAwait(false);

        var batched = new List<LoadWriteThroughput>();
        foreach (var embedding in new[] { true, false })
        {
            var rates = new List<double>();
            for (var round = 0; round < options.Rounds; round++)
            {
                var texts = WriteTexts(corpus, options.BatchWrites, $"{run}-b{(embedding ? "e" : "p")}{round}");
                var clock = Stopwatch.StartNew();
                var vectors = embedding ? await EmbedAsync(generator, texts, cancellationToken).ConfigureAwait(false) : null;

                var loader = new PostgresBulkLoader(embedding ? store : plain, new PostgresBulkLoadOptions { BatchSize = options.BatchWrites, EmbeddingModel = model });
                var now = DateTimeOffset.UtcNow;
                for (var j = 0; j < texts.Count; j++)
                {
                    // Cast, not a bare null: null through float[] would become an empty vector.
                    loader.Add(WriteRequest(texts[j], $"batch-{run}-{round}-{(embedding ? "e" : "p")}"), now, vectors is null ? null : (ReadOnlyMemory<float>?)vectors[j]);
                }

                await loader.FlushAsync(cancellationToken).ConfigureAwait(false);
                rates.Add(texts.Count / clock.Elapsed.TotalSeconds);
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  postgres: batched writes {(embedding ? "with live embedding" : "without embedding")}, round {round + 1}: {rates[^1]:F0} writes/s"));
            }

            batched.Add(new LoadWriteThroughput(
                embedding ? "batched (bulk loader), live embedding in batches" : "batched (bulk loader), no embedding",
                Batched: true,
                Embedding: embedding,
                options.BatchWrites,
                rates,
                null));
        }

        return [.. single, .. batched];
    }

    private static async Task<IReadOnlyList<LoadWriteThroughput>> MeasureSingleWritesAsync(
        IMemoryStore embedding, IMemoryStore plain, LoadCorpus corpus, LoadOptions options, string run, string name, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var results = new List<LoadWriteThroughput>();
        foreach (var (store, live) in new[] { (embedding, true), (plain, false) })
        {
            var rates = new List<double>();
            var latencies = new List<double>();

            // Untimed: the first writes pay JIT and connection setup.
            foreach (var text in WriteTexts(corpus, 30, $"{run}-w{(live ? "e" : "p")}"))
            {
                await store.WriteAsync(WriteRequest(text, $"warmup-{run}"), cancellationToken).ConfigureAwait(false);
            }

            for (var round = 0; round < options.Rounds; round++)
            {
                var texts = WriteTexts(corpus, options.SingleWrites, $"{run}-s{(live ? "e" : "p")}{round}");
                var clock = Stopwatch.StartNew();
                foreach (var text in texts)
                {
                    var start = Stopwatch.GetTimestamp();
                    var result = await store.WriteAsync(WriteRequest(text, $"single-{run}-{round}"), cancellationToken).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (result.Outcome != MemoryWriteOutcome.Created)
                    {
                        throw new InvalidOperationException($"A timed write was not created ({result.Outcome}).");
                    }
                }

                rates.Add(texts.Count / clock.Elapsed.TotalSeconds);
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  {name}: single writes {(live ? "with live embedding" : "without embedding")}, round {round + 1}: {rates[^1]:F0} writes/s"));
            }

            results.Add(new LoadWriteThroughput(
                live ? "single (WriteAsync, one at a time), live embedding" : "single (WriteAsync, one at a time), no embedder",
                Batched: false,
                Embedding: live,
                options.SingleWrites,
                rates,
                LatencySummary.Of(latencies)));
        }

        return results;
    }

    // New texts (never in the data set, so the live model embeds them): a pool text with a run-unique suffix.
    private static List<string> WriteTexts(LoadCorpus corpus, int count, string tag) =>
        Enumerable.Range(0, count).Select(j => $"{corpus.Pool[j % corpus.Pool.Count].Text} (note {tag}-{j.ToString(CultureInfo.InvariantCulture)})").ToList();

    private static MemoryWriteRequest WriteRequest(string text, string subject) => new()
    {
        Tenant = WriteTenant,
        Type = MemoryTypes.Fact,
        Subject = subject,
        Actor = MemoryActor.Agent("load-benchmark"),
        Value = text,
    };

    private static async Task<IReadOnlyList<LoadSearchLatency>> MeasureSearchesAsync(
        IMemoryStore store, PrecomputedEmbeddingGenerator cache, LoadCorpus corpus, LoadOptions options, string name, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        progress?.Report($"{name}: {options.Warmup} warm-up searches per scope");
        cache.Forget();
        foreach (var query in corpus.Queries(options.Warmup, stream: 100))
        {
            await SearchAsync(store, query, subjectScope: true, cancellationToken).ConfigureAwait(false);
            await SearchAsync(store, query, subjectScope: false, cancellationToken).ConfigureAwait(false);
        }

        var results = new List<LoadSearchLatency>();
        foreach (var live in new[] { true, false })
        {
            foreach (var subjectScope in new[] { true, false })
            {
                var rounds = new List<LatencySummary>();
                var all = new List<double>();
                for (var round = 0; round < options.Rounds; round++)
                {
                    var queries = corpus.Queries(options.Queries, stream: round + 1);
                    cache.Forget();
                    if (!live)
                    {
                        // Retrieval alone: the queries' vectors are ready, the search does everything else.
                        await cache.PrecomputeAsync(queries.Select(q => q.Text), cancellationToken).ConfigureAwait(false);
                    }

                    var times = new List<double>(options.Queries);
                    foreach (var query in queries)
                    {
                        var start = Stopwatch.GetTimestamp();
                        await SearchAsync(store, query, subjectScope, cancellationToken).ConfigureAwait(false);
                        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }

                    rounds.Add(LatencySummary.Of(times));
                    all.AddRange(times);
                    progress?.Report(string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {name}: {(subjectScope ? "tenant+subject" : "tenant-only")} search, {(live ? "query embedded live" : "query embedded beforehand")}, round {round + 1}: p50 {rounds[^1].P50:F1} ms, p95 {rounds[^1].P95:F1} ms, p99 {rounds[^1].P99:F1} ms"));
                }

                var inScope = subjectScope ? (double)corpus.MemoryCount / corpus.SubjectCount : (double)corpus.MemoryCount / corpus.TenantCount;
                results.Add(new LoadSearchLatency(subjectScope ? "subject" : "tenant", live, inScope, rounds, LatencySummary.Of(all)));
            }
        }

        cache.Forget();
        return results;
    }

    private static Task<IReadOnlyList<MemorySearchResult>> SearchAsync(IMemoryStore store, LoadQuery query, bool subjectScope, CancellationToken cancellationToken) =>
        store.SearchAsync(
            new MemorySearchRequest { Tenant = query.Tenant, Subject = subjectScope ? query.Subject : null, Text = query.Text, Top = K, Mode = MemorySearchMode.Hybrid },
            cancellationToken);

    private static async Task<LoadRecall> MeasureRecallAsync(
        PostgresMemoryStore store,
        string connectionString,
        string schema,
        LoadCorpus corpus,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        string model,
        LoadOptions options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        using var exact = await OpenPostgresAsync(connectionString, schema, generator, model, cancellationToken).ConfigureAwait(false);
        exact.ExactSearchMaxRows = int.MaxValue;
        var retrieval = store.StoreOptions.Retrieval;

        // The store's own setting first: hybrid search fetches this many vector candidates for a top 10, at the default
        // ef_search. Then the bare top 10, and larger ef_search values, to show what the knobs buy.
        var candidates = Math.Max(K * retrieval.CandidateMultiplier, retrieval.MinCandidates);
        var defaultEf = store.HnswEfSearch;
        (int Ef, int Limit)[] settings = [(defaultEf, candidates), (defaultEf, K), (defaultEf * 4, candidates), (1000, candidates)];
        var recalls = settings.Select(_ => new List<double>()).ToArray();
        var times = settings.Select(_ => new List<double>()).ToArray();
        var exactTimes = new List<double>();
        var shortfallsBefore = store.ApproximateShortfalls;
        progress?.Report($"postgres: filtered-ANN recall@{K} at tenant scope over {options.RecallQueries} queries (exact search is the reference), ef_search {defaultEf}, {defaultEf * 4} and 1000 (the most the store sets), {candidates} and {K} candidates");
        try
        {
            foreach (var query in corpus.Queries(options.RecallQueries, stream: 200))
            {
                var vector = (await generator.GenerateAsync(query.Text, cancellationToken: cancellationToken).ConfigureAwait(false)).Vector;
                var filter = new MemorySearchRequest { Tenant = query.Tenant, Text = query.Text, Top = K }.ToFilter();
                var start = Stopwatch.GetTimestamp();
                var truth = await exact.SearchVectorsAsync(filter, model, vector, K, cancellationToken).ConfigureAwait(false);
                exactTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                for (var i = 0; i < settings.Length; i++)
                {
                    store.HnswEfSearch = settings[i].Ef;
                    start = Stopwatch.GetTimestamp();
                    var approximate = await store.SearchVectorsAsync(filter, model, vector, settings[i].Limit, cancellationToken).ConfigureAwait(false);
                    times[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    recalls[i].Add(Recall(approximate.OrderByDescending(h => h.Score).Take(K).ToList(), truth));
                }
            }
        }
        finally
        {
            store.HnswEfSearch = defaultEf;
        }

        var rows = settings.Select((setting, i) => new LoadRecallSetting(setting.Ef, setting.Limit, recalls[i].Average(), recalls[i].Min(), LatencySummary.Of(times[i]))).ToList();
        foreach (var row in rows)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  postgres: ef_search {row.EfSearch}, {row.Candidates} candidates: recall@{K} {row.Mean:F3} (worst {row.Min:F1}), p50 {row.Latency.P50:F1} ms, p95 {row.Latency.P95:F1} ms"));
        }

        var result = new LoadRecall(options.RecallQueries, K, LatencySummary.Of(exactTimes), store.ApproximateShortfalls - shortfallsBefore, rows);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"postgres: recall@{K} {result.Mean:F3} (worst {result.Min:F1}); approximate p50 {result.Approximate.P50:F1} ms, exact p50 {result.Exact.P50:F1} ms"));
        return result;
    }

    /// <summary>
    /// Recall@k of approximate hits against exact ones, by distance: a hit is a returned row at least as close as the
    /// k-th exact row, so rows with equal vectors (texts shared by many memories) count whichever of them is returned.
    /// </summary>
    /// <param name="approximate">The approximate hits (score = 1 − cosine distance).</param>
    /// <param name="exact">The exact hits, best first.</param>
    /// <returns>The recall, 0..1; 1 when exact search finds nothing.</returns>
    internal static double Recall(IReadOnlyList<Storage.ScoredMemoryId> approximate, IReadOnlyList<Storage.ScoredMemoryId> exact)
    {
        if (exact.Count == 0)
        {
            return 1;
        }

        var k = exact.Count;
        var threshold = exact[^1].Score - 1e-6;
        return approximate.Take(k).Count(h => h.Score >= threshold) / (double)k;
    }

    private static async Task<LoadStoreResult> RunSqliteAsync(IEmbeddingGenerator<string, Embedding<float>> generator, LoadOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var distinct = options.DistinctTexts(options.EmbeddedMemories, options.EmbeddedSubjects);
        var name = DataSetName(options.EmbeddedMemories, options.EmbeddedSubjects, options.EmbeddedTenants, distinct, options.Seed);
        var model = BenchmarkEmbedder.ModelId(generator);
        var file = options.SqliteFile ?? Path.Combine(Path.GetTempPath(), $"{name}_{model}.db");
        var corpus = new LoadCorpus(options.EmbeddedMemories, options.EmbeddedSubjects, options.EmbeddedTenants, distinct, options.Seed);
        using var cache = new PrecomputedEmbeddingGenerator(generator);
        var clock = new LoadClock();
        var store = await OpenSqliteAsync(file, cache, model, clock, cancellationToken).ConfigureAwait(false);
        try
        {
            var ingest = await ReadIngestRecordAsync(store, name, model, cancellationToken).ConfigureAwait(false);
            if (ingest is not null)
            {
                progress?.Report($"sqlite: reusing the data set in {file} (its load finished on {ingest.MeasuredAt:yyyy-MM-dd HH:mm} UTC); nothing to load");
            }
            else
            {
                if ((await store.ReadAsync(new MemoryQuery { Tenant = LoadCorpus.TenantName(0), PageSize = 1 }, cancellationToken).ConfigureAwait(false)).Items.Count > 0)
                {
                    progress?.Report($"sqlite: {file} holds an incomplete load (no load record): deleting it and loading again");
                    store.Dispose();
                    DeleteSqlite(file);
                    store = await OpenSqliteAsync(file, cache, model, clock, cancellationToken).ConfigureAwait(false);
                }

                ingest = await LoadSqliteAsync(store, cache, clock, corpus, progress, cancellationToken).ConfigureAwait(false);
                await WriteIngestRecordAsync(store, name, model, ingest, cancellationToken).ConfigureAwait(false);
            }

            cache.Forget();
            var rows = new Dictionary<string, long>(StringComparer.Ordinal) { ["rows"] = ingest.Rows };
            IReadOnlyList<LoadWriteThroughput> writes = [];
            if (options.Measure.HasFlag(LoadMeasurements.Writes))
            {
                using var plain = await OpenSqliteAsync(file, null, model, new LoadClock(), cancellationToken).ConfigureAwait(false);
                var run = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
                writes = await MeasureSingleWritesAsync(store, plain, corpus, options, run, "sqlite", progress, cancellationToken).ConfigureAwait(false);
            }

            var meter = CpuMeter.Start();
            var searches = options.Measure.HasFlag(LoadMeasurements.Search)
                ? await MeasureSearchesAsync(store, cache, corpus, options, "sqlite", progress, cancellationToken).ConfigureAwait(false)
                : [];
            var otherCpu = meter.OtherShare();
            return new LoadStoreResult
            {
                Kind = "sqlite",
                Description = "SqliteMemoryStore: one SQLite file (WAL), FTS5 full text, exact cosine over the filtered rows",
                Details = string.Create(CultureInfo.InvariantCulture, $"file {new FileInfo(file).Length / (1024.0 * 1024):F0} MiB ({file})"),
                Tenants = corpus.TenantCount,
                Subjects = corpus.SubjectCount,
                RowsByStatus = rows,
                Ingest = ingest,
                Writes = writes,
                Searches = searches,
                OtherCpu = otherCpu,
            };
        }
        finally
        {
            store.Dispose();
        }
    }

    private static async Task<SqliteMemoryStore> OpenSqliteAsync(string file, IEmbeddingGenerator<string, Embedding<float>>? generator, string model, TimeProvider clock, CancellationToken cancellationToken) =>
        await SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = file, EmbeddingGenerator = generator, EmbeddingModel = generator is null ? null : model, TimeProvider = clock },
            cancellationToken: cancellationToken).ConfigureAwait(false);

    private static void DeleteSqlite(string file)
    {
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            File.Delete(path);
        }
    }

    private static async Task<LoadIngest> LoadSqliteAsync(
        SqliteMemoryStore store, PrecomputedEmbeddingGenerator cache, LoadClock clock, LoadCorpus corpus, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var embedClock = Stopwatch.StartNew();
        progress?.Report($"sqlite: embedding {corpus.Pool.Count:N0} distinct texts once each, in batches");
        await cache.PrecomputeAsync(corpus.Pool.Select(t => t.Text), cancellationToken).ConfigureAwait(false);
        embedClock.Stop();
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"sqlite: embedded in {embedClock.Elapsed.TotalSeconds:F0} s; writing {corpus.MemoryCount:N0} memories one at a time (the embedded store has one writer)"));

        var writeClock = Stopwatch.StartNew();
        long rows = 0;
        for (var i = 0; i < corpus.MemoryCount; i++)
        {
            var memory = corpus.Memory(i);
            clock.Now = memory.At;
            var result = await store.WriteAsync(corpus.Request(memory), cancellationToken).ConfigureAwait(false);
            if (result.Outcome != MemoryWriteOutcome.Created)
            {
                throw new InvalidOperationException($"Memory {i} of the corpus was not created ({result.Outcome}).");
            }

            rows++;
            if (memory.Fate == LoadFate.Superseded)
            {
                clock.Now = memory.At.AddSeconds(1);
                await store.SupersedeAsync(
                    new MemorySupersedeRequest { Tenant = memory.Tenant, Id = result.Record.Id, Value = corpus.Pool[memory.Replacement].Text, Actor = MemoryActor.Agent("load-benchmark"), Reason = "newer information" },
                    cancellationToken).ConfigureAwait(false);
                rows++;
            }
            else if (memory.Fate == LoadFate.Deleted)
            {
                clock.Now = memory.At.AddSeconds(2);
                await store.DeleteAsync(new MemoryDeleteRequest { Tenant = memory.Tenant, Id = result.Record.Id, Actor = MemoryActor.User(memory.Subject), Reason = "asked to forget" }, cancellationToken).ConfigureAwait(false);
            }

            if ((i + 1) % 10_000 == 0)
            {
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  sqlite: {i + 1:N0}/{corpus.MemoryCount:N0} memories ({(i + 1) / writeClock.Elapsed.TotalSeconds:F0} writes/s)"));
            }
        }

        writeClock.Stop();
        clock.Now = null;
        return new LoadIngest(corpus.MemoryCount, rows, corpus.Pool.Count, embedClock.Elapsed, writeClock.Elapsed, TimeSpan.Zero, DateTimeOffset.UtcNow, ThisRun: true);
    }

    private static async Task<long> CountRowsAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand($"SELECT count(*) FROM (SELECT 1 FROM \"{schema}\".memory_events LIMIT 1) e");
        await using (command.ConfigureAwait(false))
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    private static async Task DropSchemaAsync(string connectionString, string schema, CancellationToken cancellationToken)
    {
        if (!schema.StartsWith(LoadOptions.SchemaPrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Refusing to drop schema '{schema}': only the benchmark's own schemas ('{LoadOptions.SchemaPrefix}...') are dropped.");
        }

        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand($"DROP SCHEMA \"{schema}\" CASCADE", connection) { CommandTimeout = 0 };
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<IReadOnlyDictionary<string, long>> RowsByStatusAsync(PostgresMemoryStore store, CancellationToken cancellationToken)
    {
        var command = store.DataSource.CreateCommand($"SELECT status, count(*) FROM {store.Names.Objects} WHERE tenant LIKE 'tenant-%' GROUP BY status ORDER BY status");
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = 0;
            var rows = new Dictionary<string, long>(StringComparer.Ordinal);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows[reader.GetString(0)] = reader.GetInt64(1);
                }
            }

            return rows;
        }
    }

    private static async Task<string> PostgresDetailsAsync(PostgresMemoryStore store, string schema, CancellationToken cancellationToken)
    {
        var command = store.DataSource.CreateCommand(
            """
            SELECT current_setting('server_version'),
                   (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                   current_setting('shared_buffers'),
                   current_setting('synchronous_commit'),
                   pg_size_pretty((SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
                                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                   WHERE n.nspname = @schema AND c.relkind = 'r')),
                   pg_size_pretty((SELECT coalesce(sum(pg_relation_size(c.oid)), 0)::bigint
                                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam
                                   WHERE n.nspname = @schema AND c.relkind = 'i' AND a.amname = 'hnsw')),
                   (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam
                    WHERE n.nspname = @schema AND c.relkind = 'i' AND a.amname = 'hnsw')
            """);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("schema", schema);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"PostgreSQL {reader.GetString(0)} on this machine, pgvector {(reader.IsDBNull(1) ? "?" : reader.GetString(1))}, shared_buffers {reader.GetString(2)}, synchronous_commit {reader.GetString(3)}, schema {reader.GetString(4)} on disk (HNSW indexes {reader.GetString(5)}: {reader.GetInt64(6)}, one shared by all tenants and one per large tenant)");
            }
        }
    }

    // The load record: a memory in the meta tenant whose metadata holds the load's numbers.
    private static async Task WriteIngestRecordAsync(IMemoryStore store, string dataSet, string model, LoadIngest ingest, CancellationToken cancellationToken) =>
        await store.WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = MetaTenant,
                Type = MemoryTypes.Event,
                Subject = dataSet,
                Actor = MemoryActor.Agent("load-benchmark"),
                Value = string.Create(CultureInfo.InvariantCulture, $"Load benchmark data set {dataSet}: {ingest.Memories} memories ({ingest.Rows} rows) loaded at {ingest.MeasuredAt:O}."),
                Metadata = new Dictionary<string, string>
                {
                    ["memories"] = ingest.Memories.ToString(CultureInfo.InvariantCulture),
                    ["rows"] = ingest.Rows.ToString(CultureInfo.InvariantCulture),
                    ["distinct"] = ingest.DistinctTexts.ToString(CultureInfo.InvariantCulture),
                    ["embed_ms"] = ingest.EmbedTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    ["write_ms"] = ingest.WriteTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    ["index_ms"] = ingest.IndexTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    ["measured_at"] = ingest.MeasuredAt.ToString("O", CultureInfo.InvariantCulture),
                    ["embedder"] = model,
                    ["complete"] = "true",
                },
            },
            cancellationToken).ConfigureAwait(false);

    private static async Task<LoadIngest?> ReadIngestRecordAsync(IMemoryStore store, string dataSet, string model, CancellationToken cancellationToken)
    {
        var page = await store.ReadAsync(new MemoryQuery { Tenant = MetaTenant, Subject = dataSet, PageSize = MemoryQuery.MaxPageSize }, cancellationToken).ConfigureAwait(false);
        var record = page.Items.LastOrDefault(r => r.Metadata.GetValueOrDefault("complete") == "true");
        if (record is null)
        {
            return null;
        }

        var m = record.Metadata;
        if (m.GetValueOrDefault("embedder") != model)
        {
            throw new InvalidOperationException($"The data set '{dataSet}' was embedded with '{m.GetValueOrDefault("embedder")}', not '{model}': benchmark it with that model, or load it again elsewhere (another schema or file).");
        }

        return new LoadIngest(
            long.Parse(m["memories"], CultureInfo.InvariantCulture),
            long.Parse(m["rows"], CultureInfo.InvariantCulture),
            int.Parse(m["distinct"], CultureInfo.InvariantCulture),
            TimeSpan.FromMilliseconds(double.Parse(m["embed_ms"], CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(double.Parse(m["write_ms"], CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(double.Parse(m["index_ms"], CultureInfo.InvariantCulture)),
            DateTimeOffset.Parse(m["measured_at"], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            ThisRun: false);
    }

    /// <summary>The clock of the embedded load: the memory's write time while loading, the real time otherwise.</summary>
    private sealed class LoadClock : TimeProvider
    {
        public DateTimeOffset? Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now ?? base.GetUtcNow();
    }
}
