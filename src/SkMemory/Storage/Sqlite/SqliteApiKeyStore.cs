using Microsoft.Data.Sqlite;
using SkMemory.Governance.ApiKeys;

namespace SkMemory.Storage.Sqlite;

/// <summary>API keys in the embedded store's own file: reads on pooled connections, writes under the store's write lock.</summary>
internal sealed class SqliteApiKeyStore : ApiKeyStore
{
    private const string Columns = "id, tenant, actor_kind, actor_id, roles, teams, acting_for, scope_kinds, label, created_at, revoked_at, last_used_at, secret_hash";
    private readonly SqliteMemoryStore _store;

    public SqliteApiKeyStore(SqliteMemoryStore store)
        : base(store.TimeProvider)
    {
        _store = store;
    }

    protected override Task InsertAsync(MemoryApiKey key, string hash, CancellationToken cancellationToken) =>
        _store.ExecuteWriteAsync(
            """
            INSERT INTO memory_api_keys (id, tenant, actor_kind, actor_id, roles, teams, acting_for, scope_kinds, label, secret_hash, created_at)
            VALUES ($id, $tenant, $actor_kind, $actor_id, $roles, $teams, $acting_for, $scope_kinds, $label, $hash, $created_at)
            """,
            c =>
            {
                c.Parameters.AddWithValue("$id", key.Id);
                c.Parameters.AddWithValue("$tenant", key.Tenant);
                c.Parameters.AddWithValue("$actor_kind", MemoryJson.EnumName(key.Actor.Kind));
                c.Parameters.AddWithValue("$actor_id", key.Actor.Id);
                c.Parameters.AddWithValue("$roles", ToJson(key.Roles));
                c.Parameters.AddWithValue("$teams", ToJson(key.Teams));
                c.Parameters.AddWithValue("$acting_for", ToJson(key.ActingFor));
                c.Parameters.AddWithValue("$scope_kinds", ToJson(key.ScopeKinds));
                c.Parameters.AddWithValue("$label", (object?)key.Label ?? DBNull.Value);
                c.Parameters.AddWithValue("$hash", hash);
                c.Parameters.AddWithValue("$created_at", SqliteRows.Timestamp(key.CreatedAt));
            },
            cancellationToken);

    protected override async Task<(MemoryApiKey Key, string Hash)?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {Columns} FROM memory_api_keys WHERE id = $id", c => c.Parameters.AddWithValue("$id", id), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    protected override async Task<IReadOnlyList<MemoryApiKey>> ListRowsAsync(string? tenant, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            $"SELECT {Columns} FROM memory_api_keys WHERE $tenant IS NULL OR tenant = $tenant ORDER BY created_at DESC, id",
            c => c.Parameters.AddWithValue("$tenant", (object?)tenant ?? DBNull.Value),
            cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.Key)];
    }

    protected override async Task<bool> RevokeRowAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _store.ExecuteWriteAsync(
            "UPDATE memory_api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL",
            c =>
            {
                c.Parameters.AddWithValue("$id", id);
                c.Parameters.AddWithValue("$at", SqliteRows.Timestamp(at));
            },
            cancellationToken).ConfigureAwait(false) == 1;

    protected override Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _store.ExecuteWriteAsync(
            "UPDATE memory_api_keys SET last_used_at = $at WHERE id = $id",
            c =>
            {
                c.Parameters.AddWithValue("$id", id);
                c.Parameters.AddWithValue("$at", SqliteRows.Timestamp(at));
            },
            cancellationToken);

    private async Task<List<(MemoryApiKey Key, string Hash)>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var rows = new List<(MemoryApiKey, string)>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add((
                new MemoryApiKey
                {
                    Id = reader.GetString(0),
                    Tenant = reader.GetString(1),
                    Actor = new MemoryActor(SqliteRows.ParseEnum<MemoryActorKind>(reader.GetString(2)), reader.GetString(3)),
                    Roles = Strings(reader.GetString(4)),
                    Teams = Strings(reader.GetString(5)),
                    ActingFor = Strings(reader.GetString(6)),
                    ScopeKinds = Kinds(reader.GetString(7)),
                    Label = reader.IsDBNull(8) ? null : reader.GetString(8),
                    CreatedAt = SqliteRows.ParseTimestamp(reader.GetString(9)),
                    RevokedAt = reader.IsDBNull(10) ? null : SqliteRows.ParseTimestamp(reader.GetString(10)),
                    LastUsedAt = reader.IsDBNull(11) ? null : SqliteRows.ParseTimestamp(reader.GetString(11)),
                },
                reader.GetString(12)));
        }

        return rows;
    }
}
