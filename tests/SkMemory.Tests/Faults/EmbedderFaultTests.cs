using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
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
    private const int TextRejectedEventId = 28;
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
    public async Task One_text_the_embedder_always_rejects_is_skipped_and_the_backlog_behind_it_is_embedded_without_a_retry_storm()
    {
        const int Writes = 10;
        const string Rejected = "Ana pasted a whole novel into the note";
        using var rejecting = new TextRejectingEmbeddingGenerator(_inner, Rejected) { Down = true };
        using var store = await OpenAsync(rejecting);

        // While the embedder is down, every write is kept pending; the rejected text sits in the middle of the backlog.
        for (var i = 0; i < Writes; i++)
        {
            await store.WriteAsync(Note(i == 3 ? Rejected : $"Ana visited the {Museums[i]} museum") with { Subject = "visitor-" + i }, Ct);
        }

        Assert.Equal(Writes, await store.CountPendingEmbeddingsAsync(Ct));

        // It recovers for every text but one: the next write starts the catch-up, which embeds all the others.
        rejecting.Down = false;
        await store.WriteAsync(Note("Ana likes green tea") with { Subject = "tea" }, Ct);
        await WaitUntilAsync(async () => await store.CountPendingEmbeddingsAsync(Ct) == 1, "the catch-up did not bring the pending count to 1");
        Assert.Single(_logs.Entries, e => e.EventId == TextRejectedEventId);

        // Later writes cost one embedding call each: no background run retries the rejected text again and again.
        await Task.Delay(300, Ct);
        var callsBefore = rejecting.Calls;
        for (var i = 0; i < 20; i++)
        {
            await store.WriteAsync(Note($"Ana likes tea number {i}") with { Subject = "tea-" + i }, Ct);
        }

        await Task.Delay(300, Ct);
        Assert.Equal(callsBefore + 20, rejecting.Calls);
        Assert.Equal(1, await store.CountPendingEmbeddingsAsync(Ct));

        // Asked explicitly, the store tries the rejected text once more and reports it still pending instead of throwing.
        var result = await store.EmbedPendingAsync(Ct);
        Assert.Equal((0L, 1L), (result.Embedded, result.Pending));
        Assert.Single(_logs.Entries, e => e.EventId == TextRejectedEventId); // logged once, not on every try
        await AssertVerifiesAsync(store, Writes + 21);
    }

    [Fact]
    public async Task A_rejected_text_alone_in_the_backlog_is_told_from_a_failing_embedder_by_a_probe()
    {
        const string Rejected = "Ana pasted a whole novel into the note";
        using var rejecting = new TextRejectingEmbeddingGenerator(_inner, Rejected);
        using var store = await OpenAsync(rejecting);

        await store.WriteAsync(Note(Rejected), Ct); // the write's embedding fails: pending
        await store.WriteAsync(Note("Ana likes green tea"), Ct); // works: starts the catch-up
        await WaitUntilAsync(() => Task.FromResult(_logs.Entries.Any(e => e.EventId == TextRejectedEventId)), $"event {TextRejectedEventId} was not logged");
        var warningsBefore = _logs.Entries.Count(e => e.EventId == EmbedderFailingEventId);

        var callsBefore = rejecting.Calls;
        for (var i = 0; i < 10; i++)
        {
            await store.WriteAsync(Note($"Ana likes tea number {i}"), Ct);
        }

        await Task.Delay(300, Ct);
        Assert.Equal(callsBefore + 10, rejecting.Calls);
        Assert.Equal(warningsBefore, _logs.Entries.Count(e => e.EventId == EmbedderFailingEventId));
        Assert.Equal(1, await store.CountPendingEmbeddingsAsync(Ct));
        Assert.Equal(1, (await store.EmbedPendingAsync(Ct)).Pending);
    }

    [Fact]
    public async Task EmbedPendingAsync_still_fails_as_unavailable_when_the_embedder_is_down_for_every_text()
    {
        using var store = await OpenAsync();
        _embedder.Fault = EmbedderFault.Throw;
        await store.WriteAsync(Note("Ana likes green tea"), Ct);
        await store.WriteAsync(Note("Ana likes black coffee"), Ct);

        var error = await Assert.ThrowsAsync<MemoryException>(() => store.EmbedPendingAsync(Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, error.Code);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId == TextRejectedEventId);
        Assert.Equal(2, await store.CountPendingEmbeddingsAsync(Ct));
    }

    [Fact]
    public async Task An_import_whose_embedder_hangs_ends_at_the_embedding_timeout_and_leaves_the_memories_pending()
    {
        byte[] exported;
        using (var source = await OpenAsync())
        {
            await source.WriteAsync(Note("Ana likes green tea"), Ct);
            await source.WriteAsync(Note("Ana likes black coffee"), Ct);
            using var export = new MemoryStream();
            await source.ExportAsync(export, cancellationToken: Ct);
            exported = export.ToArray();
        }

        _embedder.Fault = EmbedderFault.Hang;
        using var target = await SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, "imported.db"), EmbeddingGenerator = _embedder, EmbeddingTimeout = TimeSpan.FromSeconds(1) },
            _logs,
            Ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var input = new MemoryStream(exported);
        var imported = await target.ImportAsync(input, cancellationToken: Ct);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the import took {clock.Elapsed}");
        Assert.True(imported.Events >= 2);
        Assert.Equal(2, await CountActiveAsync(target));
        Assert.Equal(2, await target.CountPendingEmbeddingsAsync(Ct));
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

    /// <summary>Opens (or reopens) the store on the fact's file, embedding through the scripted generator (or another) and logging to the recorder.</summary>
    private Task<SqliteMemoryStore> OpenAsync(IEmbeddingGenerator<string, Embedding<float>>? generator = null) =>
        SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, "memory.db"), EmbeddingGenerator = generator ?? _embedder },
            _logs,
            Ct);

    /// <summary>Polls until the condition holds; after 30 s the fact fails with <paramref name="failure"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>
    /// The real test embedder that rejects any call containing one text (as a model refuses a text over its token limit),
    /// and every call while <see cref="Down"/>; it counts every call.
    /// </summary>
    private sealed class TextRejectingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string rejected) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private long _calls;

        public bool Down { get; set; }

        public long Calls => Interlocked.Read(ref _calls);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            var texts = values.ToList();
            if (Down)
            {
                throw new HttpRequestException("the embedding endpoint refused the connection (scripted fault)");
            }

            return texts.Contains(rejected, StringComparer.Ordinal)
                ? throw new InvalidOperationException("the input is longer than the model's 256-token limit (scripted rejection)")
                : inner.GenerateAsync(texts, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType.IsInstanceOfType(this) ? this : inner.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }
}
