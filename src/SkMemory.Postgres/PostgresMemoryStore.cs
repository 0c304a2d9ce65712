using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pgvector;
using SkMemory.Retrieval;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// The memory store on PostgreSQL with pgvector: the event log, the projection, full-text search (<c>tsvector</c>) and
/// filtered cosine vector search (exact or HNSW with iterative scans), in one schema of one database. Many processes may share it.
/// </summary>
/// <remarks>Thread-safe. Open it with <see cref="OpenAsync"/>, which also creates or upgrades the schema.</remarks>
public sealed partial class PostgresMemoryStore : EventSourcedMemoryStore
{
    private const int DefaultExactSearchMaxRows = 2000;
    private const int DefaultHnswEfSearch = 100;
    private const int DefaultHnswMaxScanTuples = 20_000;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresNames _names;
    private readonly PostgresVectorIndexes _vectorIndexes;
    private readonly PostgresIngestionJobStore _ingestionJobs;
    private readonly ILogger _logger;
    private readonly string? _vectorIndexBuildMemory;

    // The stores kept beside the memories in the same database (jobs, audit, consent, holds, vault), found through GetService.
    private readonly List<object> _sideStores = [];
    private readonly string _location;
    private int _disposed;
    private long _approximateShortfalls;

    private PostgresMemoryStore(PostgresMemoryStoreOptions options, NpgsqlDataSource dataSource, bool ownsDataSource, PostgresNames names, ILogger? logger)
        : base(options, logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _names = names;
        _vectorIndexes = new PostgresVectorIndexes(names);
        _logger = logger ?? NullLogger.Instance;
        TenantVectorIndexMinRows = options.TenantVectorIndexMinRows;
        _vectorIndexBuildMemory = options.VectorIndexBuildMemory;
        _ingestionJobs = new PostgresIngestionJobStore(dataSource, names, options.TimeProvider);
        _sideStores.Add(_ingestionJobs);
        AddAuditLog(_sideStores);
        AddConsentAndHoldStores(_sideStores);
        AddTokenVault(_sideStores);
        AddExternalLinks(_sideStores);
        AddApiKeys(_sideStores);
        AddReviews(_sideStores);
        var cs = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        _location = $"{cs.Host}:{cs.Port}/{cs.Database}?schema={names.Schema}";
    }

    /// <summary>Gets the schema that holds this store's tables.</summary>
    internal string Schema => _names.Schema;

    /// <summary>
    /// Gets or sets the filtered row count below which vector search is exact rather than HNSW. Measured on 20,000
    /// 384-dimension rows (see the Postgres tests' recall benchmark).
    /// </summary>
    internal int ExactSearchMaxRows { get; set; } = DefaultExactSearchMaxRows;

    /// <summary>Gets or sets <c>hnsw.ef_search</c> for approximate searches (raised to the candidate count when that is larger).</summary>
    internal int HnswEfSearch { get; set; } = DefaultHnswEfSearch;

    /// <summary>Gets or sets <c>hnsw.max_scan_tuples</c>: how far an iterative scan walks before giving up (exact search then answers).</summary>
    internal int HnswMaxScanTuples { get; set; } = DefaultHnswMaxScanTuples;

    /// <summary>Gets or sets <c>hnsw.iterative_scan</c> for approximate searches; tests set <c>off</c> to show the filtered-ANN trap.</summary>
    internal string HnswIterativeScan { get; set; } = "relaxed_order";

    /// <summary>Gets how many approximate searches came back short and were answered by exact search instead.</summary>
    internal long ApproximateShortfalls => Interlocked.Read(ref _approximateShortfalls);

    /// <summary>Gets whether searches of (model, dimensions) can use an HNSW index that exists now.</summary>
    internal bool HasVectorIndex(string model, int dimensions) => _vectorIndexes.IsKnown(model, dimensions);

    /// <inheritdoc />
    protected override MemoryStoreMetadata Metadata => new("postgres", _location, ServingModel);

    /// <summary>Opens a store: checks the options, connects, installs pgvector if needed and applies missing migrations.</summary>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory, if any.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The open store; dispose it when done.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="InvalidOperationException">The server lacks pgvector, or the schema is newer than this library.</exception>
    /// <exception cref="NpgsqlException">The server could not be reached or refused the schema changes.</exception>
    public static async Task<PostgresMemoryStore> OpenAsync(PostgresMemoryStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var owns = options.DataSource is null;
        NpgsqlDataSource dataSource;
        if (options.DataSource is { } given)
        {
            dataSource = given;
        }
        else
        {
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.SearchPath))
            {
                builder.ConnectionStringBuilder.SearchPath = $"{options.Schema}, public";
            }

            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                // The store sends the same few statements over and over: let Npgsql prepare them.
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }

            builder.UseVector();
            dataSource = builder.Build();
        }

        try
        {
            var logger = loggerFactory?.CreateLogger<PostgresMemoryStore>();
            var names = await PostgresSchema.MigrateAsync(dataSource, options.Schema, cancellationToken).ConfigureAwait(false);
            var store = new PostgresMemoryStore(options, dataSource, owns, names, logger);
            if (logger is not null)
            {
                LogOpened(logger, store._location, PostgresSchema.CurrentVersion);
            }

            return store;
        }
        catch
        {
            if (owns)
            {
                await dataSource.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            StopTenantIndexBuilds();
            if (_ownsDataSource)
            {
                _dataSource.Dispose();
            }
        }

        base.Dispose(disposing);
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
        await PostgresMemoryStoreTransaction.BeginAsync(_dataSource, _names, _vectorIndexes, Options.TimeProvider, tenant, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<MemoryRecord>> LoadManyAsync(string tenant, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        var command = _dataSource.CreateCommand($"SELECT record FROM {_names.Objects} WHERE id = ANY(@ids) AND tenant = @tenant");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Add(command, "ids", ids.ToArray());
            PostgresRows.Text(command, "tenant", tenant);
            return await ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<MemoryRecord>> QueryAsync(MemoryFilter filter, Guid? after, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var command = _dataSource.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            var where = PostgresFilter.Where(command, filter, now, _names);
            if (after is { } cursor)
            {
                where += " AND o.id > @after";
                PostgresRows.Add(command, "after", cursor);
            }

            PostgresRows.Add(command, "limit", limit);
            command.CommandText = $"SELECT o.record FROM {_names.Objects} o WHERE {where} ORDER BY o.id LIMIT @limit";
            return await ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<ScoredMemoryId>> SearchTextAsync(MemoryFilter filter, IReadOnlyList<string> terms, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(terms);

        // Terms are letters and digits only, so they carry no tsquery syntax; joined with | they match any term.
        // Stop words normalize to nothing: numnode() = 0 then means "no searchable term", and nothing matches.
        var query = string.Join(" | ", terms.Select(t => t.Replace('\0', ' ').Trim()).Where(t => t.Length > 0));
        if (query.Length == 0)
        {
            return [];
        }

        var command = _dataSource.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            var where = PostgresFilter.Where(command, filter, now, _names);
            PostgresRows.Text(command, "query", query);
            PostgresRows.Add(command, "limit", limit);
            command.CommandText =
                $"""
                SELECT o.id, ts_rank_cd(o.search_vector, q.query)::double precision AS score
                FROM {_names.Objects} o, (SELECT to_tsquery('english'::regconfig, @query) AS query) q
                WHERE numnode(q.query) > 0 AND o.search_vector @@ q.query AND {where}
                ORDER BY score DESC, o.id
                LIMIT @limit
                """;
            return await ReadScoredAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Complete and fast under any filter. When the filter names a subject with fewer than
    /// <see cref="ExactSearchMaxRows"/> memories, or the tenant has fewer than <see cref="TenantVectorIndexMinRows"/>
    /// embeddings of the model (bounded counts find out), exact cosine over those rows: cheap through the B-trees, and no
    /// approximation. Otherwise the tenant's own HNSW index (or, until it is built, the shared (model, dimensions) one) with pgvector's iterative scan
    /// (<c>hnsw.iterative_scan = relaxed_order</c>), which keeps walking the graph until <paramref name="limit"/> rows pass
    /// the filter, re-ordered exactly afterwards; should it still come back short (the scan hit
    /// <c>hnsw.max_scan_tuples</c>), exact search answers instead. Without the index (pgvector before 0.8, more than
    /// 2,000 dimensions, or no embedding of the model written yet) the search is exact.
    /// </remarks>
    protected override async Task<IReadOnlyList<ScoredMemoryId>> SearchVectorAsync(MemoryFilter filter, string model, ReadOnlyMemory<float> query, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(model);
        var dimensions = query.Length;
        var vector = new Vector(query);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (!_vectorIndexes.CanIndex(model, dimensions)
                || !await _vectorIndexes.ExistsAsync(connection, null, model, dimensions, cancellationToken).ConfigureAwait(false)
                || await IsSmallAsync(connection, filter, cancellationToken).ConfigureAwait(false)
                || await IsSmallTenantAsync(connection, filter.Tenant, model, dimensions, cancellationToken).ConfigureAwait(false))
            {
                return await SearchExactAsync(connection, filter, model, vector, limit, now, cancellationToken).ConfigureAwait(false);
            }

            var hits = await SearchApproximateAsync(connection, filter, model, vector, limit, now, cancellationToken).ConfigureAwait(false);
            if (hits.Count >= limit)
            {
                return hits;
            }

            Interlocked.Increment(ref _approximateShortfalls);
            return await SearchExactAsync(connection, filter, model, vector, limit, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gets whether the filter names a subject with fewer than <see cref="ExactSearchMaxRows"/> memories: a count that
    /// stops at the bound, answered from the (tenant, subject, id) B-tree. Other filters go to the approximate query,
    /// whose planner still prefers a B-tree and a sort when its estimate says that is cheaper.
    /// </summary>
    private async Task<bool> IsSmallAsync(NpgsqlConnection connection, MemoryFilter filter, CancellationToken cancellationToken)
    {
        if (filter.Subject is null || ExactSearchMaxRows <= 0)
        {
            return ExactSearchMaxRows == int.MaxValue;
        }

        var command = new NpgsqlCommand(
            $"SELECT count(*)::integer FROM (SELECT 1 FROM {_names.Objects} o WHERE o.tenant = @tenant AND o.subject = @subject LIMIT @bound) s",
            connection);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", filter.Tenant);
            PostgresRows.Text(command, "subject", filter.Subject);
            PostgresRows.Add(command, "bound", ExactSearchMaxRows);
            return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! < ExactSearchMaxRows;
        }
    }

    /// <summary>Exact cosine over the filtered rows: no approximate index can drop matches that pass the filter.</summary>
    private async Task<IReadOnlyList<ScoredMemoryId>> SearchExactAsync(NpgsqlConnection connection, MemoryFilter filter, string model, Vector query, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand { Connection = connection };
        await using (command.ConfigureAwait(false))
        {
            var where = PostgresFilter.Where(command, filter, now, _names);
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", query.Memory.Length);
            command.Parameters.Add(new NpgsqlParameter { ParameterName = "query", Value = query });
            PostgresRows.Add(command, "limit", limit);
            command.CommandText =
                $"""
                SELECT o.id, 1 - (e.embedding {_names.CosineDistance} @query) AS score
                FROM {_names.Objects} o
                JOIN {_names.Embeddings} e ON e.memory_id = o.id AND e.tenant = o.tenant AND e.model = @model AND e.dimensions = @dimensions
                WHERE {where}
                ORDER BY e.embedding {_names.CosineDistance} @query, o.id
                LIMIT @limit
                """;
            return await ReadScoredAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// HNSW with an iterative scan, in its own transaction for the <c>SET LOCAL</c>s. The ORDER BY repeats the index's
    /// expression and its partial predicate (as literals) so the planner picks the index; the outer query re-sorts the
    /// relaxed order exactly (<c>+ 0</c> keeps the planner from trusting the inner order).
    /// </summary>
    private async Task<IReadOnlyList<ScoredMemoryId>> SearchApproximateAsync(NpgsqlConnection connection, MemoryFilter filter, string model, Vector query, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var efSearch = Math.Clamp(Math.Max(limit, HnswEfSearch), 1, 1000);
            var settings = new NpgsqlCommand(
                $"SET LOCAL hnsw.iterative_scan = {(HnswIterativeScan == "off" ? "off" : "relaxed_order")}; SET LOCAL hnsw.ef_search = {efSearch.ToString(CultureInfo.InvariantCulture)}; SET LOCAL hnsw.max_scan_tuples = {HnswMaxScanTuples.ToString(CultureInfo.InvariantCulture)}",
                connection,
                transaction);
            await using (settings.ConfigureAwait(false))
            {
                await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            IReadOnlyList<ScoredMemoryId> hits;
            var command = ApproximateSearchCommand(filter, model, query, limit, now);
            await using (command.ConfigureAwait(false))
            {
                command.Connection = connection;
                command.Transaction = transaction;
                hits = await ReadScoredAsync(command, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return hits;
        }
    }

    /// <summary>
    /// The approximate query (no connection set): HNSW order with the index's expression and literal predicates (the
    /// tenant's own index when it exists, else the shared one), re-sorted exactly outside. Tests <c>EXPLAIN</c> it.
    /// </summary>
    internal NpgsqlCommand ApproximateSearchCommand(MemoryFilter filter, string model, Vector query, int limit, DateTimeOffset now)
    {
        var dimensions = query.Memory.Length;
        var command = new NpgsqlCommand();
        var where = PostgresFilter.Where(command, filter, now, _names);
        command.Parameters.Add(new NpgsqlParameter { ParameterName = "query", Value = query });
        PostgresRows.Add(command, "limit", limit);
        var distance = $"{_vectorIndexes.Expression(dimensions, "e")} {_names.CosineDistance} @query";
        command.CommandText =
            $"""
            SELECT s.id, 1 - s.distance AS score
            FROM (
                SELECT o.id, {distance} AS distance
                FROM {_names.Embeddings} e
                JOIN {_names.Objects} o ON o.id = e.memory_id AND o.tenant = e.tenant
                WHERE {PostgresVectorIndexes.Predicate(model, dimensions, "e", filter.Tenant)} AND {where}
                ORDER BY {distance}
                LIMIT @limit
            ) s
            ORDER BY s.distance + 0, s.id
            """;
        return command;
    }

    /// <inheritdoc />
    protected override async IAsyncEnumerable<MemoryEvent> ReadEventsAsync(string tenant, Guid? memoryId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"SELECT {PostgresRows.EventColumns} FROM {_names.Events} WHERE tenant = @tenant"
            + (memoryId is null ? string.Empty : " AND memory_id = @memory_id")
            + " ORDER BY sequence");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            if (memoryId is { } id)
            {
                PostgresRows.Add(command, "memory_id", id);
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return PostgresRows.ReadEvent(reader);
                }
            }
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<MemoryNeighbors>> LoadNeighborsAsync(MemoryFilter filter, IReadOnlyList<Guid> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var command = _dataSource.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            var where = PostgresFilter.Where(command, filter, now, _names);
            command.CommandText =
                $"""
                SELECT c.id,
                    (SELECT o.id FROM {_names.Objects} o WHERE {where} AND o.subject = c.subject AND o.id < c.id ORDER BY o.id DESC LIMIT 1),
                    (SELECT o.id FROM {_names.Objects} o WHERE {where} AND o.subject = c.subject AND o.id > c.id ORDER BY o.id LIMIT 1)
                FROM {_names.Objects} c WHERE c.tenant = @f_tenant AND c.id = ANY(@neighbor_ids)
                """;
            PostgresRows.Add(command, "neighbor_ids", ids.ToArray());
            var neighbors = new List<MemoryNeighbors>(ids.Count);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    neighbors.Add(new MemoryNeighbors(
                        reader.GetGuid(0),
                        reader.IsDBNull(1) ? null : reader.GetGuid(1),
                        reader.IsDBNull(2) ? null : reader.GetGuid(2)));
                }
            }

            return neighbors;
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyDictionary<Guid, ReadOnlyMemory<float>>> LoadEmbeddingsAsync(string tenant, string model, int dimensions, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var embeddings = new Dictionary<Guid, ReadOnlyMemory<float>>();
        if (ids.Count == 0)
        {
            return embeddings;
        }

        var command = _dataSource.CreateCommand(
            $"SELECT memory_id, embedding FROM {_names.Embeddings} WHERE memory_id = ANY(@ids) AND tenant = @tenant AND model = @model AND dimensions = @dimensions");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Add(command, "ids", ids.ToArray());
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", dimensions);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    embeddings[reader.GetGuid(0)] = reader.GetFieldValue<Vector>(1).Memory;
                }
            }
        }

        return embeddings;
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<EmbeddingModelRow>> ReadEmbeddingModelsAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            WITH counts AS (
                SELECT e.model, e.dimensions, count(o.id) AS embedded
                FROM {_names.Embeddings} e LEFT JOIN {_names.Objects} o ON o.id = e.memory_id AND o.status = 'active'
                GROUP BY e.model, e.dimensions
            ),
            models AS (
                SELECT model, dimensions FROM counts UNION SELECT model, dimensions FROM {_names.EmbeddingModels}
            )
            SELECT m.model, m.dimensions, r.state, coalesce(c.embedded, 0), r.updated_at
            FROM models m
            LEFT JOIN counts c ON c.model = m.model AND c.dimensions = m.dimensions
            LEFT JOIN {_names.EmbeddingModels} r ON r.model = m.model AND r.dimensions = m.dimensions
            """);
        await using (command.ConfigureAwait(false))
        {
            var rows = new List<EmbeddingModelRow>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(new EmbeddingModelRow(
                        reader.GetString(0),
                        reader.GetInt32(1),
                        reader.IsDBNull(2) ? null : PostgresRows.ParseModelState(reader.GetString(2)),
                        reader.GetInt64(3),
                        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
                }
            }

            return rows;
        }
    }

    /// <inheritdoc />
    protected override async Task<string?> ReadRecordedServingModelAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT model FROM {_names.EmbeddingModels} WHERE state = 'serving' ORDER BY updated_at DESC LIMIT 1");
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    /// <inheritdoc />
    protected override async Task<long> CountActiveAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT count(*) FROM {_names.Objects} WHERE status = 'active'");
        await using (command.ConfigureAwait(false))
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <inheritdoc />
    protected override async Task<long> CountEmbeddedAsync(string model, int dimensions, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            SELECT count(*) FROM {_names.Embeddings} e JOIN {_names.Objects} o ON o.id = e.memory_id
            WHERE e.model = @model AND e.dimensions = @dimensions AND o.status = 'active'
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", dimensions);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<UnindexedMemory>> FindUnindexedAsync(string model, int dimensions, Guid? after, int limit, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            SELECT o.tenant, o.id, o.content_hash, o."text" FROM {_names.Objects} o
            WHERE o.status = 'active' AND (@after::uuid IS NULL OR o.id > @after)
              AND NOT EXISTS (SELECT 1 FROM {_names.Embeddings} e WHERE e.memory_id = o.id AND e.model = @model AND e.dimensions = @dimensions)
            ORDER BY o.id LIMIT @limit
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", dimensions);
            PostgresRows.Add(command, "limit", limit);
            command.Parameters.Add(new NpgsqlParameter("after", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = after is { } cursor ? cursor : DBNull.Value });
            var memories = new List<UnindexedMemory>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    memories.Add(new UnindexedMemory(reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
                }
            }

            return memories;
        }
    }

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT tenant FROM {_names.Heads} WHERE sequence > 0");
        await using (command.ConfigureAwait(false))
        {
            var tenants = new List<string>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    tenants.Add(reader.GetString(0));
                }
            }

            // Sorted here, in .NET ordinal order, as every store lists tenants.
            tenants.Sort(StringComparer.Ordinal);
            return tenants;
        }
    }

    /// <inheritdoc />
    protected override async Task<ChainHead?> ReadChainHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT sequence, hash FROM {_names.Heads} WHERE tenant = @tenant AND sequence > 0");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new ChainHead(reader.GetInt64(0), reader.GetString(1)) : null;
            }
        }
    }

    /// <summary>Reads the <c>record</c> column of every row a command returns.</summary>
    internal static async Task<IReadOnlyList<MemoryRecord>> ReadRecordsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<MemoryRecord>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(PostgresRows.ReadRecord(reader, 0));
            }
        }

        return records;
    }

    private static async Task<IReadOnlyList<ScoredMemoryId>> ReadScoredAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var hits = new List<ScoredMemoryId>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                hits.Add(new ScoredMemoryId(reader.GetGuid(0), reader.GetDouble(1)));
            }
        }

        return hits;
    }

    [LoggerMessage(1, LogLevel.Information, "Opened the PostgreSQL memory store at {Location} (schema version {Version}).")]
    private static partial void LogOpened(ILogger logger, string location, int version);
}
