using System.Collections.Concurrent;
using System.Text;

namespace SkMemory.Tests.Conformance;

/// <summary>
/// The provider contract suite: every <see cref="IMemoryStore"/> backend derives from this class, implements the three
/// hooks, and must pass every fact. The facts are virtual so a backend may override one with a documented reason.
/// </summary>
/// <remarks>
/// xunit creates one instance per fact, so <see cref="Clock"/> and <see cref="Embeddings"/> are fresh for each fact. Stores
/// made with <see cref="NewStoreAsync"/> are disposed when the fact ends. xunit v3 calls only <see cref="DisposeAsync"/> on a
/// class that implements both <see cref="IAsyncDisposable"/> and <see cref="IDisposable"/>, so a derived class's
/// <see cref="IDisposable.Dispose"/> is called from here, after the stores are disposed.
/// </remarks>
public abstract partial class MemoryStoreConformanceTests : IAsyncDisposable
{
    /// <summary>Where <see cref="Clock"/> starts.</summary>
    protected static readonly DateTimeOffset ClockStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A schema for the custom "address" type used by the validation and round-trip facts.</summary>
    protected const string AddressSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "properties": {
            "street": { "type": "string", "minLength": 1 },
            "city": { "type": "string", "minLength": 1 }
          },
          "required": ["street", "city"],
          "additionalProperties": false
        }
        """;

    private readonly ConcurrentQueue<IMemoryStore> _stores = new();

    /// <summary>Initializes a new instance of the <see cref="MemoryStoreConformanceTests"/> class.</summary>
    protected MemoryStoreConformanceTests()
    {
        Clock = new ManualTimeProvider(ClockStart);
        Embeddings = new TestEmbeddingGenerator();
    }

    /// <summary>Gets the clock every store made by <see cref="NewStoreAsync"/> uses; facts advance it.</summary>
    protected ManualTimeProvider Clock { get; }

    /// <summary>Gets the embedding generator every store made by <see cref="NewStoreAsync"/> uses unless a fact removes it.</summary>
    protected TestEmbeddingGenerator Embeddings { get; }

    /// <summary>Gets the token of the running fact.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Disposes every store made by <see cref="NewStoreAsync"/>, then the derived class if it is <see cref="IDisposable"/>.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Creates a new, empty store. Every call returns a separate empty store; the suite disposes them. The backend creates
    /// its own options type (with its location: a file, a schema), then calls <paramref name="configure"/> on it, so every
    /// shared option the fact sets reaches the store, including ones added to <see cref="MemoryStoreOptions"/> later.
    /// </summary>
    /// <param name="configure">Sets the shared options (types, value limit, embedding generator, clock, retrieval, ...).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The store.</returns>
    protected abstract Task<IMemoryStore> CreateStoreAsync(Action<MemoryStoreOptions> configure, CancellationToken cancellationToken);

    /// <summary>
    /// Opens another store on the location of <paramref name="store"/> (its file, its schema), as a restarted process
    /// would; the fact may have disposed <paramref name="store"/> first. Options are made as in <see cref="CreateStoreAsync"/>.
    /// </summary>
    /// <param name="store">A store made by <see cref="CreateStoreAsync"/>.</param>
    /// <param name="configure">Sets the shared options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The store.</returns>
    protected abstract Task<IMemoryStore> ReopenStoreAsync(IMemoryStore store, Action<MemoryStoreOptions> configure, CancellationToken cancellationToken);

    /// <summary>Reads which job the ingested-item ledger credits with a key, bypassing the store (the contract does not expose it).</summary>
    /// <param name="store">A store made by <see cref="CreateStoreAsync"/>.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="itemKey">The item key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The job id, or null when the key is not in the ledger.</returns>
    protected abstract Task<string?> ReadIngestedJobIdAsync(IMemoryStore store, string tenant, string itemKey, CancellationToken cancellationToken);

    /// <summary>Overwrites the stored payload text of event (tenant, sequence), bypassing the store (simulates tampering).</summary>
    /// <param name="store">A store made by <see cref="CreateStoreAsync"/>.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="sequence">The event's sequence number.</param>
    /// <param name="payload">The new payload text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task TamperEventPayloadAsync(IMemoryStore store, string tenant, long sequence, string payload, CancellationToken cancellationToken);

    /// <summary>Deletes the stored event row (tenant, sequence), bypassing the store (simulates silent loss).</summary>
    /// <param name="store">A store made by <see cref="CreateStoreAsync"/>.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="sequence">The event's sequence number.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task RemoveEventAsync(IMemoryStore store, string tenant, long sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Runs SQL on a store's database, bypassing the store (to set up rows another component owns, or to plant a leftover).
    /// Table names are written <c>{s}name</c>: the backend puts its schema there. Parameters are named <c>@name</c>; a
    /// <see cref="Guid"/> or <see cref="DateTimeOffset"/> is stored the way the backend stores ids and times.
    /// </summary>
    /// <param name="store">A store made by <see cref="CreateStoreAsync"/>.</param>
    /// <param name="sql">The SQL.</param>
    /// <param name="parameters">The parameters.</param>
    /// <returns>The rows returned (empty for a statement).</returns>
    protected abstract Task<IReadOnlyList<object?[]>> QuerySqlAsync(IMemoryStore store, string sql, params (string Name, object? Value)[] parameters);

    /// <summary>
    /// Gets whether the store's hybrid search embeds the query with the store's own embedder (so a failing embedder
    /// degrades it to full text). Mem0 searches its own index instead.
    /// </summary>
    protected virtual bool HybridSearchUsesTheStoreEmbedder => true;

    /// <summary>Disposes the stores, then the derived class.</summary>
    /// <returns>A task.</returns>
    protected virtual ValueTask DisposeAsyncCore()
    {
        while (_stores.TryDequeue(out var store))
        {
            store.Dispose();
        }

        Embeddings.Dispose();
        if (this is IDisposable disposable)
        {
            disposable.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Makes a new, empty store with the suite's defaults (<see cref="Embeddings"/> and <see cref="Clock"/>), after
    /// <paramref name="configure"/> has changed them, and disposes it when the fact ends.
    /// </summary>
    /// <param name="configure">Changes to the default options.</param>
    /// <returns>The store.</returns>
    protected async Task<IMemoryStore> NewStoreAsync(Action<MemoryStoreOptions>? configure = null)
    {
        var store = await CreateStoreAsync(
            options =>
            {
                options.EmbeddingGenerator = Embeddings;
                options.TimeProvider = Clock;
                configure?.Invoke(options);
            },
            Ct);
        Assert.NotNull(store);
        _stores.Enqueue(store);
        return store;
    }

    /// <summary>
    /// Opens another store on the location of <paramref name="store"/> with the suite's defaults (see
    /// <see cref="NewStoreAsync"/>), and disposes it when the fact ends.
    /// </summary>
    /// <param name="store">A store made by <see cref="NewStoreAsync"/>.</param>
    /// <returns>The store.</returns>
    protected async Task<IMemoryStore> ReopenAsync(IMemoryStore store)
    {
        var reopened = await ReopenStoreAsync(
            store,
            options =>
            {
                options.EmbeddingGenerator = Embeddings;
                options.TimeProvider = Clock;
            },
            Ct);
        Assert.NotNull(reopened);
        _stores.Enqueue(reopened);
        return reopened;
    }

    /// <summary>Registers the custom "address" type (schema version 2) in a store's options.</summary>
    /// <param name="options">The options.</param>
    protected static void RegisterAddressType(MemoryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Types.Register(new MemoryTypeDefinition("address", "A postal address of the subject.", AddressSchema, schemaVersion: 2));
    }

    /// <summary>A tenant name no other fact uses.</summary>
    /// <returns>The tenant.</returns>
    protected static string NewTenant() => "t-" + Guid.NewGuid().ToString("N");

    /// <summary>A plain write of a text fact about a subject.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="text">The text.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="type">The memory type.</param>
    /// <returns>The request.</returns>
    protected static MemoryWriteRequest Note(string tenant, string text, string subject = "ana", string type = MemoryTypes.Fact) => new()
    {
        Tenant = tenant,
        Type = type,
        Subject = subject,
        Actor = MemoryActor.User("ana"),
        Value = text,
    };

    /// <summary>Writes, checks the write created a record, and moves the clock 1 ms so the next id sorts after this one.</summary>
    /// <param name="store">The store.</param>
    /// <param name="request">The write.</param>
    /// <returns>The created record.</returns>
    protected async Task<MemoryRecord> CreateAsync(IMemoryStore store, MemoryWriteRequest request)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = await store.WriteAsync(request, Ct);
        Assert.Equal(MemoryWriteOutcome.Created, result.Outcome);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        return result.Record;
    }

    /// <summary>Writes a plain note (see <see cref="Note"/>) and returns the created record.</summary>
    /// <param name="store">The store.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="text">The text.</param>
    /// <param name="subject">The subject.</param>
    /// <returns>The created record.</returns>
    protected Task<MemoryRecord> CreateAsync(IMemoryStore store, string tenant, string text, string subject = "ana") =>
        CreateAsync(store, Note(tenant, text, subject));

    /// <summary>A query matching every status, expired records included.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns>The query.</returns>
    protected static MemoryQuery AllStatuses(string tenant) => new()
    {
        Tenant = tenant,
        Statuses = Enum.GetValues<MemoryStatus>(),
        IncludeExpired = true,
        PageSize = MemoryQuery.MaxPageSize,
    };

    /// <summary>Reads every page of a query, checking that only the last page has no cursor.</summary>
    /// <param name="store">The store.</param>
    /// <param name="query">The query; its cursor is ignored.</param>
    /// <returns>All matches, in page order.</returns>
    protected static async Task<List<MemoryRecord>> ReadAllAsync(IMemoryStore store, MemoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        var all = new List<MemoryRecord>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await store.ReadAsync(query with { Cursor = cursor }, Ct);
            Assert.True(page.Items.Count <= query.PageSize, $"a page holds {page.Items.Count} items; the page size is {query.PageSize}");
            Assert.True(page.NextCursor is null || page.Items.Count > 0, "a page with a next cursor must not be empty");
            all.AddRange(page.Items);
            cursor = page.NextCursor;
            Assert.True(++pages <= 100_000, "paging does not end");
        }
        while (cursor is not null);
        return all;
    }

    /// <summary>Reads the ids of every page of a query.</summary>
    /// <param name="store">The store.</param>
    /// <param name="query">The query.</param>
    /// <returns>The ids, in page order.</returns>
    protected static async Task<List<Guid>> ReadIdsAsync(IMemoryStore store, MemoryQuery query) =>
        (await ReadAllAsync(store, query)).Select(r => r.Id).ToList();

    /// <summary>Gets how many events the store's chains hold (all tenants), checking that they verify.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The event count.</returns>
    protected static async Task<long> EventCountAsync(IMemoryStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var verification = await store.VerifyAsync(cancellationToken: Ct);
        Assert.True(verification.IsValid, $"the store's chains do not verify: {verification.FirstBrokenLink}");
        return verification.EventCount;
    }

    /// <summary>Exports a store (or one tenant) to memory.</summary>
    /// <param name="store">The store.</param>
    /// <param name="tenant">One tenant, or null for all.</param>
    /// <returns>The export's bytes and the store's report.</returns>
    protected static async Task<(byte[] Bytes, MemoryTransferResult Result)> ExportBytesAsync(IMemoryStore store, string? tenant = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var stream = new MemoryStream();
        var result = await store.ExportAsync(stream, new MemoryExportOptions { Tenant = tenant }, Ct);
        return (stream.ToArray(), result);
    }

    /// <summary>Parses an export with <see cref="MemoryExportReader"/>.</summary>
    /// <param name="bytes">The export.</param>
    /// <returns>The items after the header.</returns>
    protected static async Task<List<MemoryExportItem>> ParseExportAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var items = new List<MemoryExportItem>();
        await foreach (var item in MemoryExportReader.ReadAsync(stream, Ct))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Exports a store and returns its events, in file order.</summary>
    /// <param name="store">The store.</param>
    /// <param name="tenant">One tenant, or null for all.</param>
    /// <returns>The events.</returns>
    protected static async Task<List<MemoryEvent>> ExportedEventsAsync(IMemoryStore store, string? tenant = null) =>
        (await ParseExportAsync((await ExportBytesAsync(store, tenant)).Bytes)).Where(i => i.Event is not null).Select(i => i.Event!).ToList();

    /// <summary>Splits an export into its lines (without the final newline).</summary>
    /// <param name="bytes">The export.</param>
    /// <returns>The lines.</returns>
    protected static List<string> Lines(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).TrimEnd('\n').Split('\n').ToList();

    /// <summary>Joins lines into an export stream, each line ending with a newline.</summary>
    /// <param name="lines">The lines.</param>
    /// <returns>The stream.</returns>
    protected static MemoryStream ToStream(IEnumerable<string> lines) =>
        new(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), writable: false);

    /// <summary>Runs a call that must fail validation on one field, and checks that nothing was written.</summary>
    /// <param name="store">The store the call uses.</param>
    /// <param name="field">The field the error must name.</param>
    /// <param name="call">The call.</param>
    /// <returns>The error.</returns>
    protected static async Task<MemoryValidationException> AssertRejectedAsync(IMemoryStore store, string field, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var before = await EventCountAsync(store);
        var error = await Assert.ThrowsAsync<MemoryValidationException>(call);
        Assert.Equal(field, error.Field);
        Assert.Equal(MemoryErrorCode.Validation, error.Code);
        Assert.Equal(before, await EventCountAsync(store));
        return error;
    }
}
