using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pgvector;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// The memory store on PostgreSQL with pgvector: the event log, the projection, full-text search (<c>tsvector</c>) and
/// exact cosine vector search, in one schema of one database. Many processes may share it.
/// </summary>
/// <remarks>Thread-safe. Open it with <see cref="OpenAsync"/>, which also creates or upgrades the schema.</remarks>
public sealed partial class PostgresMemoryStore : EventSourcedMemoryStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresNames _names;
    private readonly string _location;
    private int _disposed;

    private PostgresMemoryStore(PostgresMemoryStoreOptions options, NpgsqlDataSource dataSource, bool ownsDataSource, PostgresNames names, ILogger? logger)
        : base(options, logger)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _names = names;
        var cs = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        _location = $"{cs.Host}:{cs.Port}/{cs.Database}?schema={names.Schema}";
    }

    /// <summary>Gets the schema that holds this store's tables.</summary>
    internal string Schema => _names.Schema;

    /// <inheritdoc />
    protected override MemoryStoreMetadata Metadata => new("postgres", _location, EmbeddingModel);

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
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDataSource)
        {
            _dataSource.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async Task<MemoryStoreTransaction> BeginTransactionAsync(string? tenant, CancellationToken cancellationToken) =>
        await PostgresMemoryStoreTransaction.BeginAsync(_dataSource, _names, Options.TimeProvider, tenant, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task<MemoryRecord?> LoadAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var records = await LoadManyAsync(tenant, [id], cancellationToken).ConfigureAwait(false);
        return records.Count == 0 ? null : records[0];
    }

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
            var where = PostgresFilter.Where(command, filter, now);
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
            var where = PostgresFilter.Where(command, filter, now);
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
    protected override async Task<IReadOnlyList<ScoredMemoryId>> SearchVectorAsync(MemoryFilter filter, string model, ReadOnlyMemory<float> query, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);

        // Exact search over the filtered rows: no approximate index can drop matches that pass the filter.
        var command = _dataSource.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            var where = PostgresFilter.Where(command, filter, now);
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", query.Length);
            command.Parameters.Add(new NpgsqlParameter { ParameterName = "query", Value = new Vector(query) });
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
    protected override async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT tenant FROM {_names.Heads} WHERE sequence > 0 ORDER BY tenant COLLATE \"C\"");
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

            // "C" is UTF-8 byte order; .NET ordinal is UTF-16 order. They differ only above U+FFFF, but be exact.
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

    private static async Task<IReadOnlyList<MemoryRecord>> ReadRecordsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
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
