using System.Text.RegularExpressions;
using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>Options for the PostgreSQL + pgvector store.</summary>
public sealed partial class PostgresMemoryStoreOptions : MemoryStoreOptions
{
    /// <summary>The schema used when <see cref="Schema"/> is not set.</summary>
    public const string DefaultSchema = "skmemory";

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
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
