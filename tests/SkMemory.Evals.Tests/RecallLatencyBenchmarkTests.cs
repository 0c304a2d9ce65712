using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory.Postgres.Tests;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.Evals.Tests;

/// <summary>The recall latency benchmark at tiny sizes, with the test embedder: counts, reuse and the report; never timings.</summary>
public sealed class RecallLatencyBenchmarkTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("skmem-latency-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Sqlite_LoadsOnceThenReusesTheDataSet()
    {
        var path = Path.Combine(_folder, "latency.db");
        var embedder = new TestEmbeddingGenerator();
        var options = new RecallLatencyOptions { EmbeddingGenerator = embedder, Queries = 20, Warmup = 3, IngestChunk = 64 };
        var lines = new List<string>();

        var first = await RecallLatencyBenchmark.RunAsync([Sqlite(path, memories: 200)], options, new Lines(lines), TestContext.Current.CancellationToken);

        var store = Assert.Single(first.Stores);
        Assert.Equal(RecallLatencyStoreKind.Sqlite, store.Kind);
        Assert.Equal(("latency-v1-s7-200x1-test-hash-256", 200, 1), (store.Tenant, store.Memories, store.Subjects));
        Assert.Equal((200, true, 1), (store.Ingest!.Written, store.Ingest.ThisRun, store.Ingest.Concurrency));
        AssertMeasured(store, queries: 20, warmup: 3);
        Assert.Equal(TestEmbeddingGenerator.ModelId, first.EmbeddingModel);
        Assert.Equal(10, first.Top);

        // 200 memory texts in batches (not one call each), the load record, then 23 live queries and 20 timed alone.
        Assert.Equal(200 + 1 + 23 + 20, embedder.ValueCount);
        Assert.True(embedder.CallCount < 200 + 1 + 23 + 20, $"{embedder.CallCount} calls: memory texts were not batched");
        Assert.Equal(200, await CountAsync(path, store.Tenant));
        Assert.Contains(lines, l => l.Contains("loading 200 memories over 1 subjects", StringComparison.Ordinal));

        // A second run trusts the first run's load record: it reads that record and counts nothing (one ReadAsync, no
        // paging through the subject), writes nothing, and reports the first run's load numbers.
        lines.Clear();
        var reads = 0;
        var second = await RecallLatencyBenchmark.RunAsync([Sqlite(path, memories: 200, onRead: () => reads++)], options, new Lines(lines), TestContext.Current.CancellationToken);

        var reused = Assert.Single(second.Stores);
        Assert.Equal(200, reused.Memories);
        Assert.Equal((200, false), (reused.Ingest!.Written, reused.Ingest.ThisRun));
        Assert.Equal(store.Ingest.WriteTime.TotalMilliseconds, reused.Ingest.WriteTime.TotalMilliseconds, 0);
        Assert.Equal(store.Ingest.OtherCpu is { } other ? Math.Round(other, 3) : null, reused.Ingest.OtherCpu);
        if (OperatingSystem.IsLinux())
        {
            Assert.InRange(store.Ingest.OtherCpu!.Value, 0, 1);
            Assert.InRange(store.OtherCpu!.Value, 0, 1);
        }
        AssertMeasured(reused, queries: 20, warmup: 3);
        Assert.Equal(200, await CountAsync(path, store.Tenant));
        Assert.Equal(1, reads);
        Assert.Contains(lines, l => l.Contains("reusing the 200 memories already in tenant 'latency-v1-s7-200x1-test-hash-256' (its load finished on", StringComparison.Ordinal));

        // Another embedding model is another tenant: the data set is loaded again, never searched with the other model's vectors.
        var renamed = await RecallLatencyBenchmark.RunAsync(
            [Sqlite(path, memories: 200)],
            new RecallLatencyOptions { EmbeddingGenerator = new RenamedEmbedder(embedder, "other-model"), Queries = 5, Warmup = 0 },
            null,
            TestContext.Current.CancellationToken);
        Assert.Equal(("latency-v1-s7-200x1-other-model", 200, true), (renamed.Stores[0].Tenant, renamed.Stores[0].Ingest!.Written, renamed.Stores[0].Ingest!.ThisRun));
        Assert.Equal(200, await CountAsync(path, store.Tenant));
    }

    [Fact]
    public async Task Sqlite_CompletesAPartlyLoadedDataSet()
    {
        var path = Path.Combine(_folder, "partial.db");
        var embedder = new TestEmbeddingGenerator();
        var tenant = RecallLatencyBenchmark.TenantFor(30, 3, 7, TestEmbeddingGenerator.ModelId);

        // An interrupted load: 4 of the first subject's 10 memories are in.
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path, EmbeddingGenerator = embedder }, cancellationToken: TestContext.Current.CancellationToken))
        {
            foreach (var memory in new SyntheticCorpus(30, 3, 7).MemoriesOf(0).Take(4))
            {
                await store.WriteAsync(
                    new MemoryWriteRequest { Tenant = tenant, Type = memory.Type, Subject = memory.Subject, Actor = MemoryActor.User("test"), Value = memory.Text, IdempotencyKey = memory.IdempotencyKey },
                    TestContext.Current.CancellationToken);
            }
        }

        var lines = new List<string>();
        var options = new RecallLatencyOptions { EmbeddingGenerator = embedder, Queries = 5, Warmup = 0 };
        var result = await RecallLatencyBenchmark.RunAsync([Sqlite(path, memories: 30, subjects: 3)], options, new Lines(lines), TestContext.Current.CancellationToken);

        Assert.Equal((30, true), (result.Stores[0].Memories, result.Stores[0].Ingest!.ThisRun));
        Assert.Equal(26, result.Stores[0].Ingest!.Written);
        Assert.Equal(30, await CountAsync(path, tenant));
        Assert.Contains(lines, l => l.StartsWith("sqlite: 4 memories already in tenant 'latency-v1-s7-30x3-test-hash-256' (counted in", StringComparison.Ordinal) && l.EndsWith("; completing 3 of 3 subjects", StringComparison.Ordinal));

        // Another shape is another tenant in the same file; the first data set is untouched.
        var other = await RecallLatencyBenchmark.RunAsync([Sqlite(path, memories: 60, subjects: 3)], options, null, TestContext.Current.CancellationToken);
        Assert.Equal((60, 60), (other.Stores[0].Memories, other.Stores[0].Ingest!.Written));
        Assert.Equal(30, await CountAsync(path, tenant));
    }

    [Fact]
    public async Task Postgres_LoadsOverSubjectsConcurrentlyThenReuses()
    {
        var schema = postgres.NewSchema();
        var options = new RecallLatencyOptions { EmbeddingGenerator = new TestEmbeddingGenerator(), Queries = 20, Warmup = 2, IngestConcurrency = 4, IngestChunk = 50 };
        var target = new RecallLatencyTarget(
            RecallLatencyStoreKind.Postgres,
            $"postgres (schema {schema})",
            async (generator, cancellationToken) => await postgres.OpenStoreAsync(new MemoryStoreOptions { EmbeddingGenerator = generator }, schema, cancellationToken),
            Memories: 200,
            Subjects: 10)
        {
            Server = (postgres.ConnectionString, schema),
        };

        var first = await RecallLatencyBenchmark.RunAsync([target], options, null, TestContext.Current.CancellationToken);

        var store = Assert.Single(first.Stores);
        Assert.Equal(RecallLatencyStoreKind.Postgres, store.Kind);
        Assert.Equal((200, 10), (store.Memories, store.Subjects));
        Assert.Equal((200, true, 4), (store.Ingest!.Written, store.Ingest.ThisRun, store.Ingest.Concurrency));
        AssertMeasured(store, queries: 20, warmup: 2);
        Assert.Contains("PostgreSQL 1", store.Details, StringComparison.Ordinal);
        Assert.Contains("pgvector 0.", store.Details, StringComparison.Ordinal);
        Assert.Matches(@"schema [1-9]\d* [kM]B on disk", store.Details); // the data set's own schema was measured

        using (var opened = await postgres.OpenStoreAsync(schema: schema, cancellationToken: TestContext.Current.CancellationToken))
        {
            var corpus = new SyntheticCorpus(200, 10, 7);
            foreach (var subject in corpus.Subjects)
            {
                var page = await opened.ReadAsync(new MemoryQuery { Tenant = store.Tenant, Subject = subject, PageSize = 100 }, TestContext.Current.CancellationToken);
                Assert.Equal(20, page.Items.Count);
            }
        }

        var second = await RecallLatencyBenchmark.RunAsync([target], options, null, TestContext.Current.CancellationToken);
        Assert.Equal((200, false), (second.Stores[0].Ingest!.Written, second.Stores[0].Ingest!.ThisRun));
    }

    [Fact]
    public async Task Report_WritesItsSectionBetweenTheMarkersAndKeepsTheOthers()
    {
        var options = new RecallLatencyOptions { EmbeddingGenerator = new TestEmbeddingGenerator(), Queries = 20, Warmup = 1 };
        var result = await RecallLatencyBenchmark.RunAsync([Sqlite(Path.Combine(_folder, "report.db"), memories: 200)], options, null, TestContext.Current.CancellationToken);
        var store = result.Stores[0];

        var section = RecallLatencyReport.ToMarkdown(result, "skmem bench latency --sqlite-memories 200");
        var locomo = $"{LoCoMoReport.BeginMarker}\nlocomo numbers\n{LoCoMoReport.EndMarker}\n";
        var document = LoCoMoReport.UpdateDocument(null, locomo) + "\n## Other\n\nkept\n";

        var added = RecallLatencyReport.UpdateDocument(document, section);
        var replaced = RecallLatencyReport.UpdateDocument(added, section.Replace("## Recall latency", "## Recall latency, again", StringComparison.Ordinal));

        Assert.StartsWith(RecallLatencyReport.BeginMarker, section, StringComparison.Ordinal);
        Assert.EndsWith(RecallLatencyReport.EndMarker + Environment.NewLine, section, StringComparison.Ordinal);
        Assert.Contains("locomo numbers", added, StringComparison.Ordinal);
        Assert.Contains("## Other\n\nkept", added, StringComparison.Ordinal);
        Assert.EndsWith(section, added, StringComparison.Ordinal);
        Assert.Single(Occurrences(replaced, RecallLatencyReport.BeginMarker));
        Assert.Contains("## Recall latency, again", replaced, StringComparison.Ordinal);
        Assert.DoesNotContain("## Recall latency\n", replaced.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("locomo numbers", replaced, StringComparison.Ordinal);

        Assert.Contains("Generated by `skmem bench latency --sqlite-memories 200`", section, StringComparison.Ordinal);
        Assert.Contains(BenchmarkInvariant($"| SQLite (embedded) | 200 | 1 | 200 | loaded by this run | 20 | {store.Recall.P50:F1} | {store.Recall.P95:F1} | {store.Recall.P99:F1} |"), section, StringComparison.Ordinal);
        Assert.Contains(BenchmarkInvariant($"| SQLite (embedded) | 200 | {store.Ingest!.EmbedTime.TotalSeconds:F1} |"), section, StringComparison.Ordinal);
        Assert.Contains("logical CPUs", section, StringComparison.Ordinal);
        Assert.Contains($"Embedder: `{TestEmbeddingGenerator.ModelId}` (provider 'test')", section, StringComparison.Ordinal);
        Assert.Contains("reranks (reranker `mmr`)", section, StringComparison.Ordinal);
        Assert.Contains("| 21 of 21 recalls |", section, StringComparison.Ordinal);

        var table = RecallLatencyReport.ToTable(result);
        Assert.Contains("sqlite", table, StringComparison.Ordinal);
        Assert.Contains("loaded 200 memories this run", table, StringComparison.Ordinal);
    }

    private static void AssertMeasured(RecallLatencyStoreResult store, int queries, int warmup)
    {
        Assert.All(new[] { store.Recall, store.Search, store.Pack, store.QueryEmbedding }, summary => Assert.Equal(queries, summary.Count));

        // Every recall embeds its query live: nothing else is embedded during the recalls.
        Assert.Equal(queries + warmup, store.LiveEmbeddings);
        Assert.InRange(store.AimedQueries, 1, queries);
        Assert.InRange(store.TargetHits, 0, store.AimedQueries);
        Assert.InRange(store.MeanResults, 1, 10);
        Assert.InRange(store.MeanPacketTokens, 1, 1000);
        Assert.InRange(store.MeanPacketItems, 1, 10);
    }

    private static RecallLatencyTarget Sqlite(string path, int memories, int subjects = 1, Action? onRead = null) =>
        new(
            RecallLatencyStoreKind.Sqlite,
            path,
            async (generator, cancellationToken) =>
            {
                var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path, EmbeddingGenerator = generator }, cancellationToken: cancellationToken);
                return onRead is null ? store : new ReadCounter(store, onRead);
            },
            memories,
            subjects);

    private static async Task<int> CountAsync(string path, string tenant)
    {
        using var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: TestContext.Current.CancellationToken);
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant, PageSize = MemoryQuery.MaxPageSize, Cursor = cursor }, TestContext.Current.CancellationToken);
            count += page.Items.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return count;
    }

    private static IEnumerable<int> Occurrences(string text, string value)
    {
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            yield return at;
        }
    }

    private static string BenchmarkInvariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed class ReadCounter(IMemoryStore inner, Action onRead) : DelegatingMemoryStore(inner)
    {
        public override Task<MemoryPage> ReadAsync(MemoryQuery query, CancellationToken cancellationToken = default)
        {
            onRead();
            return base.ReadAsync(query, cancellationToken);
        }
    }

    private sealed class RenamedEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner, string modelId) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, modelId) : base.GetService(serviceType, serviceKey);
    }

    private sealed class Lines(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}
