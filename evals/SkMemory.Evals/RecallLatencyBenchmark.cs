using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Npgsql;
using SkMemory.Embeddings;
using SkMemory.Packing;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Evals;

/// <summary>Options of <see cref="RecallLatencyBenchmark"/>.</summary>
public sealed class RecallLatencyOptions
{
    /// <summary>Gets or sets the embedder; null loads the offline default (<see cref="MiniLmEmbeddingGenerator"/>).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>Gets or sets the timed recalls per store.</summary>
    public int Queries { get; set; } = 200;

    /// <summary>
    /// Gets or sets the untimed warm-up recalls per store: enough for .NET's tiered JIT to replace the first, unoptimized
    /// code of the search path (fewer leave it in the early timed recalls and inflate p95), and for connection pools and
    /// prepared statements to settle.
    /// </summary>
    public int Warmup { get; set; } = 200;

    /// <summary>Gets or sets how many results each search asks for, 1..100.</summary>
    public int Top { get; set; } = 10;

    /// <summary>Gets or sets the packet budget in o200k tokens.</summary>
    public int PacketBudget { get; set; } = 1000;

    /// <summary>Gets or sets the seed of the synthetic data and queries.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Gets or sets how many writes run at once when loading Postgres (SQLite has one writer).</summary>
    public int IngestConcurrency { get; set; } = 4;

    /// <summary>Gets or sets how many memories are embedded, then written, per step of the load.</summary>
    public int IngestChunk { get; set; } = 2000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="ArgumentException.ParamName"/> names it).</exception>
    public void Validate()
    {
        Check(Queries >= 1, nameof(Queries), Queries, "must be at least 1");
        Check(Warmup >= 0, nameof(Warmup), Warmup, "must not be negative");
        Check(Top is >= 1 and <= 100, nameof(Top), Top, "must be between 1 and 100");
        Check(PacketBudget >= 1, nameof(PacketBudget), PacketBudget, "must be at least 1");
        Check(IngestConcurrency >= 1, nameof(IngestConcurrency), IngestConcurrency, "must be at least 1");
        Check(IngestChunk >= 1, nameof(IngestChunk), IngestChunk, "must be at least 1");
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for <paramref name="name"/> unless <paramref name="valid"/>.</summary>
    /// <param name="valid">Whether the value is in range.</param>
    /// <param name="name">The option.</param>
    /// <param name="value">Its value.</param>
    /// <param name="problem">What is wrong, for example "must be at least 1".</param>
    internal static void Check(bool valid, string name, object value, string problem)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, problem);
        }
    }
}

/// <summary>
/// The recall latency benchmark: one recall = <see cref="IMemoryStore.SearchAsync"/> in hybrid mode (embed the query
/// live, vector and full-text retrieval, fusion, decay/salience/confidence scoring, rerank) plus
/// <see cref="MemoryPacketBuilder.Build"/> into a token-budgeted packet, timed end to end per query, on synthetic data
/// sets loaded through the real write path.
/// </summary>
/// <remarks>
/// Loading embeds the memory texts with the same embedder in batches ahead of the writes (served to the store through
/// a wrapper that embeds everything else live), so a 100,000-memory load is not 100,000 single-text model runs. A load
/// that finishes writes a record in a companion tenant; a re-run that finds it reuses the data set without counting it
/// and reports the load time measured when the data set was built. Without a record (an interrupted load), every
/// subject is counted and the missing memories are written.
/// </remarks>
public static class RecallLatencyBenchmark
{
    /// <summary>The subject, in the companion tenant, of the record describing how the data set was loaded.</summary>
    public const string DatasetSubject = "dataset";

    /// <summary>Gets the name of a data set's shape: corpus version, seed, memories and subjects (the CLI names its SQLite file after it).</summary>
    /// <param name="memories">How many memories.</param>
    /// <param name="subjects">Over how many subjects.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The name.</returns>
    public static string DataSetName(int memories, int subjects, int seed) =>
        string.Create(CultureInfo.InvariantCulture, $"latency-v{SyntheticCorpus.Version}-s{seed}-{memories}x{subjects}");

    /// <summary>
    /// Gets the tenant a data set lives in: its shape (<see cref="DataSetName"/>) and the embedding model, so another shape
    /// never mixes in and a data set is never reused with vectors of another model.
    /// </summary>
    /// <param name="memories">How many memories.</param>
    /// <param name="subjects">Over how many subjects.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="embeddingModel">The embedding model's id.</param>
    /// <returns>The tenant.</returns>
    public static string TenantFor(int memories, int subjects, int seed, string embeddingModel) =>
        $"{DataSetName(memories, subjects, seed)}-{embeddingModel}";

    /// <summary>Gets the companion tenant that keeps the load record of a data set's tenant.</summary>
    /// <param name="tenant">The data set's tenant.</param>
    /// <returns>The companion tenant.</returns>
    public static string MetaTenantFor(string tenant) => tenant + "-meta";

    /// <summary>Runs the benchmark on each target in turn.</summary>
    /// <param name="targets">The stores.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress lines; may be null.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results.</returns>
    public static async Task<RecallLatencyResult> RunAsync(
        IReadOnlyList<RecallLatencyTarget> targets,
        RecallLatencyOptions options,
        IProgress<string>? progress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (targets.Count == 0)
        {
            throw new ArgumentException("Name at least one store.", nameof(targets));
        }

        foreach (var target in targets)
        {
            RecallLatencyOptions.Check(target.Memories >= 1, nameof(target.Memories), target.Memories, $"must be at least 1 ({target.Display})");
            RecallLatencyOptions.Check(
                target.Subjects >= 1 && target.Subjects <= target.Memories,
                nameof(target.Subjects),
                target.Subjects,
                $"must be between 1 and the {target.Memories} memories to spread over them ({target.Display})");
        }

        return await BenchmarkEmbedder.RunAsync(options.EmbeddingGenerator, progress, RunWithAsync, cancellationToken).ConfigureAwait(false);

        async Task<RecallLatencyResult> RunWithAsync(IEmbeddingGenerator<string, Embedding<float>> generator)
        {
            var results = new List<RecallLatencyStoreResult>();
            foreach (var target in targets)
            {
                results.Add(await RunTargetAsync(target, generator, options, progress, cancellationToken).ConfigureAwait(false));
            }

            return new RecallLatencyResult
            {
                Stores = results,
                EmbeddingModel = BenchmarkEmbedder.ModelId(generator),
                EmbeddingRuntime = BenchmarkEmbedder.Runtime(generator),
                Reranker = BenchmarkEmbedder.Reranker(new MemoryRetrievalOptions()),
                Top = options.Top,
                PacketBudget = options.PacketBudget,
                Queries = options.Queries,
                Warmup = options.Warmup,
                Seed = options.Seed,
                FinishedAt = DateTimeOffset.UtcNow,
            };
        }
    }

    private static async Task<RecallLatencyStoreResult> RunTargetAsync(
        RecallLatencyTarget target,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        RecallLatencyOptions options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var name = target.Kind == RecallLatencyStoreKind.Sqlite ? "sqlite" : "postgres";
        var corpus = new SyntheticCorpus(target.Memories, target.Subjects, options.Seed);
        var tenant = TenantFor(target.Memories, target.Subjects, options.Seed, BenchmarkEmbedder.ModelId(generator));
        using var cache = new PrecomputedEmbeddingGenerator(generator);
        progress?.Report($"{name}: opening {target.Display}");
        using var store = await target.OpenAsync(cache, cancellationToken).ConfigureAwait(false);

        // A load that finished left a record saying so: the data set is complete and nothing is counted.
        var ingest = await ReadIngestRecordAsync(store, tenant, cancellationToken).ConfigureAwait(false);
        int memories;
        if (ingest is not null)
        {
            memories = corpus.MemoryCount;
            progress?.Report($"{name}: reusing the {memories:N0} memories already in tenant '{tenant}' (its load finished on {ingest.MeasuredAt:yyyy-MM-dd}); nothing to load");
        }
        else
        {
            // No record (a first run, or a load that was interrupted): a subject holding its whole share is complete; the
            // others are (re)written. Writes carry idempotency keys, so rewriting a partly loaded subject adds only what is
            // missing.
            var counting = Stopwatch.StartNew();
            var existing = 0;
            var incomplete = new List<int>();
            for (var s = 0; s < corpus.SubjectCount; s++)
            {
                var count = await CountAsync(store, tenant, corpus.Subjects[s], cancellationToken).ConfigureAwait(false);
                existing += count;
                if (count < corpus.CountOf(s))
                {
                    incomplete.Add(s);
                }
            }

            progress?.Report(existing == 0
                ? $"{name}: loading {corpus.MemoryCount:N0} memories over {corpus.SubjectCount:N0} subjects into tenant '{tenant}'"
                : $"{name}: {existing:N0} memories already in tenant '{tenant}' (counted in {counting.Elapsed.TotalSeconds:F1} s); completing {incomplete.Count:N0} of {corpus.SubjectCount:N0} subjects");
            var concurrency = target.Kind == RecallLatencyStoreKind.Postgres ? options.IngestConcurrency : 1;
            var ingestMeter = CpuMeter.Start();
            var (written, embedTime, writeTime) = await LoadAsync(store, cache, corpus, incomplete, tenant, concurrency, options, name, progress, cancellationToken).ConfigureAwait(false);
            memories = existing + written;
            ingest = new RecallLatencyIngest(written, embedTime, writeTime, concurrency, DateTimeOffset.UtcNow, ThisRun: true, ingestMeter.OtherShare());
            await WriteIngestRecordAsync(store, tenant, corpus, ingest, generator, cancellationToken).ConfigureAwait(false);
            progress?.Report($"{name}: loaded {written:N0} memories: embedding {embedTime.TotalSeconds:F1} s, writing {writeTime.TotalSeconds:F1} s ({ingest.WritesPerSecond:F0} writes/s, {concurrency} at a time)");
        }

        // From here on every text is embedded live.
        cache.Forget();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var queries = corpus.Queries(options.Queries, stream: 1);
        var warmup = corpus.Queries(options.Warmup, stream: 2);
        var packets = new MemoryPacketBuilder(new MemoryPacketOptions { TokenBudget = options.PacketBudget });
        var liveBefore = cache.LiveValues;
        progress?.Report($"{name}: {warmup.Count} warm-up recalls");
        foreach (var query in warmup)
        {
            _ = packets.Build(await SearchAsync(store, tenant, query, options.Top, cancellationToken).ConfigureAwait(false));
        }

        progress?.Report($"{name}: {queries.Count} timed recalls (top {options.Top}, {options.PacketBudget:N0}-token packet)");
        var meter = CpuMeter.Start();
        var recall = new List<double>(queries.Count);
        var search = new List<double>(queries.Count);
        var pack = new List<double>(queries.Count);
        int aimed = 0, hits = 0;
        long results = 0, packetTokens = 0, packetItems = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            var start = Stopwatch.GetTimestamp();
            var found = await SearchAsync(store, tenant, query, options.Top, cancellationToken).ConfigureAwait(false);
            var searched = Stopwatch.GetTimestamp();
            var packet = packets.Build(found);
            var end = Stopwatch.GetTimestamp();
            recall.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            search.Add(Stopwatch.GetElapsedTime(start, searched).TotalMilliseconds);
            pack.Add(Stopwatch.GetElapsedTime(searched, end).TotalMilliseconds);
            results += found.Count;
            packetTokens += packet.TokenCount;
            packetItems += packet.Included.Count;
            if (query.TargetKey is { } key)
            {
                aimed++;
                hits += found.Any(r => string.Equals(r.Record.IdempotencyKey, key, StringComparison.Ordinal)) ? 1 : 0;
            }

            if ((i + 1) % 50 == 0 || i + 1 == queries.Count)
            {
                progress?.Report($"  {name}: {i + 1}/{queries.Count} recalls ({clock.Elapsed.TotalSeconds:F1} s)");
            }
        }

        var elapsed = clock.Elapsed;
        var otherCpu = meter.OtherShare();
        var live = cache.LiveValues - liveBefore;

        // The query embedding alone, on the same texts, for the breakdown.
        var embedding = new List<double>(queries.Count);
        foreach (var query in queries)
        {
            var start = Stopwatch.GetTimestamp();
            _ = await generator.GenerateAsync(query.Text, cancellationToken: cancellationToken).ConfigureAwait(false);
            embedding.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        var summary = LatencySummary.Of(recall);
        progress?.Report($"{name}: recall p50 {summary.P50:F1} ms, p95 {summary.P95:F1} ms, p99 {summary.P99:F1} ms");
        return new RecallLatencyStoreResult
        {
            Kind = target.Kind,
            Description = target.Kind == RecallLatencyStoreKind.Sqlite
                ? "SqliteMemoryStore: one SQLite file (WAL), FTS5 full text, exact cosine over the subject's vectors"
                : "PostgresMemoryStore: tsvector full text, pgvector cosine (exact below 2,000 rows per filter, else HNSW with iterative scans)",
            Location = target.Display,
            Details = await DetailsAsync(target, store, cancellationToken).ConfigureAwait(false),
            Tenant = tenant,
            Memories = memories,
            Subjects = corpus.SubjectCount,
            Ingest = ingest,
            Recall = summary,
            Search = LatencySummary.Of(search),
            Pack = LatencySummary.Of(pack),
            QueryEmbedding = LatencySummary.Of(embedding),
            RecallsPerSecond = elapsed.TotalSeconds > 0 ? queries.Count / elapsed.TotalSeconds : 0,
            AimedQueries = aimed,
            TargetHits = hits,
            MeanResults = (double)results / queries.Count,
            MeanPacketTokens = (double)packetTokens / queries.Count,
            MeanPacketItems = (double)packetItems / queries.Count,
            LiveEmbeddings = live,
            OtherCpu = otherCpu,
        };
    }

    private static Task<IReadOnlyList<MemorySearchResult>> SearchAsync(IMemoryStore store, string tenant, SyntheticQuery query, int top, CancellationToken cancellationToken) =>
        store.SearchAsync(
            new MemorySearchRequest { Tenant = tenant, Subject = query.Subject, Text = query.Text, Top = top, Mode = MemorySearchMode.Hybrid },
            cancellationToken);

    private static async Task<(int Written, TimeSpan EmbedTime, TimeSpan WriteTime)> LoadAsync(
        IMemoryStore store,
        PrecomputedEmbeddingGenerator cache,
        SyntheticCorpus corpus,
        IReadOnlyList<int> subjects,
        string tenant,
        int concurrency,
        RecallLatencyOptions options,
        string name,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var pending = subjects.SelectMany(corpus.MemoriesOf).ToList();
        var written = 0;
        var done = 0;
        var embedClock = new Stopwatch();
        var writeClock = new Stopwatch();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken };
        foreach (var chunk in pending.Chunk(options.IngestChunk))
        {
            embedClock.Start();
            await cache.PrecomputeAsync(chunk.Select(m => m.Text), cancellationToken).ConfigureAwait(false);
            embedClock.Stop();

            writeClock.Start();
            await Parallel.ForEachAsync(chunk, parallel, async (memory, token) =>
            {
                var result = await store.WriteAsync(ToWrite(tenant, memory), token).ConfigureAwait(false);
                if (result.Outcome == MemoryWriteOutcome.Created)
                {
                    Interlocked.Increment(ref written);
                }
            }).ConfigureAwait(false);
            writeClock.Stop();
            cache.Forget();

            done += chunk.Length;
            progress?.Report($"  {name}: {done:N0}/{pending.Count:N0} memories (embedding {embedClock.Elapsed.TotalSeconds:F0} s, writing {writeClock.Elapsed.TotalSeconds:F0} s)");
        }

        return (written, embedClock.Elapsed, writeClock.Elapsed);
    }

    private static MemoryWriteRequest ToWrite(string tenant, SyntheticMemory memory) =>
        new()
        {
            Tenant = tenant,
            Type = memory.Type,
            Subject = memory.Subject,
            Actor = MemoryActor.Agent("latency-benchmark"),
            Value = memory.Text,
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Import, MessageIds = [memory.IdempotencyKey] },
            Salience = memory.Salience,
            Confidence = memory.Confidence,
            ValidFrom = memory.ValidFrom,
            IdempotencyKey = memory.IdempotencyKey,
        };

    private static async Task<int> CountAsync(IMemoryStore store, string tenant, string subject, CancellationToken cancellationToken)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant, Subject = subject, PageSize = MemoryQuery.MaxPageSize, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
            count += page.Items.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return count;
    }

    // The load record: a memory in the companion tenant whose metadata holds the numbers, so a re-run that reuses the
    // data set can still report how long loading it took.
    private static async Task WriteIngestRecordAsync(
        IMemoryStore store,
        string tenant,
        SyntheticCorpus corpus,
        RecallLatencyIngest ingest,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        CancellationToken cancellationToken)
    {
        await store.WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = MetaTenantFor(tenant),
                Type = MemoryTypes.Event,
                Subject = DatasetSubject,
                Actor = MemoryActor.Agent("latency-benchmark"),
                Value = string.Create(
                    CultureInfo.InvariantCulture,
                    $"Recall latency data set '{tenant}' ({corpus.MemoryCount} memories over {corpus.SubjectCount} subjects): {ingest.Written} written at {ingest.MeasuredAt:O}."),
                Metadata = new Dictionary<string, string>
                {
                    ["written"] = ingest.Written.ToString(CultureInfo.InvariantCulture),
                    ["embed_ms"] = ingest.EmbedTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    ["write_ms"] = ingest.WriteTime.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    ["concurrency"] = ingest.Concurrency.ToString(CultureInfo.InvariantCulture),
                    ["measured_at"] = ingest.MeasuredAt.ToString("O", CultureInfo.InvariantCulture),
                    ["embedder"] = BenchmarkEmbedder.ModelId(generator),
                    ["other_cpu"] = ingest.OtherCpu?.ToString("F3", CultureInfo.InvariantCulture) ?? string.Empty,
                    ["complete"] = "true",
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<RecallLatencyIngest?> ReadIngestRecordAsync(IMemoryStore store, string tenant, CancellationToken cancellationToken)
    {
        var page = await store.ReadAsync(new MemoryQuery { Tenant = MetaTenantFor(tenant), Subject = DatasetSubject, PageSize = MemoryQuery.MaxPageSize }, cancellationToken).ConfigureAwait(false);

        // Only a finished load writes a record, marked complete. The load that wrote the most is the one that built the
        // data set (a later one only completed it).
        var records = page.Items
            .Where(r => r.Metadata.GetValueOrDefault("complete") == "true")
            .Select(r => Parse(r.Metadata))
            .OfType<RecallLatencyIngest>()
            .OrderByDescending(i => i.Written)
            .ThenByDescending(i => i.MeasuredAt);
        return records.FirstOrDefault();

        static RecallLatencyIngest? Parse(IReadOnlyDictionary<string, string> metadata) =>
            metadata.TryGetValue("written", out var written)
            && metadata.TryGetValue("embed_ms", out var embed)
            && metadata.TryGetValue("write_ms", out var write)
            && metadata.TryGetValue("concurrency", out var concurrency)
            && metadata.TryGetValue("measured_at", out var at)
                ? new RecallLatencyIngest(
                    int.Parse(written, CultureInfo.InvariantCulture),
                    TimeSpan.FromMilliseconds(double.Parse(embed, CultureInfo.InvariantCulture)),
                    TimeSpan.FromMilliseconds(double.Parse(write, CultureInfo.InvariantCulture)),
                    int.Parse(concurrency, CultureInfo.InvariantCulture),
                    DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    ThisRun: false,
                    metadata.TryGetValue("other_cpu", out var other) && double.TryParse(other, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null)
                : null;
    }

    private static async Task<string> DetailsAsync(RecallLatencyTarget target, IMemoryStore store, CancellationToken cancellationToken)
    {
        if (store.GetService(typeof(SqliteMemoryStore)) is SqliteMemoryStore sqlite)
        {
            using var connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var size = new FileInfo(sqlite.DatabasePath).Length;
            return string.Create(CultureInfo.InvariantCulture, $"SQLite {connection.ServerVersion}, file {size / (1024.0 * 1024):F0} MiB");
        }

        if (target.Server is not { } server)
        {
            return "server not described";
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString;
        var pg = new NpgsqlConnection(connectionString);
        await using (pg.ConfigureAwait(false))
        {
            await pg.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(
                """
                SELECT current_setting('server_version'),
                       (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                       current_setting('shared_buffers'),
                       current_setting('fsync'),
                       current_setting('synchronous_commit'),
                       pg_size_pretty((SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
                                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                       WHERE n.nspname = @schema AND c.relkind = 'r'))
                """,
                pg);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("schema", server.Schema);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var host = pg.Host is "127.0.0.1" or "localhost" or "::1" ? "on this machine" : "over the network";
                    return string.Create(
                        CultureInfo.InvariantCulture,
                        $"PostgreSQL {reader.GetString(0)} {host}, pgvector {(reader.IsDBNull(1) ? "?" : reader.GetString(1))}, shared_buffers {reader.GetString(2)}, fsync {reader.GetString(3)}, synchronous_commit {reader.GetString(4)}, schema {reader.GetString(5)} on disk");
                }
            }
        }
    }
}
