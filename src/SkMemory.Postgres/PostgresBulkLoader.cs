using System.Data;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace SkMemory.Storage.Postgres;

/// <summary>Options of <see cref="PostgresBulkLoader"/>.</summary>
public sealed class PostgresBulkLoadOptions
{
    /// <summary>Gets or sets how many memories are buffered before one COPY transaction writes them (at least 1).</summary>
    public int BatchSize { get; set; } = 50_000;

    /// <summary>Gets or sets the model the embeddings are recorded under; null means the store's serving model.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>
    /// Gets or sets <c>maintenance_work_mem</c> for building the HNSW index after the load: the graph is built in memory
    /// when it fits, and much more slowly when it does not (about 2 KiB per 384-dimension vector).
    /// </summary>
    public string IndexBuildMemory { get; set; } = "4GB";

    /// <summary>Gets or sets <c>max_parallel_maintenance_workers</c> for the index build (0 builds in the session alone).</summary>
    public int IndexBuildWorkers { get; set; } = 1;

    /// <summary>Gets or sets where progress lines go; may be null.</summary>
    public IProgress<string>? Progress { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(IndexBuildWorkers, nameof(IndexBuildWorkers));
        ArgumentException.ThrowIfNullOrWhiteSpace(IndexBuildMemory, nameof(IndexBuildMemory));
        if (!IndexBuildMemory.All(c => char.IsAsciiLetterOrDigit(c)))
        {
            throw new ArgumentException($"'{IndexBuildMemory}' is not a PostgreSQL memory size such as 4GB or 512MB.", nameof(IndexBuildMemory));
        }
    }
}

/// <summary>What a bulk load wrote.</summary>
/// <param name="Memories">Memory rows written (every version: superseded and deleted ones included).</param>
/// <param name="Events">Events appended to the tenants' chains.</param>
/// <param name="Embeddings">Embedding rows written.</param>
/// <param name="Tenants">How many tenants the load touched.</param>
/// <param name="Batches">How many COPY transactions.</param>
/// <param name="CopyTime">Time spent in the COPY transactions (events, projection, full text, embeddings, chain heads).</param>
/// <param name="IndexTime">Time spent building the HNSW index(es) and analyzing the tables.</param>
/// <param name="IndexesBuilt">How many shared (model, dimensions) HNSW indexes the load built (0 when they already existed and were maintained row by row).</param>
/// <param name="TenantIndexesBuilt">How many tenants' own HNSW indexes the load built (tenants that reached <see cref="PostgresMemoryStoreOptions.TenantVectorIndexMinRows"/>).</param>
public sealed record PostgresBulkLoadResult(long Memories, long Events, long Embeddings, int Tenants, int Batches, TimeSpan CopyTime, TimeSpan IndexTime, int IndexesBuilt, int TenantIndexesBuilt);

/// <summary>
/// Loads many memories into a <see cref="PostgresMemoryStore"/> with binary COPY: the same events (hash-chained per
/// tenant, so <see cref="IMemoryStore.VerifyAsync"/> passes and later writes continue the chains), projection rows,
/// full-text data and embeddings that <see cref="IMemoryStore.WriteAsync"/>, <see cref="IMemoryStore.SupersedeAsync"/>
/// and <see cref="IMemoryStore.DeleteAsync"/> would write, at a small fraction of the cost.
/// </summary>
/// <remarks>
/// <para>
/// Requests are checked with the store's own rules and turned into records exactly as the write path does, at the time
/// the caller gives (UUIDv7 ids follow it). Buffered memories are written every <see cref="PostgresBulkLoadOptions.BatchSize"/>
/// in one transaction that holds every chain head (<c>LOCK TABLE ... IN EXCLUSIVE MODE</c>), so concurrent writers wait
/// and the chains stay contiguous; the sequence numbers and hashes are computed then, from the heads found under the lock.
/// </para>
/// <para>
/// Content already active in a tenant makes <see cref="Add"/> report <see cref="MemoryWriteOutcome.DuplicateContent"/>
/// (or an idempotent replay) as the write path would. A duplicate of content written by someone else while the load
/// runs, or before it into a tenant that already had events, fails the batch with <see cref="MemoryConflictException"/>
/// before anything of it is written. <see cref="Supersede"/> and <see cref="Delete"/> change only memories still in the
/// buffer (added since the last batch was written).
/// </para>
/// <para>
/// When the store has no HNSW index for the model yet (a new store), the vectors are copied without one and
/// <see cref="CompleteAsync"/> builds it once, in memory (<see cref="PostgresBulkLoadOptions.IndexBuildMemory"/>) and
/// with parallel workers: far cheaper than inserting into the graph row by row. Not thread-safe: one caller adds at a time.
/// </para>
/// </remarks>
public sealed class PostgresBulkLoader
{
    // Generous limits for the statements of a large load (a COPY of a batch, an index build over millions of rows) on a
    // busy machine, whatever the connection string's command timeout says.
    private static readonly TimeSpan CopyTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan IndexBuildTimeout = TimeSpan.FromHours(6);

    private readonly PostgresMemoryStore _store;
    private readonly PostgresBulkLoadOptions _options;
    private readonly MemoryStoreOptions _storeOptions;
    private readonly string? _model;

    // The buffer: events in append order (not chained yet), the final state of each buffered memory, and its embedding.
    private readonly List<MemoryEvent> _events = [];
    private readonly Dictionary<Guid, (MemoryRecord Record, string Json)> _records = [];
    private readonly List<Guid> _order = [];
    private readonly Dictionary<Guid, ReadOnlyMemory<float>> _embeddings = [];

    // Over the whole load: active content (by the first 128 bits of its hash) and idempotency keys, per tenant.
    private readonly Dictionary<(string Tenant, UInt128 Hash), Guid> _activeContent = [];
    private readonly Dictionary<(string Tenant, string Key), (Guid Id, string OriginContentHash)> _idempotencyKeys = [];

    // The head this loader last saved per tenant; a tenant whose head is still that one has had no other writer since.
    private readonly Dictionary<string, ChainHead> _ownHeads = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tenantsWithOthers = new(StringComparer.Ordinal);
    private readonly HashSet<int> _dimensions = [];
    private readonly Stopwatch _copyTime = new();
    private long _memories;
    private long _eventCount;
    private long _embeddingCount;
    private int _batches;
    private bool _completed;

    /// <summary>Initializes a new instance of the <see cref="PostgresBulkLoader"/> class.</summary>
    /// <param name="store">The open store to load into.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public PostgresBulkLoader(PostgresMemoryStore store, PostgresBulkLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new PostgresBulkLoadOptions();
        _options.Validate();
        _store = store;
        _storeOptions = store.StoreOptions;
        _model = _options.EmbeddingModel ?? store.ServingModel;
    }

    /// <summary>Gets how many memories are buffered, waiting for the next batch.</summary>
    public int Buffered => _order.Count;

    /// <summary>
    /// Adds a memory as <see cref="IMemoryStore.WriteAsync"/> would write it at <paramref name="at"/>, writing the buffered
    /// batch first when it is full.
    /// </summary>
    /// <param name="request">The write request, checked as the write path checks it.</param>
    /// <param name="at">When the write happens: the record's creation time and its event's time.</param>
    /// <param name="embedding">The text's embedding under the loader's model, or null for none.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The memory's id and whether it was created, or found as a duplicate or an idempotent replay.</returns>
    /// <exception cref="MemoryValidationException">A field is invalid.</exception>
    /// <exception cref="MemoryConflictException">The idempotency key was used for other content.</exception>
    public async Task<(Guid Id, MemoryWriteOutcome Outcome)> AddAsync(MemoryWriteRequest request, DateTimeOffset at, ReadOnlyMemory<float>? embedding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_order.Count >= _options.BatchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return Add(request, at, embedding);
    }

    /// <summary>Adds a memory to the buffer as <see cref="IMemoryStore.WriteAsync"/> would write it; see <see cref="AddAsync"/>.</summary>
    /// <param name="request">The write request.</param>
    /// <param name="at">When the write happens.</param>
    /// <param name="embedding">The text's embedding, or null.</param>
    /// <returns>The memory's id and the outcome.</returns>
    public (Guid Id, MemoryWriteOutcome Outcome) Add(MemoryWriteRequest request, DateTimeOffset at, ReadOnlyMemory<float>? embedding)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfCompleted();
        var (type, value) = MemoryRequestValidator.Write(request, _storeOptions);
        CheckEmbedding(embedding);

        var contentHash = MemoryRequestValidator.ContentHash(type.Name, request.Scope, request.Subject, value);
        if (request.IdempotencyKey is { } key && _idempotencyKeys.TryGetValue((request.Tenant, key), out var prior))
        {
            if (!string.Equals(prior.OriginContentHash, contentHash, StringComparison.Ordinal))
            {
                throw new MemoryConflictException(
                    MemoryErrorCode.IdempotencyKeyReused,
                    $"Idempotency key '{key}' was already used in tenant '{request.Tenant}' for different content (memory {prior.Id}). Use a new key for new content.",
                    prior.Id);
            }

            return (prior.Id, MemoryWriteOutcome.IdempotentReplay);
        }

        if (_activeContent.TryGetValue((request.Tenant, ShortHash(contentHash)), out var duplicate))
        {
            return (duplicate, MemoryWriteOutcome.DuplicateContent);
        }

        var now = MemoryEventChain.TruncateToMicroseconds(at);
        var record = MemoryRecordTransitions.Create(request, type, value, contentHash, now);

        Append(MemoryEventType.Created, record, request.Actor, request.Reason, now);
        _order.Add(record.Id);
        if (embedding is { } vector)
        {
            _embeddings[record.Id] = vector;
        }

        _activeContent[(record.Tenant, ShortHash(contentHash))] = record.Id;
        if (request.IdempotencyKey is { } newKey)
        {
            _idempotencyKeys[(request.Tenant, newKey)] = (record.Id, contentHash);
        }

        return (record.Id, MemoryWriteOutcome.Created);
    }

    /// <summary>
    /// Replaces a buffered memory with a new version, as <see cref="IMemoryStore.SupersedeAsync"/> would at <paramref name="at"/>
    /// (the new version is valid from then on).
    /// </summary>
    /// <param name="id">The memory, added since the last batch was written.</param>
    /// <param name="value">The new value.</param>
    /// <param name="actor">Who supersedes it.</param>
    /// <param name="reason">Why, or null.</param>
    /// <param name="at">When.</param>
    /// <param name="embedding">The new text's embedding, or null.</param>
    /// <returns>The new version's id.</returns>
    /// <exception cref="InvalidOperationException">The memory is not in the buffer, or is no longer active.</exception>
    /// <exception cref="MemoryConflictException">Another active memory of the tenant holds the new content.</exception>
    public Guid Supersede(Guid id, MemoryValue value, MemoryActor actor, string? reason, DateTimeOffset at, ReadOnlyMemory<float>? embedding)
    {
        ThrowIfCompleted();
        MemoryRequestValidator.Actor(actor);
        MemoryRequestValidator.Reason(reason, required: false);
        CheckEmbedding(embedding);
        var current = BufferedRecord(id, "supersede");
        var checkedValue = MemoryRequestValidator.Value(value, MemoryRequestValidator.Type(current.Type, _storeOptions.Types), _storeOptions.MaxValueBytes);
        var now = MemoryEventChain.TruncateToMicroseconds(at);
        if (now < current.ValidFrom)
        {
            throw new MemoryValidationException("valid_from", $"the new version cannot start ({now:O}) before the version it replaces ({current.ValidFrom:O})");
        }

        var contentHash = MemoryRequestValidator.ContentHash(current.Type, current.Scope, current.Subject, checkedValue);
        if (_activeContent.TryGetValue((current.Tenant, ShortHash(contentHash)), out var duplicate) && duplicate != current.Id)
        {
            throw new MemoryConflictException(MemoryErrorCode.DuplicateContent, $"Memory {duplicate} already holds this content in the same scope and subject.", duplicate);
        }

        var (previous, next) = MemoryRecordTransitions.Supersede(current, current with { Value = checkedValue, ContentHash = contentHash }, actor, now, now);

        Append(MemoryEventType.Superseded, previous, actor, reason, now);
        Append(MemoryEventType.Created, next, actor, reason, now);
        _order.Add(next.Id);
        if (embedding is { } vector)
        {
            _embeddings[next.Id] = vector;
        }

        _activeContent.Remove((current.Tenant, ShortHash(current.ContentHash)));
        _activeContent[(next.Tenant, ShortHash(contentHash))] = next.Id;
        return next.Id;
    }

    /// <summary>Deletes a buffered memory, as <see cref="IMemoryStore.DeleteAsync"/> would at <paramref name="at"/> (its embedding goes too).</summary>
    /// <param name="id">The memory, added since the last batch was written.</param>
    /// <param name="actor">Who deletes it.</param>
    /// <param name="reason">Why; required.</param>
    /// <param name="at">When.</param>
    /// <exception cref="InvalidOperationException">The memory is not in the buffer, or is already deleted.</exception>
    public void Delete(Guid id, MemoryActor actor, string reason, DateTimeOffset at)
    {
        ThrowIfCompleted();
        MemoryRequestValidator.Reason(reason, required: true);
        MemoryRequestValidator.Actor(actor);
        var current = BufferedRecord(id, "delete");
        var now = MemoryEventChain.TruncateToMicroseconds(at);
        var deleted = MemoryRecordTransitions.Delete(current, actor, reason, now);
        Append(MemoryEventType.Deleted, deleted, actor, reason, now);
        _embeddings.Remove(id);
        _activeContent.Remove((current.Tenant, ShortHash(current.ContentHash)));
    }

    /// <summary>Writes the buffered memories now, in one COPY transaction that holds every chain head.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the batch is committed.</returns>
    /// <exception cref="MemoryConflictException">Content of the batch is already active in the store (written by someone else).</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        if (_events.Count == 0)
        {
            return;
        }

        _copyTime.Start();
        var names = _store.Names;
        var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // Every writer takes a row lock on its tenant's head first: this waits for them and holds them back.
                await ExecuteAsync(connection, transaction, $"LOCK TABLE {names.Heads} IN EXCLUSIVE MODE", cancellationToken).ConfigureAwait(false);
                var heads = await ReadHeadsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await CheckForeignDuplicatesAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

                var events = await CopyEventsAsync(connection, heads, cancellationToken).ConfigureAwait(false);
                await CopyObjectsAsync(connection, cancellationToken).ConfigureAwait(false);
                var embeddings = await CopyEmbeddingsAsync(connection, cancellationToken).ConfigureAwait(false);
                await SaveHeadsAsync(connection, transaction, heads, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

                foreach (var (tenant, head) in heads)
                {
                    _ownHeads[tenant] = head;
                }

                _memories += _order.Count;
                _eventCount += events;
                _embeddingCount += embeddings;
                _batches++;
            }
        }

        _copyTime.Stop();
        _options.Progress?.Report(string.Create(
            CultureInfo.InvariantCulture,
            $"bulk load: batch {_batches}: {_order.Count:N0} memories, {_eventCount:N0} events in all ({_copyTime.Elapsed.TotalSeconds:F1} s of COPY)"));
        _events.Clear();
        _records.Clear();
        _order.Clear();
        _embeddings.Clear();
    }

    /// <summary>
    /// Writes what is buffered, builds the HNSW index of every (model, dimensions) loaded that has none yet, updates the
    /// planner's statistics and builds the own index of every tenant now large enough for one
    /// (<see cref="PostgresMemoryStore.EnsureTenantVectorIndexesAsync"/>). The loader cannot be used afterwards.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the load wrote, and how long it took.</returns>
    public async Task<PostgresBulkLoadResult> CompleteAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        var indexTime = Stopwatch.StartNew();
        var built = 0;
        var indexes = _store.VectorIndexes;
        var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var dimensions in _dimensions.Order())
            {
                if (_model is null || !indexes.CanIndex(_model, dimensions) || await indexes.ExistsAsync(connection, null, _model, dimensions, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                _options.Progress?.Report(string.Create(
                    CultureInfo.InvariantCulture,
                    $"bulk load: building the HNSW index of {_model} ({dimensions} dimensions) over {_embeddingCount:N0} vectors (maintenance_work_mem {_options.IndexBuildMemory}, {_options.IndexBuildWorkers} parallel worker(s))"));
                var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await ExecuteAsync(
                        connection,
                        transaction,
                        $"SET LOCAL maintenance_work_mem = '{_options.IndexBuildMemory}'; SET LOCAL max_parallel_maintenance_workers = {_options.IndexBuildWorkers.ToString(CultureInfo.InvariantCulture)}",
                        cancellationToken).ConfigureAwait(false);

                    // The store's own DDL, so its searches recognize the index (same expression and predicate).
                    if (await indexes.EnsureAsync(connection, transaction, _model, dimensions, IndexBuildTimeout, cancellationToken).ConfigureAwait(false))
                    {
                        built++;
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                indexes.MarkKnown(_model, dimensions);
            }

            var names = _store.Names;
            _options.Progress?.Report("bulk load: analyzing the tables");
            await ExecuteAsync(connection, null, $"ANALYZE {names.Objects}; ANALYZE {names.Events}; ANALYZE {names.Embeddings}; ANALYZE {names.Heads}", cancellationToken).ConfigureAwait(false);
        }

        // The tenants that are now large get their own index here, before traffic, rather than on their first search.
        var tenantIndexes = await _store.EnsureTenantVectorIndexesAsync(_options.Progress, cancellationToken).ConfigureAwait(false);
        indexTime.Stop();
        return new PostgresBulkLoadResult(_memories, _eventCount, _embeddingCount, _ownHeads.Count, _batches, _copyTime.Elapsed, indexTime.Elapsed, built, tenantIndexes);
    }

    // The first 128 bits of a content hash (64 hex digits) identify it well enough and take a quarter of the memory.
    private static UInt128 ShortHash(string contentHash) => UInt128.Parse(contentHash.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = (int)IndexBuildTimeout.TotalSeconds };
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Append(MemoryEventType type, MemoryRecord state, MemoryActor actor, string? reason, DateTimeOffset now)
    {
        // The payload's hash is computed here, not under the heads' lock: only the chained hash needs the head.
        // The state's JSON is the event's payload and, for the last event of a memory, its projection row's record.
        var json = MemoryJson.SerializeRecord(state);
        _events.Add(ChainHead.Unchained(type, state, json, actor, reason, now));
        _records[state.Id] = (state, json);
    }

    private MemoryRecord BufferedRecord(Guid id, string operation)
    {
        if (!_records.TryGetValue(id, out var buffered))
        {
            throw new InvalidOperationException($"Memory {id} is not in the bulk loader's buffer: {operation} only memories added since the last batch was written (or use the store).");
        }

        var current = buffered.Record;
        if (current.Status != MemoryStatus.Active)
        {
            throw new InvalidOperationException($"Memory {id} is {MemoryJson.EnumName(current.Status)}; only an active memory can be {(operation == "delete" ? "deleted" : "superseded")} by the bulk loader.");
        }

        return current;
    }

    private void CheckEmbedding(ReadOnlyMemory<float>? embedding)
    {
        if (embedding is not { } vector)
        {
            return;
        }

        if (_model is null)
        {
            throw new InvalidOperationException("An embedding was given, but the store has no serving model and PostgresBulkLoadOptions.EmbeddingModel is not set: say which model the vectors come from.");
        }

        if (vector.Length == 0)
        {
            throw new MemoryValidationException("embedding", "is empty");
        }

        _dimensions.Add(vector.Length);
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The bulk load is complete; start a new PostgresBulkLoader to load more.");
        }
    }

    private async Task<Dictionary<string, ChainHead>> ReadHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var tenants = _events.Select(e => e.Tenant).Distinct(StringComparer.Ordinal).ToArray();
        var heads = tenants.ToDictionary(t => t, _ => ChainHead.Empty, StringComparer.Ordinal);
        var command = new NpgsqlCommand($"SELECT tenant, sequence, hash FROM {_store.Names.Heads} WHERE tenant = ANY(@tenants) AND sequence > 0", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.TextArray(command, "tenants", tenants);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    heads[reader.GetString(0)] = new ChainHead(reader.GetInt64(1), reader.GetString(2));
                }
            }
        }

        foreach (var (tenant, head) in heads)
        {
            // A tenant with events this loader did not write may hold the batch's content already.
            var own = _ownHeads.TryGetValue(tenant, out var saved) ? saved : ChainHead.Empty;
            if (head != own)
            {
                _tenantsWithOthers.Add(tenant);
            }
        }

        return heads;
    }

    private async Task CheckForeignDuplicatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var created = _order.Select(id => _records[id].Record).Where(r => r.Status == MemoryStatus.Active && _tenantsWithOthers.Contains(r.Tenant)).ToList();
        var keyed = _order.Select(id => _records[id].Record).Where(r => r.IdempotencyKey is not null && _tenantsWithOthers.Contains(r.Tenant)).ToList();
        if (created.Count == 0 && keyed.Count == 0)
        {
            return;
        }

        var names = _store.Names;
        var command = new NpgsqlCommand(
            $"""
            SELECT o.id, o.tenant, 'content' FROM {names.Objects} o JOIN unnest(@tenants, @hashes) AS b(tenant, hash) ON o.tenant = b.tenant AND o.content_hash = b.hash
            WHERE o.status = 'active'
            UNION ALL
            SELECT o.id, o.tenant, 'idempotency key ' || o.idempotency_key FROM {names.Objects} o JOIN unnest(@key_tenants, @keys) AS k(tenant, key) ON o.tenant = k.tenant AND o.idempotency_key = k.key
            LIMIT 1
            """,
            connection,
            transaction);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.TextArray(command, "tenants", created.Select(r => r.Tenant));
            PostgresRows.TextArray(command, "hashes", created.Select(r => r.ContentHash));
            PostgresRows.TextArray(command, "key_tenants", keyed.Select(r => r.Tenant));
            PostgresRows.TextArray(command, "keys", keyed.Select(r => r.IdempotencyKey!));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var id = reader.GetGuid(0);
                    throw new MemoryConflictException(
                        MemoryErrorCode.DuplicateContent,
                        $"Memory {id} in tenant '{reader.GetString(1)}' was written outside this bulk load and already holds the {reader.GetString(2)} of a memory in the batch; nothing of the batch was written. Load only new content, or write these memories through the store.",
                        id);
                }
            }
        }
    }

    private async Task<long> CopyEventsAsync(NpgsqlConnection connection, Dictionary<string, ChainHead> heads, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync($"COPY {_store.Names.Events} ({PostgresRows.EventColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        importer.Timeout = CopyTimeout;
        await using (importer.ConfigureAwait(false))
        {
            foreach (var unchained in _events)
            {
                var e = heads[unchained.Tenant].Chain(unchained);
                heads[e.Tenant] = new ChainHead(e.Sequence, e.Hash);

                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.Tenant, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.EventId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.MemoryId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(MemoryJson.EnumName(e.EventType), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.StreamVersion, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(MemoryJson.EnumName(e.Actor.Kind), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.Actor.Id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, e.Reason, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.Payload, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.PayloadHash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.PreviousHash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(e.Hash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }

            return (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CopyObjectsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync($"COPY {_store.Names.Objects} ({PostgresRows.ObjectColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        importer.Timeout = CopyTimeout;
        await using (importer.ConfigureAwait(false))
        {
            // origin_content_hash is the content hash the memory was created with: the bulk loader never changes content in place.
            foreach (var (r, json) in _order.Select(id => _records[id]))
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.Tenant, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.Type, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(MemoryJson.EnumName(r.Scope.Kind), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, r.Scope.Team, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, r.Scope.Agent, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, r.Scope.Session, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.Subject, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(MemoryJson.EnumName(r.Status), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.ValidFrom.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, r.ValidTo, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, r.ExpiresAt, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.ContentHash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.ContentHash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, r.IdempotencyKey, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(PostgresRows.MetadataJson(r.Metadata), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(r.Value.Text, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(json, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<long> CopyEmbeddingsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_embeddings.Count == 0 || _model is null)
        {
            return 0;
        }

        var importer = await connection.BeginBinaryImportAsync(
            $"COPY {_store.Names.Embeddings} (memory_id, model, dimensions, tenant, embedding, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        importer.Timeout = CopyTimeout;
        await using (importer.ConfigureAwait(false))
        {
            foreach (var id in _order)
            {
                if (!_embeddings.TryGetValue(id, out var vector))
                {
                    continue;
                }

                var record = _records[id].Record;
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(_model, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(vector.Length, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(record.Tenant, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(new Vector(vector), "vector", cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(record.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            }

            return (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SaveHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<string, ChainHead> heads, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            $"""
            INSERT INTO {_store.Names.Heads} (tenant, sequence, hash) SELECT * FROM unnest(@tenants, @sequences, @hashes)
            ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash
            """,
            connection,
            transaction);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.TextArray(command, "tenants", heads.Keys);
            PostgresRows.Add(command, "sequences", heads.Values.Select(h => h.Sequence).ToArray());
            PostgresRows.TextArray(command, "hashes", heads.Values.Select(h => h.Hash));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, DateTimeOffset? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
