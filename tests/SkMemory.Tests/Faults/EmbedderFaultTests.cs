using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests.Retrieval;

namespace SkMemory.Tests.Faults;

/// <summary>
/// Issue 11's "the embedder failing" fault on the embedded SQLite store: writes are kept and embedded later without an
/// operator, search degrades to full text with a flag, and each fault ends with the exact count of memories and a passing verify.
/// </summary>
public sealed class EmbedderFaultTests : IDisposable
{
    private const int EmbedderFailingEventId = 20;
    private const int EmbedderRecoveredEventId = 22;
    private const string Tenant = "acme";

    private static readonly string[] Museums =
    [
        "tile", "coach", "orient", "puppet", "design", "fado", "maritime", "electricity", "pharmacy", "toy",
        "lace", "cork", "mint", "sport", "theatre", "music", "carriage", "sardine", "costume", "aquarium",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("skmem-embedder-fault-").FullName;
    private readonly TestEmbeddingGenerator _inner = new();
    private readonly ScriptedEmbeddingGenerator _embedder;
    private readonly RecordingLoggerFactory _logs = new();

    public EmbedderFaultTests() => _embedder = new ScriptedEmbeddingGenerator(_inner);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_while_the_embedder_fails_are_kept_and_the_retry_timer_embeds_them_with_no_caller_involved()
    {
        const int Writes = 20;
        using var store = await OpenAsync();
        _embedder.Fault = EmbedderFault.Throw;

        for (var i = 0; i < Writes; i++)
        {
            // One subject each: neighbors in a subject boost each other, which would blur what the ranking shows here.
            var result = await store.WriteAsync(Note($"Ana visited the {Museums[i]} museum in Lisbon") with { Subject = "visitor-" + i }, Ct);
            Assert.Equal(MemoryWriteOutcome.Created, result.Outcome);
        }

        Assert.Equal(Writes, await CountActiveAsync(store));
        Assert.Equal(Writes, await store.CountPendingEmbeddingsAsync(Ct));
        await AssertVerifiesAsync(store, Writes);

        // Hybrid search ranks by full text alone and flags every result; the full-text ranking is the same as text mode's.
        var hybrid = await store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Text = "pharmacy museum", Top = 5 }, Ct);
        var text = await store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Text = "pharmacy museum", Top = 5, Mode = MemorySearchMode.Text }, Ct);
        Assert.Equal("Ana visited the pharmacy museum in Lisbon", hybrid[0].Record.Value.Text);
        Assert.All(hybrid, r => Assert.Equal(MemorySearchDegradation.EmbedderUnavailable, r.Degradation));
        Assert.All(hybrid, r => Assert.Null(r.Breakdown.Semantic));
        Assert.Equal(text.Select(r => r.Record.Id), hybrid.Select(r => r.Record.Id));

        // Twenty failed writes and a failed search are one burst: one warning, the rest at debug level.
        Assert.True(_embedder.Failures >= Writes + 1);
        Assert.Single(_logs.Entries, e => e.EventId == EmbedderFailingEventId && e.Level == LogLevel.Warning);

        // Recover and call nothing: the retry timer (first after 5 s) embeds the backlog on its own.
        _embedder.Fault = EmbedderFault.None;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (await store.CountPendingEmbeddingsAsync(Ct) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the retry timer did not embed the pending memories");
            await Task.Delay(100, Ct);
        }

        Assert.Equal(Writes, await CountActiveAsync(store));
        await AssertVerifiesAsync(store, Writes); // embedding the backlog wrote no event
        Assert.Contains(_logs.Entries, e => e.EventId == EmbedderRecoveredEventId);
        var vector = await store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Text = "Ana visited the pharmacy museum in Lisbon", Mode = MemorySearchMode.Vector }, Ct);
        Assert.Equal("Ana visited the pharmacy museum in Lisbon", vector[0].Record.Value.Text);
        Assert.Null(vector[0].Degradation);
    }

    [Fact]
    public async Task Concurrent_writes_while_the_embedder_fails_are_all_kept_pending_and_the_chain_verifies()
    {
        const int Writes = 16;
        using var store = await OpenAsync();
        _embedder.Fault = EmbedderFault.Throw;

        var results = await Task.WhenAll(Enumerable.Range(0, Writes).Select(i => store.WriteAsync(Note($"Ana booked concert {i} for the spring"), Ct)));

        Assert.All(results, r => Assert.Equal(MemoryWriteOutcome.Created, r.Outcome));
        Assert.Equal(Writes, await CountActiveAsync(store));
        Assert.Equal(Writes, await store.CountPendingEmbeddingsAsync(Ct));
        await AssertVerifiesAsync(store, Writes);

        _embedder.Fault = EmbedderFault.None;
        var embedded = await store.EmbedPendingAsync(Ct);
        Assert.Equal(0, embedded.Pending);
        Assert.Equal(0, await store.CountPendingEmbeddingsAsync(Ct));
        await AssertVerifiesAsync(store, Writes);
    }

    [Fact]
    public async Task A_second_failure_burst_after_a_recovery_warns_again()
    {
        using var store = await OpenAsync();
        _embedder.Fault = EmbedderFault.Throw;
        await store.WriteAsync(Note("Ana likes green tea"), Ct);
        await store.WriteAsync(Note("Ana likes black coffee"), Ct);
        _embedder.Fault = EmbedderFault.None;
        await store.WriteAsync(Note("Ana likes oat milk"), Ct);
        _embedder.Fault = EmbedderFault.Throw;
        await store.WriteAsync(Note("Ana likes rooibos"), Ct);

        Assert.Equal(2, _logs.Entries.Count(e => e.EventId == EmbedderFailingEventId && e.Level == LogLevel.Warning));
        Assert.Contains(_logs.Entries, e => e.EventId == EmbedderRecoveredEventId);
        Assert.Equal(4, await CountActiveAsync(store));
        await AssertVerifiesAsync(store, 4);
    }

    [Fact]
    public async Task A_hybrid_search_cancelled_while_it_embeds_its_query_is_cancelled_not_degraded()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(Note("Ana likes green tea"), Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        _embedder.Fault = EmbedderFault.Hang;
        _embedder.OnCall = () => cancel.CancelAfter(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Text = "green tea" }, cancel.Token));

        Assert.DoesNotContain(_logs.Entries, e => e.EventId == EmbedderFailingEventId);
        Assert.Equal(0, await store.CountPendingEmbeddingsAsync(Ct));
    }

    [Fact]
    public async Task Reopening_the_store_finds_what_a_failed_process_left_pending_and_EmbedPendingAsync_fills_it_in()
    {
        var store = await OpenAsync();
        _embedder.Fault = EmbedderFault.Throw;
        await store.WriteAsync(Note("Ana likes green tea"), Ct);
        await store.WriteAsync(Note("Ana likes black coffee"), Ct);
        store.Dispose();

        _embedder.Fault = EmbedderFault.None;
        using var reopened = await OpenAsync();
        Assert.Equal(2, await reopened.CountPendingEmbeddingsAsync(Ct));
        var result = await reopened.EmbedPendingAsync(Ct);

        Assert.Equal((TestEmbeddingGenerator.ModelId, 2L, 0L), (result.Model, result.Embedded, result.Pending));
        Assert.Equal(2, await CountActiveAsync(reopened));
        await AssertVerifiesAsync(reopened, 2);
    }

    [Fact]
    public void An_embedding_timeout_of_zero_is_rejected_with_the_option_named()
    {
        var options = new SqliteMemoryStoreOptions { Path = "unused.db", EmbeddingTimeout = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(nameof(MemoryStoreOptions.EmbeddingTimeout), error.ParamName);
    }

    public void Dispose()
    {
        _embedder.Dispose();
        _inner.Dispose();
        _logs.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static MemoryWriteRequest Note(string text) => new()
    {
        Tenant = Tenant,
        Type = MemoryTypes.Fact,
        Subject = "ana",
        Actor = MemoryActor.User("ana"),
        Value = text,
    };

    private static async Task<int> CountActiveAsync(SqliteMemoryStore store) =>
        (await store.ReadAsync(new MemoryQuery { Tenant = Tenant, PageSize = MemoryQuery.MaxPageSize }, Ct)).Items.Count;

    private static async Task AssertVerifiesAsync(SqliteMemoryStore store, long events)
    {
        var verified = await store.VerifyAsync(Tenant, Ct);
        Assert.True(verified.IsValid, verified.FirstBrokenLink?.Problem);
        Assert.Equal(events, verified.EventCount);
    }

    /// <summary>Opens (or reopens) the store on the fact's file, embedding through the scripted generator and logging to the recorder.</summary>
    private Task<SqliteMemoryStore> OpenAsync() =>
        SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, "memory.db"), EmbeddingGenerator = _embedder },
            _logs,
            Ct);
}
