using Microsoft.Data.Sqlite;
using SkMemory.Governance.Review;

namespace SkMemory.Storage.Sqlite;

/// <summary>Review items in the embedded store's own file.</summary>
internal sealed class SqliteReviewStore : ReviewStore
{
    private const string Columns = "tenant, id, request, rule, held_at, state, decided_by_kind, decided_by_id, decided_at, decision_reason, memory_id";
    private readonly SqliteMemoryStore _store;

    public SqliteReviewStore(SqliteMemoryStore store)
    {
        _store = store;
    }

    protected override Task InsertAsync(MemoryReviewItem item, string requestJson, CancellationToken cancellationToken) =>
        _store.ExecuteWriteAsync(
            "INSERT INTO memory_review_items (tenant, id, request, rule, held_at, state) VALUES ($tenant, $id, $request, $rule, $held_at, 'pending')",
            c =>
            {
                c.Parameters.AddWithValue("$tenant", item.Tenant);
                c.Parameters.AddWithValue("$id", SqliteRows.Id(item.Id));
                c.Parameters.AddWithValue("$request", requestJson);
                c.Parameters.AddWithValue("$rule", item.Rule);
                c.Parameters.AddWithValue("$held_at", SqliteRows.Timestamp(item.HeldAt));
            },
            cancellationToken);

    protected override async Task<MemoryReviewItem?> FindAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var items = await QueryAsync(
            $"SELECT {Columns} FROM memory_review_items WHERE tenant = $tenant AND id = $id",
            c =>
            {
                c.Parameters.AddWithValue("$tenant", tenant);
                c.Parameters.AddWithValue("$id", SqliteRows.Id(id));
            },
            cancellationToken).ConfigureAwait(false);
        return items.Count == 0 ? null : items[0];
    }

    protected override Task<IReadOnlyList<MemoryReviewItem>> ListRowsAsync(string tenant, string? state, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM memory_review_items WHERE tenant = $tenant AND ($state IS NULL OR state = $state) ORDER BY held_at, id",
            c =>
            {
                c.Parameters.AddWithValue("$tenant", tenant);
                c.Parameters.AddWithValue("$state", (object?)state ?? DBNull.Value);
            },
            cancellationToken);

    protected override async Task<bool> DecideRowAsync(string tenant, Guid id, string decision, MemoryActor by, string reason, Guid? memoryId, DateTimeOffset at, CancellationToken cancellationToken) =>
        await _store.ExecuteWriteAsync(
            """
            UPDATE memory_review_items
            SET state = $state, decided_by_kind = $kind, decided_by_id = $by, decided_at = $at, decision_reason = $reason, memory_id = $memory
            WHERE tenant = $tenant AND id = $id AND state = 'pending'
            """,
            c =>
            {
                c.Parameters.AddWithValue("$tenant", tenant);
                c.Parameters.AddWithValue("$id", SqliteRows.Id(id));
                c.Parameters.AddWithValue("$state", decision);
                c.Parameters.AddWithValue("$kind", MemoryJson.EnumName(by.Kind));
                c.Parameters.AddWithValue("$by", by.Id);
                c.Parameters.AddWithValue("$at", SqliteRows.Timestamp(at));
                c.Parameters.AddWithValue("$reason", reason);
                c.Parameters.AddWithValue("$memory", memoryId is { } m ? SqliteRows.Id(m) : DBNull.Value);
            },
            cancellationToken).ConfigureAwait(false) == 1;

    private async Task<IReadOnlyList<MemoryReviewItem>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var items = new List<MemoryReviewItem>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(new MemoryReviewItem
            {
                Tenant = reader.GetString(0),
                Id = Guid.Parse(reader.GetString(1)),
                Request = ReadRequest(reader.GetString(2)),
                Rule = reader.GetString(3),
                HeldAt = SqliteRows.ParseTimestamp(reader.GetString(4)),
                State = ReadState(reader.GetString(5)),
                DecidedBy = reader.IsDBNull(6) ? null : new MemoryActor(SqliteRows.ParseEnum<MemoryActorKind>(reader.GetString(6)), reader.GetString(7)),
                DecidedAt = reader.IsDBNull(8) ? null : SqliteRows.ParseTimestamp(reader.GetString(8)),
                DecisionReason = reader.IsDBNull(9) ? null : reader.GetString(9),
                MemoryId = reader.IsDBNull(10) ? null : Guid.Parse(reader.GetString(10)),
            });
        }

        return items;
    }
}
