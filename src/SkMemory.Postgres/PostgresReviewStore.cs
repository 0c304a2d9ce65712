using Npgsql;
using SkMemory.Governance.Review;

namespace SkMemory.Storage.Postgres;

/// <summary>Review items in the store's own schema, on the store's data source.</summary>
internal sealed class PostgresReviewStore : ReviewStore
{
    private const string Columns = "tenant, id, request, rule, held_at, state, decided_by_kind, decided_by_id, decided_at, decision_reason, memory_id";
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;

    public PostgresReviewStore(NpgsqlDataSource dataSource, PostgresNames names)
    {
        _dataSource = dataSource;
        _names = names;
    }

    protected override async Task InsertAsync(MemoryReviewItem item, string requestJson, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"INSERT INTO {_names.ReviewItems} (tenant, id, request, rule, held_at, state) VALUES (@tenant, @id, @request, @rule, @held_at, 'pending')",
            c =>
            {
                PostgresRows.Text(c, "tenant", item.Tenant);
                PostgresRows.Add(c, "id", item.Id);
                PostgresRows.Text(c, "request", requestJson);
                PostgresRows.Text(c, "rule", item.Rule);
                PostgresRows.Time(c, "held_at", item.HeldAt);
            },
            cancellationToken).ConfigureAwait(false);

    protected override async Task<MemoryReviewItem?> FindAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var items = await QueryAsync(
            $"SELECT {Columns} FROM {_names.ReviewItems} WHERE tenant = @tenant AND id = @id",
            c =>
            {
                PostgresRows.Text(c, "tenant", tenant);
                PostgresRows.Add(c, "id", id);
            },
            cancellationToken).ConfigureAwait(false);
        return items.Count == 0 ? null : items[0];
    }

    protected override Task<IReadOnlyList<MemoryReviewItem>> ListRowsAsync(string tenant, string? state, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM {_names.ReviewItems} WHERE tenant = @tenant AND (@state::text IS NULL OR state = @state) ORDER BY held_at, id",
            c =>
            {
                PostgresRows.Text(c, "tenant", tenant);
                PostgresRows.Text(c, "state", state);
            },
            cancellationToken);

    protected override async Task<bool> DecideRowAsync(string tenant, Guid id, string decision, MemoryActor by, string reason, Guid? memoryId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            $"""
            UPDATE {_names.ReviewItems}
            SET state = @state, decided_by_kind = @kind, decided_by_id = @by, decided_at = @at, decision_reason = @reason, memory_id = @memory
            WHERE tenant = @tenant AND id = @id AND state = 'pending'
            """,
            c =>
            {
                PostgresRows.Text(c, "tenant", tenant);
                PostgresRows.Add(c, "id", id);
                PostgresRows.Text(c, "state", decision);
                PostgresRows.Text(c, "kind", MemoryJson.EnumName(by.Kind));
                PostgresRows.Text(c, "by", by.Id);
                PostgresRows.Time(c, "at", at);
                PostgresRows.Text(c, "reason", reason);
                c.Parameters.Add(new NpgsqlParameter("memory", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = memoryId is { } m ? m : DBNull.Value });
            },
            cancellationToken).ConfigureAwait(false) == 1;

    private async Task<int> ExecuteAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<MemoryReviewItem>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            var items = new List<MemoryReviewItem>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    items.Add(new MemoryReviewItem
                    {
                        Tenant = reader.GetString(0),
                        Id = reader.GetGuid(1),
                        Request = ReadRequest(reader.GetString(2)),
                        Rule = reader.GetString(3),
                        HeldAt = reader.GetFieldValue<DateTimeOffset>(4),
                        State = ReadState(reader.GetString(5)),
                        DecidedBy = reader.IsDBNull(6) ? null : new MemoryActor(PostgresRows.ParseEnum<MemoryActorKind>(reader.GetString(6)), reader.GetString(7)),
                        DecidedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                        DecisionReason = reader.IsDBNull(9) ? null : reader.GetString(9),
                        MemoryId = reader.IsDBNull(10) ? null : reader.GetGuid(10),
                    });
                }
            }

            return items;
        }
    }
}
