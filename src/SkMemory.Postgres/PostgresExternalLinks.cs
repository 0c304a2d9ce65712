using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>External links in the store's own schema, on the store's data source; each change is one upsert.</summary>
internal sealed class PostgresExternalLinks : IMemoryExternalLinks
{
    private const string Columns = "system, tenant, memory_id, external_id, synced_version, last_error, updated_at";
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;

    public PostgresExternalLinks(NpgsqlDataSource dataSource, PostgresNames names)
    {
        _dataSource = dataSource;
        _names = names;
    }

    public async Task<MemoryExternalLink?> GetAsync(string system, string tenant, Guid memoryId, CancellationToken cancellationToken = default)
    {
        var links = await QueryAsync(
            $"SELECT {Columns} FROM {_names.ExternalLinks} WHERE system = @system AND tenant = @tenant AND memory_id = @id",
            c =>
            {
                PostgresRows.Text(c, "system", system);
                PostgresRows.Text(c, "tenant", tenant);
                PostgresRows.Add(c, "id", memoryId);
            },
            cancellationToken).ConfigureAwait(false);
        return links.Count == 0 ? null : links[0];
    }

    public async Task<IReadOnlyList<MemoryExternalLink>> FindAsync(string system, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(externalIds);
        if (externalIds.Count == 0)
        {
            return [];
        }

        return await QueryAsync(
            $"SELECT {Columns} FROM {_names.ExternalLinks} WHERE system = @system AND external_id = ANY(@ids)",
            c =>
            {
                PostgresRows.Text(c, "system", system);
                PostgresRows.TextArray(c, "ids", externalIds);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<MemoryExternalLink>> ListAsync(string system, string tenant, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {Columns} FROM {_names.ExternalLinks} WHERE system = @system AND tenant = @tenant ORDER BY memory_id",
            c =>
            {
                PostgresRows.Text(c, "system", system);
                PostgresRows.Text(c, "tenant", tenant);
            },
            cancellationToken);

    public Task SetSyncedAsync(string system, string tenant, Guid memoryId, string? externalId, long version, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            $"""
            INSERT INTO {_names.ExternalLinks} (system, tenant, memory_id, external_id, synced_version, last_error, updated_at)
            VALUES (@system, @tenant, @id, @external_id, @version, NULL, @at)
            ON CONFLICT (system, tenant, memory_id) DO UPDATE SET
                external_id = excluded.external_id, synced_version = excluded.synced_version, last_error = NULL, updated_at = excluded.updated_at
            """,
            c =>
            {
                Key(c, system, tenant, memoryId);
                PostgresRows.Text(c, "external_id", externalId);
                PostgresRows.Add(c, "version", version);
                PostgresRows.Time(c, "at", at);
            },
            cancellationToken);

    public Task SetFailedAsync(string system, string tenant, Guid memoryId, string error, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            $"""
            INSERT INTO {_names.ExternalLinks} (system, tenant, memory_id, external_id, synced_version, last_error, updated_at)
            VALUES (@system, @tenant, @id, NULL, 0, @error, @at)
            ON CONFLICT (system, tenant, memory_id) DO UPDATE SET last_error = excluded.last_error, updated_at = excluded.updated_at
            """,
            c =>
            {
                Key(c, system, tenant, memoryId);
                PostgresRows.Text(c, "error", error);
                PostgresRows.Time(c, "at", at);
            },
            cancellationToken);

    public async Task<int> RemoveAsync(string system, string tenant, IReadOnlyCollection<Guid> memoryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memoryIds);
        if (memoryIds.Count == 0)
        {
            return 0;
        }

        var command = _dataSource.CreateCommand($"DELETE FROM {_names.ExternalLinks} WHERE system = @system AND tenant = @tenant AND memory_id = ANY(@ids)");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "system", system);
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "ids", memoryIds.ToArray());
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Key(NpgsqlCommand command, string system, string tenant, Guid memoryId)
    {
        PostgresRows.Text(command, "system", system);
        PostgresRows.Text(command, "tenant", tenant);
        PostgresRows.Add(command, "id", memoryId);
    }

    private async Task ExecuteAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<MemoryExternalLink>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            var links = new List<MemoryExternalLink>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    links.Add(new MemoryExternalLink(
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.GetGuid(2),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetInt64(4),
                        reader.IsDBNull(5) ? null : reader.GetString(5),
                        reader.GetFieldValue<DateTimeOffset>(6)));
                }
            }

            return links;
        }
    }
}
