using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// The HNSW indexes of <c>memory_embeddings</c>: one partial expression index per (model, dimensions), because the
/// column is an untyped <c>vector</c> and HNSW needs a fixed dimension, created the first time a pair is written; and
/// one per (model, dimensions, tenant) for each large tenant, built in the background with <c>CREATE INDEX
/// CONCURRENTLY</c>. The store remembers which exist so the check costs nothing afterwards.
/// </summary>
/// <remarks>
/// The index is <c>USING hnsw ((embedding::vector(d)) vector_cosine_ops) WHERE model = 'm' AND dimensions = d</c>, with
/// <c>AND tenant = 't'</c> for a tenant's own. A query uses one only when it repeats that expression and predicate with
/// literals (a parameter cannot prove the partial predicate), so <see cref="Expression"/> and <see cref="Predicate"/>
/// are shared by the DDL and the query. A query naming the tenant by literal implies both predicates, so the planner can
/// use the tenant's index when it exists (its smaller cost makes it the planner's choice) and the shared one otherwise.
/// <para>
/// Why a tenant gets its own graph: in the shared graph a tenant is one in twenty (or one in ten thousand) of the
/// vectors, and texts repeated across tenants are many equal vectors, which HNSW links poorly. A filtered walk then
/// wanders through other tenants' rows and misses near ones: 0.749 recall@10 at tenant scope at 1,000,000 memories over 20
/// tenants, against 0.989 with the tenant's own graph at the same settings (docs/benchmarks.md).
/// </para>
/// </remarks>
internal sealed class PostgresVectorIndexes
{
    /// <summary>The most dimensions pgvector's HNSW indexes on <c>vector</c>.</summary>
    public const int MaxIndexedDimensions = 2000;

    /// <summary>An index build over a large tenant takes minutes: no command timeout (cancellation still stops it).</summary>
    private const int NoTimeout = 0;

    private readonly PostgresNames _names;
    private readonly ConcurrentDictionary<(string Model, int Dimensions), bool> _known = new();
    private readonly ConcurrentDictionary<(string Model, int Dimensions, string Tenant), bool> _knownTenants = new();

    public PostgresVectorIndexes(PostgresNames names) => _names = names;

    /// <summary>Gets whether (model, dimensions) can have an HNSW index searched with iterative scans (pgvector 0.8+).</summary>
    public bool CanIndex(string model, int dimensions) =>
        _names.SupportsIterativeScan && dimensions is >= 1 and <= MaxIndexedDimensions && !model.Contains('\0', StringComparison.Ordinal);

    /// <summary>
    /// Gets the unquoted index name: a hash of model and dimensions (with <paramref name="tenant"/>, of the tenant too, under
    /// a prefix of its own), so any model or tenant name gives a safe identifier.
    /// </summary>
    public static string IndexName(string model, int dimensions, string? tenant = null)
    {
        var key = model + "\n" + dimensions.ToString(CultureInfo.InvariantCulture) + (tenant is null ? string.Empty : "\n" + tenant);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
        return (tenant is null ? "ix_memory_embeddings_hnsw_" : "ix_memory_embeddings_hnsw_t_") + hash;
    }

    /// <summary>Quotes text as an SQL string literal that means the same under any <c>standard_conforming_strings</c>.</summary>
    public static string Literal(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL text cannot hold NUL.", nameof(value));
        }

        return "E'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Gets the indexed expression, for <c>memory_embeddings</c> under <paramref name="alias"/> (or unqualified).</summary>
    public string Expression(int dimensions, string? alias = null) =>
        $"({(alias is null ? string.Empty : alias + ".")}embedding::{_names.VectorType}({dimensions.ToString(CultureInfo.InvariantCulture)}))";

    /// <summary>
    /// Gets the index's partial predicate, for <c>memory_embeddings</c> under <paramref name="alias"/> (or unqualified);
    /// with <paramref name="tenant"/>, the predicate of that tenant's own index.
    /// </summary>
    public static string Predicate(string model, int dimensions, string? alias = null, string? tenant = null)
    {
        var prefix = alias is null ? string.Empty : alias + ".";
        var predicate = $"{prefix}model = {Literal(model)} AND {prefix}dimensions = {dimensions.ToString(CultureInfo.InvariantCulture)}";
        return tenant is null ? predicate : $"{predicate} AND {prefix}tenant = {Literal(tenant)}";
    }

    /// <summary>Gets whether the tenant's own index is known to exist and be valid.</summary>
    public bool IsTenantKnown(string model, int dimensions, string tenant) => _knownTenants.ContainsKey((model, dimensions, tenant));

    /// <summary>
    /// Builds the tenant's own index unless a valid one exists, with <c>CREATE INDEX CONCURRENTLY</c> on its own connection
    /// (writers and readers go on meanwhile). Returns true when this call built it.
    /// </summary>
    /// <remarks>
    /// A session advisory lock on the index name keeps two processes from building it at once (the loser returns false
    /// and tries again later). A build cut short (cancelled, server restarted) leaves an invalid index, which the planner
    /// ignores; the next build drops it first.
    /// </remarks>
    public async Task<bool> BuildTenantIndexAsync(NpgsqlDataSource dataSource, string model, int dimensions, string tenant, string? buildMemory, CancellationToken cancellationToken)
    {
        var name = IndexName(model, dimensions, tenant);
        var qualified = PostgresNames.Quote(_names.Schema) + "." + PostgresNames.Quote(name);
        var key = LockKey(name);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (!await PostgresSchema.ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({key.ToString(CultureInfo.InvariantCulture)})", cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            try
            {
                var valid = await PostgresSchema.ScalarAsync<bool?>(
                    connection,
                    $"SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass({Literal(qualified)})",
                    cancellationToken).ConfigureAwait(false);
                if (valid is true)
                {
                    _knownTenants.TryAdd((model, dimensions, tenant), true);
                    return false;
                }

                if (valid is false)
                {
                    await PostgresSchema.ExecuteAsync(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {qualified}", cancellationToken, NoTimeout).ConfigureAwait(false);
                }

                // A build over a large tenant takes minutes: a server or role statement_timeout must not cut it short (it would
                // only be tried again). The HNSW graph is built in memory when it fits in maintenance_work_mem (far faster than on disk).
                await PostgresSchema.ExecuteAsync(
                    connection,
                    "SET statement_timeout = 0" + (buildMemory is null ? string.Empty : $"; SET maintenance_work_mem = {Literal(buildMemory)}"),
                    cancellationToken).ConfigureAwait(false);
                await PostgresSchema.ExecuteAsync(
                    connection,
                    $"""
                    CREATE INDEX CONCURRENTLY IF NOT EXISTS {PostgresNames.Quote(name)} ON {_names.Embeddings}
                        USING hnsw ({Expression(dimensions)} {PostgresNames.Quote(_names.VectorSchema)}.vector_cosine_ops)
                        WHERE {Predicate(model, dimensions, tenant: tenant)}
                    """,
                    cancellationToken,
                    NoTimeout).ConfigureAwait(false);
                _knownTenants.TryAdd((model, dimensions, tenant), true);
                return true;
            }
            finally
            {
                // The connection goes back to the pool: release the lock and the setting even when the build failed. A broken
                // connection has lost both already (the server ends the session), and the build's own error is the one to see.
                try
                {
                    await PostgresSchema.ExecuteAsync(connection, $"RESET statement_timeout; RESET maintenance_work_mem; SELECT pg_advisory_unlock({key.ToString(CultureInfo.InvariantCulture)})", CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                }
            }
        }
    }

    /// <summary>Gets whether the index is known to exist (created or seen by this store).</summary>
    public bool IsKnown(string model, int dimensions) => _known.ContainsKey((model, dimensions));

    /// <summary>Remembers that the index exists (call once the transaction that created it has committed).</summary>
    public void MarkKnown(string model, int dimensions) => _known.TryAdd((model, dimensions), true);

    /// <summary>Checks the catalog for the index and remembers it when it exists.</summary>
    public async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, int dimensions, CancellationToken cancellationToken)
    {
        if (IsKnown(model, dimensions))
        {
            return true;
        }

        var command = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "name", PostgresNames.Quote(_names.Schema) + "." + PostgresNames.Quote(IndexName(model, dimensions)));
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                MarkKnown(model, dimensions);
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Creates the index inside the caller's (write) transaction when it does not exist yet. Returns true when this
    /// transaction created it: the caller marks it known after commit.
    /// </summary>
    /// <remarks>
    /// Runs inside the write transaction, so the index commits or rolls back with the first embedding of its pair. While
    /// that transaction lasts, <c>CREATE INDEX</c>'s SHARE lock holds back other writers of embeddings; it happens once per
    /// (model, dimensions) per database, normally on an empty set of rows. A transaction-level advisory lock on the index
    /// name makes concurrent first writers wait for each other instead of racing on the catalog.
    /// </remarks>
    public Task<bool> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, int dimensions, CancellationToken cancellationToken) =>
        EnsureAsync(connection, transaction, model, dimensions, timeout: null, cancellationToken);

    /// <summary>Creates the index as <see cref="EnsureAsync(NpgsqlConnection, NpgsqlTransaction, string, int, CancellationToken)"/> does, within <paramref name="timeout"/> (a bulk load builds it over many rows).</summary>
    public async Task<bool> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, int dimensions, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!CanIndex(model, dimensions) || await ExistsAsync(connection, transaction, model, dimensions, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var name = IndexName(model, dimensions);
        var key = LockKey(name);
        var sql =
            $"""
            SELECT pg_advisory_xact_lock({key.ToString(CultureInfo.InvariantCulture)});
            CREATE INDEX IF NOT EXISTS {PostgresNames.Quote(name)} ON {_names.Embeddings}
                USING hnsw ({Expression(dimensions)} {PostgresNames.Quote(_names.VectorSchema)}.vector_cosine_ops)
                WHERE {Predicate(model, dimensions)};
            """;
        var command = new NpgsqlCommand(sql, connection, transaction);
        if (timeout is { } limit)
        {
            command.CommandTimeout = (int)Math.Ceiling(limit.TotalSeconds);
        }

        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The advisory-lock key of an index of this schema (shared by every process building it).</summary>
    private long LockKey(string indexName) => PostgresSchema.LockKey("skmemory:hnsw:" + _names.Schema + "." + indexName);
}
