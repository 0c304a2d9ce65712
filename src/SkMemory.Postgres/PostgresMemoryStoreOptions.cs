using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>Options for the PostgreSQL + pgvector store.</summary>
public sealed partial class PostgresMemoryStoreOptions : MemoryStoreOptions
{
    /// <summary>The schema used when <see cref="Schema"/> is not set.</summary>
    public const string DefaultSchema = "skmemory";

    /// <summary>The default of <see cref="TenantVectorIndexMinRows"/>.</summary>
    public const int DefaultTenantVectorIndexMinRows = 5_000;

    /// <summary>
    /// Gets or sets the connection string. Set either this or <see cref="DataSource"/>. The store builds its own data
    /// source from it (with pgvector's type mapping) and disposes that data source with the store.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a data source the caller owns. Set either this or <see cref="ConnectionString"/>. It must have been
    /// built with pgvector's mapping (<c>NpgsqlDataSourceBuilder.UseVector()</c>); the store does not dispose it.
    /// </summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// Gets or sets the schema that holds the store's tables: lower-case letters, digits and underscores, starting with a
    /// letter or underscore, at most 63 characters. Defaults to <see cref="DefaultSchema"/>.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// Gets or sets how many embeddings (of one model) a tenant has before it gets its own HNSW index. Below it, a search
    /// over the whole tenant is exact (a few milliseconds at this size); at or above it, the first such search starts
    /// building the tenant's index in the background (<c>CREATE INDEX CONCURRENTLY</c>) and searches use it once built.
    /// <see cref="PostgresMemoryStore.EnsureTenantVectorIndexesAsync"/> builds every missing one at once (the bulk loader
    /// calls it). 0 turns tenant indexes off: searches then use the one index shared by all tenants. Defaults to
    /// <see cref="DefaultTenantVectorIndexMinRows"/>.
    /// <para>
    /// Each index is one more lock per statement on <c>memory_embeddings</c> and one more predicate per insert: past some
    /// hundreds of large tenants raise <c>max_locks_per_transaction</c>, raise this threshold, or partition by tenant
    /// (docs/scaling.md).
    /// </para>
    /// </summary>
    public int TenantVectorIndexMinRows { get; set; } = DefaultTenantVectorIndexMinRows;

    /// <summary>
    /// Gets or sets <c>maintenance_work_mem</c> for building a tenant's HNSW index: a whole number of megabytes or gigabytes
    /// (<c>256MB</c>, <c>1GB</c>; 1MB to 2047GB), or null to keep the server's (or role's) setting. The graph is built in
    /// memory when it fits, much faster than on disk: 384-dimension vectors need about 2 kB each. Defaults to <c>256MB</c>
    /// (about 100,000 vectors).
    /// </summary>
    public string? VectorIndexBuildMemory { get; set; } = "256MB";

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if ((ConnectionString is null) == (DataSource is null))
        {
            throw new ArgumentException("Set exactly one of ConnectionString and DataSource.", nameof(ConnectionString));
        }

        if (ConnectionString is not null)
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
            {
                throw new ArgumentException("ConnectionString must not be blank.", nameof(ConnectionString));
            }

            try
            {
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"ConnectionString is not a valid PostgreSQL connection string: {ex.Message}", nameof(ConnectionString), ex);
            }
        }

        if (Schema is null || !SchemaName().IsMatch(Schema) || Schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Schema '{Schema}' is not allowed: use 1..63 lower-case letters, digits and underscores, starting with a letter or underscore and not with 'pg_'.",
                nameof(Schema));
        }

        if (TenantVectorIndexMinRows < 0)
        {
            throw new ArgumentException($"TenantVectorIndexMinRows must be 0 (off) or more; got {TenantVectorIndexMinRows}.", nameof(TenantVectorIndexMinRows));
        }

        if (VectorIndexBuildMemory is not null
            && (MemorySize().Match(VectorIndexBuildMemory) is not { Success: true } size
                || long.Parse(size.Groups[1].Value, CultureInfo.InvariantCulture) * (size.Groups[2].Value == "GB" ? 1024 : 1) > 2047 * 1024))
        {
            throw new ArgumentException(
                $"VectorIndexBuildMemory '{VectorIndexBuildMemory}' is not a PostgreSQL memory size the server accepts: use a whole number of MB or GB from 1MB to 2047GB, such as 256MB (or null to keep the server's setting).",
                nameof(VectorIndexBuildMemory));
        }
    }

    [GeneratedRegex("^([1-9][0-9]{0,6})(MB|GB)$", RegexOptions.CultureInvariant)]
    private static partial Regex MemorySize();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
