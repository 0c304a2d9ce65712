using Microsoft.Data.Sqlite;
using SkMemory.Governance;

namespace SkMemory.Storage.Sqlite;

/// <summary>
/// Legal holds in the embedded store's own file (<c>memory_legal_holds</c>); writes take the file's write lock, so a hold
/// placed before a purge begins is seen by that purge.
/// </summary>
internal sealed class SqliteLegalHoldStore : IMemoryLegalHoldStore
{
    private const string Columns = "tenant, id, subject, memory_id, reason, placed_by_kind, placed_by_id, placed_at, released_at, released_by_kind, released_by_id";
    private readonly SqliteMemoryStore _store;

    public SqliteLegalHoldStore(SqliteMemoryStore store)
    {
        _store = store;
    }

    /// <inheritdoc />
    public async Task PlaceAsync(MemoryLegalHold hold, CancellationToken cancellationToken = default)
    {
        var row = GovernanceRequestValidator.Hold(hold);
        cancellationToken.ThrowIfCancellationRequested();
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(
                $"""
                INSERT INTO memory_legal_holds ({Columns})
                VALUES ($tenant, $id, $subject, $memory_id, $reason, $placed_by_kind, $placed_by_id, $placed_at, NULL, NULL, NULL)
                ON CONFLICT (tenant, id) DO NOTHING
                """);
            var p = command.Parameters;
            p.AddWithValue("$tenant", row.Tenant);
            p.AddWithValue("$id", row.Id);
            p.AddWithValue("$subject", (object?)row.Subject ?? DBNull.Value);
            p.AddWithValue("$memory_id", row.MemoryId is { } memoryId ? SqliteRows.Id(memoryId) : DBNull.Value);
            p.AddWithValue("$reason", row.Reason);
            p.AddWithValue("$placed_by_kind", MemoryJson.EnumName(row.PlacedBy.Kind));
            p.AddWithValue("$placed_by_id", row.PlacedBy.Id);
            p.AddWithValue("$placed_at", SqliteRows.Timestamp(row.PlacedAt));
            if (await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false) != 1)
            {
                throw GovernanceRequestValidator.HoldExists(row.Tenant, row.Id);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<MemoryLegalHold> ReleaseAsync(string tenant, string id, MemoryActor releasedBy, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        GovernanceRequestValidator.HoldId(id);
        MemoryRequestValidator.Actor(releasedBy);
        cancellationToken.ThrowIfCancellationRequested();
        var now = MemoryEventChain.TruncateToMicroseconds(_store.TimeProvider.GetUtcNow());
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            MemoryLegalHold? existing;
            using (var select = tx.Command($"SELECT {Columns} FROM memory_legal_holds WHERE tenant = $tenant AND id = $id"))
            {
                select.Parameters.AddWithValue("$tenant", tenant);
                select.Parameters.AddWithValue("$id", id);
                var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    existing = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
                }
            }

            if (existing is null)
            {
                throw GovernanceRequestValidator.HoldNotFound(tenant, id);
            }

            if (existing.ReleasedAt is not null)
            {
                throw GovernanceRequestValidator.HoldAlreadyReleased(existing);
            }

            using (var update = tx.Command(
                """
                UPDATE memory_legal_holds SET released_at = $now, released_by_kind = $kind, released_by_id = $by
                WHERE tenant = $tenant AND id = $id AND released_at IS NULL
                """))
            {
                update.Parameters.AddWithValue("$now", SqliteRows.Timestamp(now));
                update.Parameters.AddWithValue("$kind", MemoryJson.EnumName(releasedBy.Kind));
                update.Parameters.AddWithValue("$by", releasedBy.Id);
                update.Parameters.AddWithValue("$tenant", tenant);
                update.Parameters.AddWithValue("$id", id);
                await tx.ExecuteWriteAsync(update, cancellationToken).ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return existing with { ReleasedAt = now, ReleasedBy = releasedBy };
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryLegalHold>> ListAsync(string tenant, bool includeReleased = false, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {Columns} FROM memory_legal_holds WHERE tenant = $tenant{(includeReleased ? string.Empty : " AND released_at IS NULL")} ORDER BY placed_at, id";
        command.Parameters.AddWithValue("$tenant", tenant);
        var holds = new List<MemoryLegalHold>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            holds.Add(Read(reader));
        }

        return holds;
    }

    private static MemoryLegalHold Read(SqliteDataReader reader) => new()
    {
        Tenant = reader.GetString(0),
        Id = reader.GetString(1),
        Subject = reader.IsDBNull(2) ? null : reader.GetString(2),
        MemoryId = reader.IsDBNull(3) ? null : Guid.ParseExact(reader.GetString(3), "D"),
        Reason = reader.GetString(4),
        PlacedBy = new MemoryActor(ParseKind(reader.GetString(5)), reader.GetString(6)),
        PlacedAt = SqliteRows.ParseTimestamp(reader.GetString(7)),
        ReleasedAt = reader.IsDBNull(8) ? null : SqliteRows.ParseTimestamp(reader.GetString(8)),
        ReleasedBy = reader.IsDBNull(9) ? null : new MemoryActor(ParseKind(reader.GetString(9)), reader.GetString(10)),
    };

    private static MemoryActorKind ParseKind(string name) =>
        MemoryJson.TryParseEnum<MemoryActorKind>(name, out var kind) ? kind : throw new InvalidDataException($"Unknown actor kind '{name}' in memory_legal_holds.");
}
