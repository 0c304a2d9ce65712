using Microsoft.Data.Sqlite;
using SkMemory.Storage;
using SkMemory.Tests;

namespace SkMemory.Evals.Tests;

public sealed class LoadBenchmarkTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("skmem-load-").FullName;

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
    public async Task Sqlite_loads_once_then_reuses_the_data_set_and_measures_searches()
    {
        var options = new LoadOptions
        {
            EmbeddingGenerator = new TestEmbeddingGenerator(),
            Embedded = true,
            SqliteFile = Path.Combine(_folder, "load.db"),
            EmbeddedMemories = 200,
            EmbeddedSubjects = 10,
            EmbeddedTenants = 2,
            Rounds = 1,
            Queries = 3,
            Warmup = 1,
            Measure = LoadMeasurements.Search,
        };

        var first = Assert.Single((await LoadBenchmark.RunAsync(options, null, TestContext.Current.CancellationToken)).Stores);
        Assert.Equal("sqlite", first.Kind);
        Assert.True(first.Ingest.ThisRun);
        Assert.Equal(200, first.Ingest.Memories);

        var second = Assert.Single((await LoadBenchmark.RunAsync(options, null, TestContext.Current.CancellationToken)).Stores);
        Assert.False(second.Ingest.ThisRun);
        Assert.Equal(first.Ingest.Rows, second.Ingest.Rows);
        Assert.Empty(second.Writes);

        // Both scopes, with the query embedded live and beforehand, each timed Queries × Rounds times.
        Assert.Equal(
            [("subject", true), ("tenant", true), ("subject", false), ("tenant", false)],
            second.Searches.Select(q => (q.Scope, q.LiveEmbedding)));
        Assert.All(second.Searches, q => Assert.Equal(3, q.Pooled.Count));
        Assert.Null(second.Recall);
    }

    [Fact]
    public void The_corpus_is_deterministic_has_every_type_and_distinct_texts_per_subject()
    {
        var corpus = new LoadCorpus(memories: 20_000, subjects: 200, tenants: 20, distinctTexts: 1_000, seed: 7);
        var again = new LoadCorpus(memories: 20_000, subjects: 200, tenants: 20, distinctTexts: 1_000, seed: 7);
        var memories = Enumerable.Range(0, corpus.MemoryCount).Select(corpus.Memory).ToList();

        Assert.Equal(1_000, corpus.Pool.Count);
        Assert.Equal(1_000, corpus.Pool.Select(t => t.Text).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            [MemoryTypes.Asset, MemoryTypes.Constraint, MemoryTypes.Event, MemoryTypes.Fact, MemoryTypes.Identifier, MemoryTypes.Preference, MemoryTypes.Skill],
            corpus.Pool.Select(t => t.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.All(corpus.Pool, t => Assert.DoesNotContain("{", t.Text + t.Question, StringComparison.Ordinal));
        Assert.Equal(memories, Enumerable.Range(0, again.MemoryCount).Select(again.Memory));

        // Every subject's texts, and the texts that supersede them, are distinct: the store keeps every memory.
        foreach (var subject in memories.GroupBy(m => m.Subject))
        {
            var texts = subject.Select(m => m.Text).Concat(subject.Where(m => m.Fate == LoadFate.Superseded).Select(m => m.Replacement)).ToList();
            Assert.Equal(texts.Count, texts.Distinct().Count());
            Assert.Single(subject.Select(m => m.Tenant).Distinct());
        }

        Assert.Equal(20, memories.Select(m => m.Tenant).Distinct().Count());
        Assert.Equal(200, memories.Select(m => m.Subject).Distinct().Count());
        Assert.All(memories.GroupBy(m => m.Tenant), t => Assert.Equal(1_000, t.Count()));

        // Time grows with the order of writing, over 180 days; each subject's memories spread over the whole period.
        Assert.True(memories.Zip(memories.Skip(1)).All(p => p.First.At < p.Second.At));
        Assert.Equal(LoadCorpus.End - LoadCorpus.Span, memories[0].At);
        Assert.True(LoadCorpus.End - memories[^1].At < TimeSpan.FromHours(1));
        var first = memories.Where(m => m.Subject == "user-00001").ToList();
        Assert.True(first[^1].At - first[0].At > TimeSpan.FromDays(170));

        // About 4 % superseded and 2 % deleted.
        var superseded = memories.Count(m => m.Fate == LoadFate.Superseded) / (double)memories.Count;
        var deleted = memories.Count(m => m.Fate == LoadFate.Deleted) / (double)memories.Count;
        Assert.InRange(superseded, 0.035, 0.045);
        Assert.InRange(deleted, 0.015, 0.025);

        // The requests are valid writes: the pool's events carry when they happened (before they are written).
        var request = corpus.Request(memories[5]);
        Assert.Equal(corpus.Pool[memories[5].Text].Text, request.Value.Text);
        Assert.Equal(memories[5].Channel, request.Metadata!["channel"]);
        var eventMemory = memories.First(m => corpus.Pool[m.Text].Type == MemoryTypes.Event);
        Assert.NotNull(corpus.Request(eventMemory).ValidFrom);
        Assert.True(corpus.Request(eventMemory).ValidFrom < eventMemory.At);
    }

    [Fact]
    public void Queries_are_questions_about_kept_memories()
    {
        var corpus = new LoadCorpus(memories: 2_000, subjects: 20, tenants: 4, distinctTexts: 400, seed: 3);
        var queries = corpus.Queries(300, stream: 1);
        Assert.Equal(300, queries.Count);
        Assert.Equal(queries, corpus.Queries(300, stream: 1));
        Assert.NotEqual(queries, corpus.Queries(300, stream: 2));
        var questions = corpus.Pool.Select(t => t.Question).ToHashSet(StringComparer.Ordinal);
        Assert.All(queries, q => Assert.Contains(q.Text, questions));
        Assert.All(queries, q => Assert.Equal(LoadCorpus.TenantName((int.Parse(q.Subject["user-".Length..], System.Globalization.CultureInfo.InvariantCulture) - 1) % 4), q.Tenant));
    }

    [Fact]
    public void The_corpus_refuses_shapes_it_cannot_make()
    {
        Assert.Equal("distinctTexts", Assert.Throws<ArgumentOutOfRangeException>(() => new LoadCorpus(10_000, 10, 2, 1_999, 7)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoadCorpus(100, 10, 11, 100, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoadCorpus(10, 11, 1, 100, 7));
        Assert.Equal(nameof(LoadOptions.Embedded), Assert.Throws<ArgumentOutOfRangeException>(() => new LoadOptions().Validate()).ParamName);
        var schema = Assert.Throws<ArgumentException>(() => new LoadOptions { Embedded = true, PostgresSchema = "memory" }.Validate());
        Assert.Equal(nameof(LoadOptions.PostgresSchema), schema.ParamName);
        var memory = Assert.Throws<ArgumentException>(() => new LoadOptions { PostgresConnectionString = "Host=nowhere", IndexBuildMemory = "4 GB" }.Validate());
        Assert.Equal(nameof(LoadOptions.IndexBuildMemory), memory.ParamName);
        Assert.Equal(50_000, new LoadOptions().DistinctTexts(1_000_000, 10_000));
    }

    [Fact]
    public void Recall_counts_hits_by_distance_so_equal_vectors_count()
    {
        ScoredMemoryId Hit(double score) => new(Guid.NewGuid(), score);

        var exact = Enumerable.Range(0, 10).Select(i => Hit(0.9 - (i * 0.01))).ToList();

        // Other rows than exact's, at the same distances (duplicate vectors): every one is a hit.
        Assert.Equal(1.0, LoadBenchmark.Recall(exact.Select(h => Hit(h.Score)).ToList(), exact));

        // Two rows farther than the 10th exact one: 8 of 10.
        var approximate = exact.Take(8).Concat([Hit(0.5), Hit(0.4)]).ToList();
        Assert.Equal(0.8, LoadBenchmark.Recall(approximate, exact), 6);

        // Short answers count what they have; nothing to find is full recall.
        Assert.Equal(0.3, LoadBenchmark.Recall(exact.Take(3).ToList(), exact), 6);
        Assert.Equal(1.0, LoadBenchmark.Recall([], []));
    }

    [Fact]
    public void The_report_states_each_target_next_to_its_measurement_in_its_own_section()
    {
        var round = new LatencySummary(200, 12, 10, 18, 25, 5, 30);
        var slow = new LatencySummary(200, 40, 35, 60, 80, 20, 90);
        var result = new LoadResult
        {
            Stores =
            [
                new LoadStoreResult
                {
                    Kind = "postgres",
                    Description = "PostgresMemoryStore",
                    Details = "PostgreSQL 15",
                    Tenants = 20,
                    Subjects = 10_000,
                    RowsByStatus = new Dictionary<string, long> { ["active"] = 980_000, ["deleted"] = 20_000, ["superseded"] = 40_000 },
                    Ingest = new LoadIngest(1_000_000, 1_040_000, 50_000, TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(400), TimeSpan.FromSeconds(300), DateTimeOffset.UnixEpoch, ThisRun: true),
                    Writes = [new LoadWriteThroughput("single", false, true, 100, [20, 22, 21], round)],
                    Searches =
                    [
                        new LoadSearchLatency("subject", true, 100, [round, round, round], round),
                        new LoadSearchLatency("tenant", true, 50_000, [slow, slow, slow], slow),
                        new LoadSearchLatency("subject", false, 100, [round, round, round], round),
                    ],
                    Recall = new LoadRecall(100, 10, slow, 0, [new LoadRecallSetting(100, 40, 0.97, 0.7, round), new LoadRecallSetting(100, 10, 0.7, 0.0, round)]),
                },
            ],
            EmbeddingModel = "all-MiniLM-L6-v2",
            EmbeddingRuntime = "offline",
            Rounds = 3,
            Seed = 7,
            Machine = "2 logical CPUs",
            FinishedAt = DateTimeOffset.UnixEpoch,
        };

        var section = LoadReport.ToMarkdown(result, "skmem bench load --postgres <connection string>");
        Assert.StartsWith(LoadReport.BeginMarker, section, StringComparison.Ordinal);
        Assert.EndsWith(LoadReport.EndMarker + Environment.NewLine, section, StringComparison.Ordinal);
        Assert.Contains("| tenant + subject scope (as the MCP tool searches) search p95 ≤ 20 ms at 1,000,000 memories (PostgreSQL) | 18.0 ms (p50 10.0, p99 25.0) | yes |", section, StringComparison.Ordinal);
        Assert.Contains("| tenant-only scope search p95 ≤ 20 ms at 1,000,000 memories (PostgreSQL) | 60.0 ms (p50 35.0, p99 80.0) | **no** |", section, StringComparison.Ordinal);
        Assert.Contains("| 0.970 (worst query 0.7) | yes |", section, StringComparison.Ordinal);
        Assert.Contains("625 memories/s", section, StringComparison.Ordinal);
        Assert.Contains("| 100 | 10 | 0.700 | 0.0 |", section, StringComparison.Ordinal);
        Assert.Contains("2 logical CPUs", section, StringComparison.Ordinal);

        // Only its own section changes.
        var document = "# Benchmarks\n\n<!-- latency:begin -->\nlatency\n<!-- latency:end -->\n\n" + LoadReport.BeginMarker + "\nold\n" + LoadReport.EndMarker + "\n\ntail\n";
        var updated = LoadReport.UpdateDocument(document, section);
        Assert.Contains("<!-- latency:begin -->\nlatency\n<!-- latency:end -->", updated, StringComparison.Ordinal);
        Assert.DoesNotContain("\nold\n", updated, StringComparison.Ordinal);
        Assert.EndsWith("tail\n", updated, StringComparison.Ordinal);
    }
}
