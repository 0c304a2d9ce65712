using Npgsql;
using SkMemory.Governance.ApiKeys;

namespace SkMemory.Storage.Postgres;

/// <summary>API keys in the store's own schema, on the store's data source.</summary>
internal sealed class PostgresApiKeyStore : ApiKeyStore
{
    private const string Columns = "id, tenant, actor_kind, actor_id, roles, teams, acting_for, scope_kinds, label, created_at, revoked_at, last_used_at, secret_hash";
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;

    public PostgresApiKeyStore(NpgsqlDataSource dataSource, PostgresNames names, TimeProvider time)
        : base(time)
    {
        _dataSource = dataSource;
        _names = names;
    }

    protected override async Task InsertAsync(MemoryApiKey key, string hash, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"""
            INSERT INTO {_names.ApiKeys} (id, tenant, actor_kind, actor_id, roles, teams, acting_for, scope_kinds, label, secret_hash, created_at)
            VALUES (@id, @tenant, @actor_kind, @actor_id, @roles, @teams, @acting_for, @scope_kinds, @label, @hash, @created_at)
            """,
            c =>
            {
                PostgresRows.Text(c, "id", key.Id);
                PostgresRows.Text(c, "tenant", key.Tenant);
                PostgresRows.Text(c, "actor_kind", MemoryJson.EnumName(key.Actor.Kind));
                PostgresRows.Text(c, "actor_id", key.Actor.Id);
                PostgresRows.Text(c, "roles", ToJson(key.Roles));
                PostgresRows.Text(c, "teams", ToJson(key.Teams));
                PostgresRows.Text(c, "acting_for", ToJson(key.ActingFor));
                PostgresRows.Text(c, "scope_kinds", ToJson(key.ScopeKinds));
                PostgresRows.Text(c, "label", key.Label);
                PostgresRows.Text(c, "hash", hash);
                PostgresRows.Time(c, "created_at", key.CreatedAt);
            },
            cancellationToken).ConfigureAwait(false);

    protected override async Task<(MemoryApiKey Key, string Hash)?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {Columns} FROM {_names.ApiKeys} WHERE id = @id", c => PostgresRows.Text(c, "id", id), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    protected override async Task<IReadOnlyList<MemoryApiKey>> ListRowsAsync(string? tenant, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            $"SELECT {Columns} FROM {_names.ApiKeys} WHERE @tenant::text IS NULL OR tenant = @tenant ORDER BY created_at DESC, id",
            c => PostgresRows.Text(c, "tenant", tenant),
            cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.Key)];
    }

    protected override async Task<bool> RevokeRowAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"UPDATE {_names.ApiKeys} SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            c =>
            {
                PostgresRows.Text(c, "id", id);
                PostgresRows.Time(c, "at", at);
            },
            cancellationToken).ConfigureAwait(false) == 1;

    protected override Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"UPDATE {_names.ApiKeys} SET last_used_at = @at WHERE id = @id",
            c =>
            {
                PostgresRows.Text(c, "id", id);
                PostgresRows.Time(c, "at", at);
            },
            cancellationToken);

    private async Task<int> ExecuteAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<(MemoryApiKey Key, string Hash)>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            var rows = new List<(MemoryApiKey, string)>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add((
                        new MemoryApiKey
                        {
                            Id = reader.GetString(0),
                            Tenant = reader.GetString(1),
                            Actor = new MemoryActor(PostgresRows.ParseEnum<MemoryActorKind>(reader.GetString(2)), reader.GetString(3)),
                            Roles = Strings(reader.GetString(4)),
                            Teams = Strings(reader.GetString(5)),
                            ActingFor = Strings(reader.GetString(6)),
                            ScopeKinds = Kinds(reader.GetString(7)),
                            Label = reader.IsDBNull(8) ? null : reader.GetString(8),
                            CreatedAt = reader.GetFieldValue<DateTimeOffset>(9),
                            RevokedAt = reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                            LastUsedAt = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                        },
                        reader.GetString(12)));
                }
            }

            return rows;
        }
    }
}
