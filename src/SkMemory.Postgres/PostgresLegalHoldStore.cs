using Npgsql;
using SkMemory.Governance;

namespace SkMemory.Storage.Postgres;

/// <summary>Legal holds in the store's schema (<c>memory_legal_holds</c>); each write is one statement.</summary>
internal sealed class PostgresLegalHoldStore : IMemoryLegalHoldStore
{
    private const string Columns = "tenant, id, subject, memory_id, reason, placed_by_kind, placed_by_id, placed_at, released_at, released_by_kind, released_by_id";
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;
    private readonly TimeProvider _timeProvider;

    public PostgresLegalHoldStore(NpgsqlDataSource dataSource, PostgresNames names, TimeProvider timeProvider)
    {
        _dataSource = dataSource;
        _names = names;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public async Task PlaceAsync(MemoryLegalHold hold, CancellationToken cancellationToken = default)
    {
        var row = GovernanceRequestValidator.Hold(hold);
        cancellationToken.ThrowIfCancellationRequested();
        var command = _dataSource.CreateCommand(
            $"""
            INSERT INTO {_names.LegalHolds} ({Columns})
            VALUES (@tenant, @id, @subject, @memory_id, @reason, @placed_by_kind, @placed_by_id, @placed_at, NULL, NULL, NULL)
            ON CONFLICT (tenant, id) DO NOTHING
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", row.Tenant);
            PostgresRows.Text(command, "id", row.Id);
            PostgresRows.Text(command, "subject", row.Subject);
            command.Parameters.Add(new NpgsqlParameter("memory_id", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = row.MemoryId is { } memoryId ? memoryId : DBNull.Value });
            PostgresRows.Text(command, "reason", row.Reason);
            PostgresRows.Text(command, "placed_by_kind", MemoryJson.EnumName(row.PlacedBy.Kind));
            PostgresRows.Text(command, "placed_by_id", row.PlacedBy.Id);
            PostgresRows.Time(command, "placed_at", row.PlacedAt);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw GovernanceRequestValidator.HoldExists(row.Tenant, row.Id);
            }
        }
    }

    /// <inheritdoc />
    public async Task<MemoryLegalHold> ReleaseAsync(string tenant, string id, MemoryActor releasedBy, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        GovernanceRequestValidator.HoldId(id);
        MemoryRequestValidator.Actor(releasedBy);
        cancellationToken.ThrowIfCancellationRequested();
        var now = MemoryEventChain.TruncateToMicroseconds(_timeProvider.GetUtcNow());

        // One statement: the release wins only while the hold is active; otherwise the row (if any) says why not.
        var command = _dataSource.CreateCommand(
            $"""
            WITH released AS (
                UPDATE {_names.LegalHolds} SET released_at = @now, released_by_kind = @kind, released_by_id = @by
                WHERE tenant = @tenant AND id = @id AND released_at IS NULL
                RETURNING {Columns}
            )
            SELECT {Columns}, true FROM released
            UNION ALL
            SELECT {Columns}, false FROM {_names.LegalHolds} WHERE tenant = @tenant AND id = @id AND NOT EXISTS (SELECT 1 FROM released)
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Time(command, "now", now);
            PostgresRows.Text(command, "kind", MemoryJson.EnumName(releasedBy.Kind));
            PostgresRows.Text(command, "by", releasedBy.Id);
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "id", id);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw GovernanceRequestValidator.HoldNotFound(tenant, id);
                }

                var hold = Read(reader);
                return reader.GetBoolean(11) ? hold : throw GovernanceRequestValidator.HoldAlreadyReleased(hold);
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryLegalHold>> ListAsync(string tenant, bool includeReleased = false, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        cancellationToken.ThrowIfCancellationRequested();
        var command = _dataSource.CreateCommand(
            $"SELECT {Columns} FROM {_names.LegalHolds} WHERE tenant = @tenant{(includeReleased ? string.Empty : " AND released_at IS NULL")} ORDER BY placed_at, id");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            var holds = new List<MemoryLegalHold>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    holds.Add(Read(reader));
                }
            }

            return holds;
        }
    }

    private static MemoryLegalHold Read(NpgsqlDataReader reader) => new()
    {
        Tenant = reader.GetString(0),
        Id = reader.GetString(1),
        Subject = reader.IsDBNull(2) ? null : reader.GetString(2),
        MemoryId = reader.IsDBNull(3) ? null : reader.GetGuid(3),
        Reason = reader.GetString(4),
        PlacedBy = new MemoryActor(ParseKind(reader.GetString(5)), reader.GetString(6)),
        PlacedAt = reader.GetFieldValue<DateTimeOffset>(7),
        ReleasedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        ReleasedBy = reader.IsDBNull(9) ? null : new MemoryActor(ParseKind(reader.GetString(9)), reader.GetString(10)),
    };

    private static MemoryActorKind ParseKind(string name) =>
        MemoryJson.TryParseEnum<MemoryActorKind>(name, out var kind) ? kind : throw new InvalidDataException($"Unknown actor kind '{name}' in memory_legal_holds.");
}
