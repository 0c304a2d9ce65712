using Microsoft.Data.Sqlite;

namespace SkMemory.Storage.Sqlite;

/// <summary>External links in the embedded store's own file: reads on pooled connections, writes under the store's write lock.</summary>
internal sealed class SqliteExternalLinks : IMemoryExternalLinks
{
    private const string Columns = "system, tenant, memory_id, external_id, synced_version, last_error, updated_at";
    private readonly SqliteMemoryStore _store;

    public SqliteExternalLinks(SqliteMemoryStore store)
    {
        _store = store;
    }

    public async Task<MemoryExternalLink?> GetAsync(string system, string tenant, Guid memoryId, CancellationToken cancellationToken = default)
    {
        var links = await QueryAsync(
            $"SELECT {Columns} FROM memory_external_links WHERE system = $system AND tenant = $tenant AND memory_id = $id",
            c =>
            {
                c.Parameters.AddWithValue("$system", system);
                c.Parameters.AddWithValue("$tenant", tenant);
                c.Parameters.AddWithValue("$id", SqliteRows.Id(memoryId));
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

        // json_each keeps the statement one shape whatever the number of ids.
        return await QueryAsync(
            $"SELECT {Columns} FROM memory_external_links WHERE system = $system AND external_id IN (SELECT value FROM json_each($ids))",
            c =>
            {
                c.Parameters.AddWithValue("$system", system);
                c.Parameters.AddWithValue("$ids", new System.Text.Json.Nodes.JsonArray([.. externalIds.Select(id => System.Text.Json.Nodes.JsonValue.Create(id))]).ToJsonString());
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<MemoryExternalLink>> ListAsync(string system, string tenant, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {Columns} FROM memory_external_links WHERE system = $system AND tenant = $tenant ORDER BY memory_id",
            c =>
            {
                c.Parameters.AddWithValue("$system", system);
                c.Parameters.AddWithValue("$tenant", tenant);
            },
            cancellationToken);

    public Task SetSyncedAsync(string system, string tenant, Guid memoryId, string? externalId, long version, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _store.ExecuteWriteAsync(
            """
            INSERT INTO memory_external_links (system, tenant, memory_id, external_id, synced_version, last_error, updated_at)
            VALUES ($system, $tenant, $id, $external_id, $version, NULL, $at)
            ON CONFLICT (system, tenant, memory_id) DO UPDATE SET
                external_id = excluded.external_id, synced_version = excluded.synced_version, last_error = NULL, updated_at = excluded.updated_at
            """,
            c =>
            {
                Key(c, system, tenant, memoryId);
                c.Parameters.AddWithValue("$external_id", (object?)externalId ?? DBNull.Value);
                c.Parameters.AddWithValue("$version", version);
                c.Parameters.AddWithValue("$at", SqliteRows.Timestamp(at));
            },
            cancellationToken);

    public Task SetFailedAsync(string system, string tenant, Guid memoryId, string error, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _store.ExecuteWriteAsync(
            """
            INSERT INTO memory_external_links (system, tenant, memory_id, external_id, synced_version, last_error, updated_at)
            VALUES ($system, $tenant, $id, NULL, 0, $error, $at)
            ON CONFLICT (system, tenant, memory_id) DO UPDATE SET last_error = excluded.last_error, updated_at = excluded.updated_at
            """,
            c =>
            {
                Key(c, system, tenant, memoryId);
                c.Parameters.AddWithValue("$error", error);
                c.Parameters.AddWithValue("$at", SqliteRows.Timestamp(at));
            },
            cancellationToken);

    public async Task<int> RemoveAsync(string system, string tenant, IReadOnlyCollection<Guid> memoryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memoryIds);
        var removed = 0;
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            foreach (var id in memoryIds)
            {
                using var command = tx.Command("DELETE FROM memory_external_links WHERE system = $system AND tenant = $tenant AND memory_id = $id");
                Key(command, system, tenant, id);
                removed += await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    private static void Key(SqliteCommand command, string system, string tenant, Guid memoryId)
    {
        command.Parameters.AddWithValue("$system", system);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(memoryId));
    }

    private async Task<IReadOnlyList<MemoryExternalLink>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var links = new List<MemoryExternalLink>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            links.Add(new MemoryExternalLink(
                reader.GetString(0),
                reader.GetString(1),
                Guid.Parse(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                SqliteRows.ParseTimestamp(reader.GetString(6))));
        }

        return links;
    }
}
