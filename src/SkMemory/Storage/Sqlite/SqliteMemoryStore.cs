using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SkMemory.Retrieval;

namespace SkMemory.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode, safe with concurrent readers and writers in one process and
/// across processes. Full text through FTS5; vectors compared exactly within the filtered scope.
/// </summary>
public sealed partial class SqliteMemoryStore : EventSourcedMemoryStore
{
    // One gate per database file, shared by every store instance on that file in this process.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriterGates = new(StringComparer.Ordinal);
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writerGate;
    private readonly int _busyTimeoutMs;
    private readonly SqliteIngestionJobStore _ingestionJobs;

    // The stores kept beside the memories in the same database (jobs, audit, consent, holds, vault), found through GetService.
    private readonly List<object> _sideStores = [];

    private SqliteMemoryStore(SqliteMemoryStoreOptions options, string path, ILogger? logger)
        : base(options, logger)
    {
        DatabasePath = path;
        TransactionLogger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _busyTimeoutMs = (int)options.BusyTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        _writerGate = WriterGates.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        _ingestionJobs = new SqliteIngestionJobStore(this);
        _sideStores.Add(_ingestionJobs);
        AddAuditLog(_sideStores);
        AddConsentAndHoldStores(_sideStores);
        AddTokenVault(_sideStores);
        AddExternalLinks(_sideStores);
        AddApiKeys(_sideStores);
        AddReviews(_sideStores);
    }

    /// <summary>Gets the store's clock, for the transactions it begins.</summary>
    internal TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>Gets the logger for the transactions it begins (their best-effort steps log instead of throwing).</summary>
    internal ILogger TransactionLogger { get; }

    /// <summary>Gets the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    protected override MemoryStoreMetadata Metadata => new("sqlite", DatabasePath, ServingModel);

    /// <summary>Opens (creating if needed) the database and brings its schema up to date.</summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static async Task<SqliteMemoryStore> OpenAsync(SqliteMemoryStoreOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options ??= new SqliteMemoryStoreOptions();
        options.Validate();
        var path = Path.GetFullPath(options.Path ?? SkMemoryPaths.DefaultDatabasePath);
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var store = new SqliteMemoryStore(options, path, loggerFactory?.CreateLogger<SqliteMemoryStore>());
        var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await SqliteSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return store;
    }

    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = NORMAL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Also provides what is kept beside the memories in the same database: <see cref="IMemoryIngestionJobStore"/>,
    /// <see cref="IMemoryAuditLog"/>, <see cref="IMemoryConsentStore"/>, <see cref="IMemoryLegalHoldStore"/> and the
    /// redaction vault.
    /// </remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && _sideStores.FirstOrDefault(serviceType.IsInstanceOfType) is { } side ? side : base.GetService(serviceType, serviceKey);
    }

    // Each governance store adds itself in its own file.
    partial void AddAuditLog(List<object> sideStores);

    partial void AddConsentAndHoldStores(List<object> sideStores);

    partial void AddTokenVault(List<object> sideStores);

    partial void AddExternalLinks(List<object> sideStores);

    partial void AddApiKeys(List<object> sideStores);

    partial void AddReviews(List<object> sideStores);

    /// <inheritdoc />
    protected override async Task<MemoryStoreTransaction> BeginTransactionAsync(string? tenant, CancellationToken cancellationToken) =>
        await BeginWriteAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs one statement in its own write transaction, under the writers' lock; returns the rows it changed.</summary>
    internal async Task<int> ExecuteWriteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var tx = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(sql);
            bind(command);
            var changed = await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }
    }

    /// <summary>Begins a write transaction under the file's write lock (writes outside the event log use it too).</summary>
    internal Task<SqliteMemoryStoreTransaction> BeginWriteAsync(CancellationToken cancellationToken) =>
        SqliteMemoryStoreTransaction.BeginAsync(this, _writerGate, cancellationToken);

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<MemoryRecord>> LoadManyAsync(string tenant, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT record FROM memory_objects WHERE tenant = $tenant AND id IN (");
        command.Parameters.AddWithValue("$tenant", tenant);
        for (var i = 0; i < ids.Count; i++)
        {
            sql.Append(i == 0 ? "$id" : ", $id").Append(i);
            command.Parameters.AddWithValue("$id" + i, SqliteRows.Id(ids[i]));
        }

        command.CommandText = sql.Append(')').ToString();
        return await ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<MemoryRecord>> QueryAsync(MemoryFilter filter, Guid? after, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        var where = SqliteFilter.Where(command, filter, now);
        if (after is { } cursor)
        {
            where += " AND o.id > $after";
            command.Parameters.AddWithValue("$after", SqliteRows.Id(cursor));
        }

        command.CommandText = $"SELECT o.record FROM memory_objects o WHERE {where} ORDER BY o.id LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<ScoredMemoryId>> SearchTextAsync(MemoryFilter filter, IReadOnlyList<string> terms, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        var where = SqliteFilter.Where(command, filter, now);

        // Each term quoted: FTS5 then treats it as a plain token, never as query syntax.
        command.Parameters.AddWithValue("$match", string.Join(" OR ", terms.Select(t => "\"" + t + "\"")));
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText =
            $"""
            SELECT o.id, -bm25(memory_fts) AS score
            FROM memory_fts JOIN memory_objects o ON o.rowid = memory_fts.rowid
            WHERE memory_fts MATCH $match AND {where}
            ORDER BY bm25(memory_fts), o.id
            LIMIT $limit
            """;
        var hits = new List<ScoredMemoryId>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new ScoredMemoryId(Guid.ParseExact(reader.GetString(0), "D"), reader.GetDouble(1)));
        }

        return hits;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<ScoredMemoryId>> SearchVectorAsync(MemoryFilter filter, string model, ReadOnlyMemory<float> query, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        var where = SqliteFilter.Where(command, filter, now);
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$dimensions", query.Length);
        command.CommandText =
            $"""
            SELECT o.id, e.vector
            FROM memory_objects o JOIN memory_embeddings e ON e.memory_id = o.id AND e.model = $model AND e.dimensions = $dimensions
            WHERE {where}
            """;

        // Exact cosine over the filtered scope, keeping the best `limit` in a min-heap.
        var best = new PriorityQueue<ScoredMemoryId, (double Similarity, Guid Id)>(limit + 1, WorstFirst);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = Guid.ParseExact(reader.GetString(0), "D");
            var similarity = TensorPrimitives.CosineSimilarity(query.Span, SqliteRows.VectorFromBytes((byte[])reader.GetValue(1)));
            best.Enqueue(new ScoredMemoryId(id, similarity), (similarity, id));
            if (best.Count > limit)
            {
                best.Dequeue();
            }
        }

        var hits = new List<ScoredMemoryId>(best.Count);
        while (best.Count > 0)
        {
            hits.Add(best.Dequeue());
        }

        hits.Reverse();
        return hits;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<MemoryNeighbors>> LoadNeighborsAsync(MemoryFilter filter, IReadOnlyList<Guid> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        var where = SqliteFilter.Where(command, filter, now);
        var sql = new StringBuilder(
            $"""
            SELECT c.id,
                (SELECT o.id FROM memory_objects o WHERE {where} AND o.subject = c.subject AND o.id < c.id ORDER BY o.id DESC LIMIT 1),
                (SELECT o.id FROM memory_objects o WHERE {where} AND o.subject = c.subject AND o.id > c.id ORDER BY o.id LIMIT 1)
            FROM memory_objects c WHERE c.tenant = $f_tenant AND c.id IN (
            """);
        for (var i = 0; i < ids.Count; i++)
        {
            sql.Append(i == 0 ? "$n" : ", $n").Append(i);
            command.Parameters.AddWithValue("$n" + i, SqliteRows.Id(ids[i]));
        }

        command.CommandText = sql.Append(')').ToString();
        var neighbors = new List<MemoryNeighbors>(ids.Count);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            neighbors.Add(new MemoryNeighbors(
                Guid.ParseExact(reader.GetString(0), "D"),
                reader.IsDBNull(1) ? null : Guid.ParseExact(reader.GetString(1), "D"),
                reader.IsDBNull(2) ? null : Guid.ParseExact(reader.GetString(2), "D")));
        }

        return neighbors;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyDictionary<Guid, ReadOnlyMemory<float>>> LoadEmbeddingsAsync(string tenant, string model, int dimensions, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var embeddings = new Dictionary<Guid, ReadOnlyMemory<float>>();
        if (ids.Count == 0)
        {
            return embeddings;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT memory_id, vector FROM memory_embeddings WHERE tenant = $tenant AND model = $model AND dimensions = $dimensions AND memory_id IN (");
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$dimensions", dimensions);
        for (var i = 0; i < ids.Count; i++)
        {
            sql.Append(i == 0 ? "$id" : ", $id").Append(i);
            command.Parameters.AddWithValue("$id" + i, SqliteRows.Id(ids[i]));
        }

        command.CommandText = sql.Append(')').ToString();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            embeddings[Guid.ParseExact(reader.GetString(0), "D")] = SqliteRows.VectorFromBytes((byte[])reader.GetValue(1)).ToArray();
        }

        return embeddings;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<EmbeddingModelRow>> ReadEmbeddingModelsAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            WITH counts AS (
                SELECT e.model, e.dimensions, count(o.id) AS embedded
                FROM memory_embeddings e LEFT JOIN memory_objects o ON o.id = e.memory_id AND o.status = 'active'
                GROUP BY e.model, e.dimensions
            ),
            models AS (
                SELECT model, dimensions FROM counts UNION SELECT model, dimensions FROM memory_embedding_models
            )
            SELECT m.model, m.dimensions, r.state, coalesce(c.embedded, 0), r.updated_at
            FROM models m
            LEFT JOIN counts c ON c.model = m.model AND c.dimensions = m.dimensions
            LEFT JOIN memory_embedding_models r ON r.model = m.model AND r.dimensions = m.dimensions
            """;
        var rows = new List<EmbeddingModelRow>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new EmbeddingModelRow(
                reader.GetString(0),
                reader.GetInt32(1),
                SqliteRows.ParseModelState(reader.IsDBNull(2) ? null : reader.GetString(2)),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : SqliteRows.ParseTimestamp(reader.GetString(4))));
        }

        return rows;
    }

    /// <inheritdoc />
    protected override async Task<string?> ReadRecordedServingModelAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT model FROM memory_embedding_models WHERE state = 'serving' ORDER BY updated_at DESC LIMIT 1";
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <inheritdoc />
    protected override async Task<long> CountActiveAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM memory_objects WHERE status = 'active'";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    protected override async Task<long> CountEmbeddedAsync(string model, int dimensions, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT count(*) FROM memory_embeddings e JOIN memory_objects o ON o.id = e.memory_id
            WHERE e.model = $model AND e.dimensions = $dimensions AND o.status = 'active'
            """;
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$dimensions", dimensions);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<UnindexedMemory>> FindUnindexedAsync(string model, int dimensions, Guid? after, int limit, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            $"""
            SELECT o.tenant, o.id, o.content_hash, o.text FROM memory_objects o
            WHERE o.status = 'active'{(after is null ? string.Empty : " AND o.id > $after")}
              AND NOT EXISTS (SELECT 1 FROM memory_embeddings e WHERE e.memory_id = o.id AND e.model = $model AND e.dimensions = $dimensions)
            ORDER BY o.id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$dimensions", dimensions);
        command.Parameters.AddWithValue("$limit", limit);
        if (after is { } cursor)
        {
            command.Parameters.AddWithValue("$after", SqliteRows.Id(cursor));
        }

        var memories = new List<UnindexedMemory>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            memories.Add(new UnindexedMemory(reader.GetString(0), Guid.ParseExact(reader.GetString(1), "D"), reader.GetString(2), reader.GetString(3)));
        }

        return memories;
    }

    /// <inheritdoc />
    protected override async IAsyncEnumerable<MemoryEvent> ReadEventsAsync(string tenant, Guid? memoryId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteRows.EventColumns} FROM memory_events WHERE tenant = $tenant{(memoryId is null ? string.Empty : " AND memory_id = $memory_id")} ORDER BY sequence";
        command.Parameters.AddWithValue("$tenant", tenant);
        if (memoryId is { } id)
        {
            command.Parameters.AddWithValue("$memory_id", SqliteRows.Id(id));
        }

        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return SqliteRows.ReadEvent(reader);
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant FROM memory_chain_heads WHERE sequence > 0 ORDER BY tenant";
        var tenants = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tenants.Add(reader.GetString(0));
        }

        return tenants;
    }

    /// <inheritdoc />
    protected override async Task<ChainHead?> ReadChainHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, hash FROM memory_chain_heads WHERE tenant = $tenant";
        command.Parameters.AddWithValue("$tenant", tenant);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new ChainHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    // The heap's head is the candidate to drop: lowest similarity, and among equals the highest id, so ties end up in id order.
    private static readonly Comparer<(double Similarity, Guid Id)> WorstFirst = Comparer<(double Similarity, Guid Id)>.Create(
        (a, b) => a.Similarity != b.Similarity
            ? a.Similarity.CompareTo(b.Similarity)
            : b.Id.CompareTo(a.Id)); // Guid order is the order of the stored "D" text

    /// <summary>Reads the <c>record</c> column of every row a command returns.</summary>
    internal static async Task<IReadOnlyList<MemoryRecord>> ReadRecordsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var records = new List<MemoryRecord>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(SqliteRows.ReadRecord(reader, 0));
        }

        return records;
    }
}
