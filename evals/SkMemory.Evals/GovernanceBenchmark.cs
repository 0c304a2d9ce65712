using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory.Governance;
using SkMemory.Governance.Retention;
using SkMemory.Redaction;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Evals;

/// <summary>
/// The governance layer's cost on the embedded SQLite store: access control on search and read (the SQL access filter
/// and the read-audit insert), redaction on write and the redactor's throughput, purges with signed attestations and
/// their verification, and retention sweeps. Every latency is one operation timed with a <see cref="Stopwatch"/>, back
/// to back, after untimed warm-up operations; raw and governed operations alternate so drift hits both alike.
/// </summary>
/// <remarks>
/// The store is a new temporary file, deleted after the run; its clock is the benchmark's own, moved forward only to
/// make the retention policy due. Memories are the synthetic corpus of the recall latency benchmark, written one at a
/// time through the real write path; every other memory gets a 30-day time to live, which the retention policy expires.
/// </remarks>
public static class GovernanceBenchmark
{
    /// <summary>The tenant of the loaded memories.</summary>
    public const string Tenant = "governance-bench";

    /// <summary>The page size of the timed reads.</summary>
    public const int ReadPageSize = 50;

    /// <summary>The time to live given to every other memory.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(30);

    /// <summary>The inline retention policy of the sweeps: memories whose time to live elapsed are purged 7 days later.</summary>
    public const string RetentionPolicy = """{ "version": 1, "default": { "purgeAfterDays": 7 } }""";

    private const string RawWrites = "governance-bench-writes-raw";
    private const string RedactedWrites = "governance-bench-writes-redacted";

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress lines; may be null.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results.</returns>
    public static async Task<GovernanceResult> RunAsync(GovernanceOptions options, IProgress<string>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = options.Folder is null
            ? Directory.CreateTempSubdirectory("skmem-governance-").FullName
            : Directory.CreateDirectory(Path.Combine(options.Folder, "skmem-governance-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            using var owned = options.EmbeddingGenerator is null ? new HashingEmbeddingGenerator() : null;
            var generator = options.EmbeddingGenerator ?? owned!;
            return await RunInAsync(Path.Combine(folder, "governance.db"), generator, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<GovernanceResult> RunInAsync(
        string path, IEmbeddingGenerator<string, Embedding<float>> generator, GovernanceOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var clock = new BenchClock(DateTimeOffset.UtcNow);
        using var signer = MemoryAttestationSigner.Create();
        using var store = await SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = path, EmbeddingGenerator = generator, TimeProvider = clock, AttestationSigner = signer },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var corpus = new SyntheticCorpus(options.Memories, options.Subjects, options.Seed);

        // Load: one write at a time, through the raw store.
        progress?.Report($"loading {corpus.MemoryCount:N0} memories over {corpus.SubjectCount} subjects into {path}");
        var ids = new List<Guid>[corpus.SubjectCount];
        var withTtl = 0;
        var load = Stopwatch.StartNew();
        for (var s = 0; s < corpus.SubjectCount; s++)
        {
            ids[s] = [];
            foreach (var memory in corpus.MemoriesOf(s))
            {
                var ttl = memory.Index % 2 == 0 ? TimeToLive : (TimeSpan?)null;
                withTtl += ttl is null ? 0 : 1;
                var written = await store.WriteAsync(ToWrite(memory, ttl), cancellationToken).ConfigureAwait(false);
                ids[s].Add(written.Record.Id);
            }
        }

        load.Stop();
        progress?.Report($"loaded in {load.Elapsed.TotalSeconds:F1} s");
        var meter = CpuMeter.Start();

        // 1. Access control: one governed store per subject, its caller an agent acting for that subject.
        var governed = new Dictionary<string, IMemoryStore>(StringComparer.Ordinal);
        foreach (var subject in corpus.Subjects)
        {
            var caller = new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.Agent("bench-agent"), ActingFor = [subject], Task = "benchmark" };
            governed[subject] = new MemoryStoreBuilder(store).UseAccessControl(MemoryCallerAccessor.Fixed(caller)).Build();
        }

        progress?.Report($"access control: {options.Warmup} warm-up and {options.Searches} timed searches and reads per path");
        foreach (var query in corpus.Queries(options.Warmup, stream: 2))
        {
            await SearchAsync(store, query, options.Top, cancellationToken).ConfigureAwait(false);
            await SearchAsync(governed[query.Subject], query, options.Top, cancellationToken).ConfigureAwait(false);
            await ReadAsync(store, query.Subject, cancellationToken).ConfigureAwait(false);
            await ReadAsync(governed[query.Subject], query.Subject, cancellationToken).ConfigureAwait(false);
        }

        var searchRaw = new List<double>();
        var searchGoverned = new List<double>();
        var queries = corpus.Queries(options.Searches, stream: 1);
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            if (i % 2 == 0)
            {
                searchRaw.Add(await Time(() => SearchAsync(store, query, options.Top, cancellationToken)).ConfigureAwait(false));
                searchGoverned.Add(await Time(() => SearchAsync(governed[query.Subject], query, options.Top, cancellationToken)).ConfigureAwait(false));
            }
            else
            {
                // Odd queries run the governed search first, so neither path always goes second.
                searchGoverned.Add(await Time(() => SearchAsync(governed[query.Subject], query, options.Top, cancellationToken)).ConfigureAwait(false));
                searchRaw.Add(await Time(() => SearchAsync(store, query, options.Top, cancellationToken)).ConfigureAwait(false));
            }
        }

        var readRaw = new List<double>();
        var readGoverned = new List<double>();
        for (var i = 0; i < options.Searches; i++)
        {
            var subject = corpus.Subjects[i % corpus.SubjectCount];
            if (i % 2 == 0)
            {
                readRaw.Add(await Time(() => ReadAsync(store, subject, cancellationToken)).ConfigureAwait(false));
                readGoverned.Add(await Time(() => ReadAsync(governed[subject], subject, cancellationToken)).ConfigureAwait(false));
            }
            else
            {
                readGoverned.Add(await Time(() => ReadAsync(governed[subject], subject, cancellationToken)).ConfigureAwait(false));
                readRaw.Add(await Time(() => ReadAsync(store, subject, cancellationToken)).ConfigureAwait(false));
            }
        }

        progress?.Report($"search p50 raw {LatencySummary.Of(searchRaw).P50:F2} ms, governed {LatencySummary.Of(searchGoverned).P50:F2} ms");

        // 2. Redaction on write: the same texts through the raw store and the redacting store, into twin tenants.
        var redacting = new MemoryStoreBuilder(store).UseRedaction().Build();
        var redactionCorpus = RedactionCorpus.Load();
        var secrets = redactionCorpus.Where(l => l.Labels.Count > 0).Select(l => l.Text).ToList();
        var writeCorpus = new SyntheticCorpus(options.Writes + options.Warmup, 1, options.Seed + 1);
        var clean = writeCorpus.MemoriesOf(0).Select(m => m.Text).ToList();
        progress?.Report($"redaction: {options.Warmup} warm-up and {options.Writes} timed writes per kind of text and path");
        for (var i = 0; i < options.Warmup; i++)
        {
            await WriteAsync(store, RawWrites, clean[i], cancellationToken).ConfigureAwait(false);
            await WriteAsync(redacting, RedactedWrites, clean[i], cancellationToken).ConfigureAwait(false);
            await WriteAsync(store, RawWrites, secrets[i % secrets.Count], cancellationToken).ConfigureAwait(false);
            await WriteAsync(redacting, RedactedWrites, secrets[i % secrets.Count], cancellationToken).ConfigureAwait(false);
        }

        var (cleanRaw, cleanRedacted, cleanChanged) = await TimeWritesAsync(store, redacting, clean.Skip(options.Warmup).Take(options.Writes).ToList(), cancellationToken).ConfigureAwait(false);
        var secretTexts = Enumerable.Range(options.Warmup, options.Writes).Select(i => secrets[i % secrets.Count]).ToList();
        var (secretRaw, secretRedacted, secretChanged) = await TimeWritesAsync(store, redacting, secretTexts, cancellationToken).ConfigureAwait(false);

        // The redactor alone on the corpus: one untimed pass, then the timed passes.
        var texts = redactionCorpus.Select(l => l.Text).ToList();
        var bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        foreach (var text in texts)
        {
            _ = MemoryRedactor.FindPatterns(text);
        }

        var scan = Stopwatch.StartNew();
        for (var pass = 0; pass < options.RedactorPasses; pass++)
        {
            foreach (var text in texts)
            {
                _ = MemoryRedactor.FindPatterns(text);
            }
        }

        scan.Stop();
        progress?.Report($"redactor: {bytes * options.RedactorPasses / 1024.0 / scan.Elapsed.TotalSeconds:F0} KiB/s");

        // 3. Purge: single memories from every subject but the first, then the first subject whole, then its attestation verified.
        var actor = new MemoryActor(MemoryActorKind.Service, "bench-operator");
        var purgeOne = new List<double>();
        progress?.Report($"purge: {options.Purges} single memories, then a subject of {ids[0].Count} memories");
        for (var i = 0; i < options.Purges; i++)
        {
            var s = 1 + (i % (corpus.SubjectCount - 1));
            var list = ids[s];
            var id = list[^1];
            list.RemoveAt(list.Count - 1);
            purgeOne.Add(await Time(() => store.PurgeAsync(new MemoryPurgeRequest { Tenant = Tenant, Ids = [id], Reason = "benchmark: erase one memory", Actor = actor }, cancellationToken)).ConfigureAwait(false));
        }

        var purgeSubject = Stopwatch.StartNew();
        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = Tenant, Subject = corpus.Subjects[0], Reason = "benchmark: erase a subject", Actor = actor }, cancellationToken).ConfigureAwait(false);
        purgeSubject.Stop();
        var publicKey = signer.ExportPublicKeyPem();
        var verify = new List<double>();
        var valid = true;
        for (var i = 0; i < 5; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var verification = await MemoryAttestationVerifier.VerifyAsync(attestation, store, publicKey, cancellationToken).ConfigureAwait(false);
            verify.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            valid &= verification.IsValid;
        }

        // 4. Retention: past the time to live (expire), past the purge delay (purge), then once more (nothing to do).
        var sweeper = new MemoryRetentionSweeper(store, MemoryRetentionPolicy.Parse(RetentionPolicy), clock);
        var sweepOptions = new MemoryRetentionSweepOptions { Tenant = Tenant };
        clock.Advance(TimeToLive + TimeSpan.FromDays(1));
        var expire = await SweepAsync(sweeper, sweepOptions, cancellationToken).ConfigureAwait(false);
        clock.Advance(TimeSpan.FromDays(8));
        var purge = await SweepAsync(sweeper, sweepOptions, cancellationToken).ConfigureAwait(false);
        var noOp = await SweepAsync(sweeper, sweepOptions, cancellationToken).ConfigureAwait(false);
        progress?.Report($"retention: expire {expire.Elapsed.TotalMilliseconds:F0} ms ({expire.Expired} expired), purge {purge.Elapsed.TotalMilliseconds:F0} ms ({purge.Purged} purged), no-op {noOp.Elapsed.TotalMilliseconds:F0} ms");

        return new GovernanceResult
        {
            EmbeddingModel = BenchmarkEmbedder.ModelId(generator),
            EmbeddingRuntime = generator is HashingEmbeddingGenerator ? "in process, no model: hashed bag of words, 256 dimensions" : BenchmarkEmbedder.Runtime(generator),
            Memories = corpus.MemoryCount,
            Subjects = corpus.SubjectCount,
            Seed = options.Seed,
            Top = options.Top,
            Warmup = options.Warmup,
            LoadTime = load.Elapsed,
            SearchRaw = LatencySummary.Of(searchRaw),
            SearchGoverned = LatencySummary.Of(searchGoverned),
            ReadRaw = LatencySummary.Of(readRaw),
            ReadGoverned = LatencySummary.Of(readGoverned),
            ReadPageSize = ReadPageSize,
            WriteCleanRaw = cleanRaw,
            WriteCleanRedacted = cleanRedacted,
            WriteSecretRaw = secretRaw,
            WriteSecretRedacted = secretRedacted,
            CleanWritesChanged = cleanChanged,
            SecretWritesChanged = secretChanged,
            RedactorBytes = bytes,
            RedactorLines = texts.Count,
            RedactorPasses = options.RedactorPasses,
            RedactorElapsed = scan.Elapsed,
            PurgeOne = LatencySummary.Of(purgeOne),
            SubjectMemories = attestation.MemoryIds.Count,
            PurgeSubject = purgeSubject.Elapsed,
            VerifySubject = LatencySummary.Of(verify),
            AttestationValid = valid,
            WithTimeToLive = withTtl,
            ExpireSweep = expire,
            PurgeSweep = purge,
            NoOpSweep = noOp,
            OtherCpu = meter.OtherShare(),
            FinishedAt = DateTimeOffset.UtcNow,
        };
    }

    private static MemoryWriteRequest ToWrite(SyntheticMemory memory, TimeSpan? ttl) =>
        new()
        {
            Tenant = Tenant,
            Type = memory.Type,
            Subject = memory.Subject,
            Actor = MemoryActor.Agent("governance-benchmark"),
            Value = memory.Text,
            Salience = memory.Salience,
            Confidence = memory.Confidence,
            ValidFrom = memory.ValidFrom,
            Ttl = ttl,
            IdempotencyKey = memory.IdempotencyKey,
        };

    private static async Task<(LatencySummary Raw, LatencySummary Redacted, int Changed)> TimeWritesAsync(
        IMemoryStore raw, IMemoryStore redacting, List<string> texts, CancellationToken cancellationToken)
    {
        var rawTimes = new List<double>(texts.Count);
        var redactedTimes = new List<double>(texts.Count);
        var changed = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            MemoryWriteResult? result = null;
            if (i % 2 == 0)
            {
                rawTimes.Add(await Time(() => WriteAsync(raw, RawWrites, text, cancellationToken)).ConfigureAwait(false));
                redactedTimes.Add(await Time(async () => result = await WriteAsync(redacting, RedactedWrites, text, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false));
            }
            else
            {
                redactedTimes.Add(await Time(async () => result = await WriteAsync(redacting, RedactedWrites, text, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false));
                rawTimes.Add(await Time(() => WriteAsync(raw, RawWrites, text, cancellationToken)).ConfigureAwait(false));
            }

            changed += string.Equals(result!.Record.Value.Text, text, StringComparison.Ordinal) ? 0 : 1;
        }

        return (LatencySummary.Of(rawTimes), LatencySummary.Of(redactedTimes), changed);
    }

    private static Task<MemoryWriteResult> WriteAsync(IMemoryStore store, string tenant, string text, CancellationToken cancellationToken) =>
        store.WriteAsync(
            new MemoryWriteRequest { Tenant = tenant, Type = MemoryTypes.Fact, Subject = "writer", Actor = MemoryActor.Agent("governance-benchmark"), Value = text },
            cancellationToken);

    private static Task<IReadOnlyList<MemorySearchResult>> SearchAsync(IMemoryStore store, SyntheticQuery query, int top, CancellationToken cancellationToken) =>
        store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Subject = query.Subject, Text = query.Text, Top = top, Mode = MemorySearchMode.Hybrid }, cancellationToken);

    private static Task<MemoryPage> ReadAsync(IMemoryStore store, string subject, CancellationToken cancellationToken) =>
        store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = subject, PageSize = ReadPageSize }, cancellationToken);

    private static async Task<GovernanceSweep> SweepAsync(MemoryRetentionSweeper sweeper, MemoryRetentionSweepOptions options, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var report = await sweeper.SweepAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new GovernanceSweep(Stopwatch.GetElapsedTime(start), report.TotalExamined, report.TotalExpired, report.TotalPurged, report.TotalErrors);
    }

    private static async Task<double> Time<T>(Func<Task<T>> operation)
    {
        var start = Stopwatch.GetTimestamp();
        _ = await operation().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The store's clock: the real time at the start, moved forward only by the benchmark.</summary>
    private sealed class BenchClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan delta) => Interlocked.Add(ref _ticks, delta.Ticks);
    }
}

/// <summary>
/// The benchmark's default embedder: a deterministic hashed bag of words (each lower-cased letter-or-digit token hashed
/// with 32-bit FNV-1a into one of 256 signed dimensions, L2-normalized), the same scheme as the tests' embedder. No model
/// runs, so the numbers show the store's vector path and the governance layer, not a model's inference time. It is also
/// the eval suite's second offline embedder (<c>"embedder": "hashing"</c> in <c>skmem eval --configs</c>), so drift between
/// two embedders is measured without a network.
/// </summary>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The vector length.</summary>
    public const int Dimensions = 256;

    /// <summary>The model id it reports.</summary>
    public const string ModelId = "hash-bow-256";

    private static readonly EmbeddingGeneratorMetadata Metadata = new("skmemory-bench", null, ModelId, Dimensions);

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        cancellationToken.ThrowIfCancellationRequested();
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            embeddings.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId });
        }

        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        var hash = 2166136261u;
        var inToken = false;
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            if (char.IsLetterOrDigit(c))
            {
                hash = unchecked((hash ^ c) * 16777619u);
                inToken = true;
            }
            else if (inToken)
            {
                Add(vector, hash);
                hash = 2166136261u;
                inToken = false;
            }
        }

        if (inToken)
        {
            Add(vector, hash);
        }

        var norm = Math.Sqrt(vector.Sum(x => (double)x * x));
        if (norm == 0)
        {
            Array.Clear(vector);
            vector[0] = 1f;
            return vector;
        }

        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(vector[i] / norm);
        }

        return vector;
    }

    private static void Add(float[] vector, uint hash) => vector[hash & 0xFF] += (hash & 0x1_0000) == 0 ? 1f : -1f;
}
