using Npgsql;
using NpgsqlTypes;

namespace SkMemory.Storage.Postgres;

/// <summary>The read audit and denials in the store's own schema. Reads go in with one COPY-free batch insert.</summary>
internal sealed class PostgresAuditLog(NpgsqlDataSource dataSource, PostgresNames names) : AuditLog
{
    protected override async Task InsertReadsAsync(IReadOnlyList<MemoryReadEntry> reads, CancellationToken cancellationToken)
    {
        // One statement over arrays: atomic, one round trip however many memories a search returned.
        var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {names.Reads} (tenant, memory_id, reader_kind, reader_id, operation, task, score, injected, read_at)
            SELECT * FROM unnest(@tenant, @memory_id, @reader_kind, @reader_id, @operation, @task, @score, @injected, @read_at)
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.TextArray(command, "tenant", reads.Select(r => r.Tenant));
            PostgresRows.Add(command, "memory_id", reads.Select(r => r.MemoryId).ToArray());
            PostgresRows.TextArray(command, "reader_kind", reads.Select(r => MemoryJson.EnumName(r.Reader.Kind)));
            PostgresRows.TextArray(command, "reader_id", reads.Select(r => r.Reader.Id));
            PostgresRows.TextArray(command, "operation", reads.Select(r => r.Operation));
            command.Parameters.Add(new NpgsqlParameter("task", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = reads.Select(r => (object?)r.Task ?? DBNull.Value).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("score", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = reads.Select(r => (object?)r.Score ?? DBNull.Value).ToArray() });
            PostgresRows.Add(command, "injected", reads.Select(r => r.Injected).ToArray());
            command.Parameters.Add(new NpgsqlParameter("read_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = reads.Select(r => r.ReadAt.ToUniversalTime()).ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task InsertDenialAsync(MemoryAccessDenial denial, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {names.AccessDenials} (tenant, actor_kind, actor_id, operation, memory_id, subject, scope, reason, detail, denied_at)
            VALUES (@tenant, @actor_kind, @actor_id, @operation, @memory_id, @subject, @scope, @reason, @detail, @denied_at)
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", denial.Tenant);
            PostgresRows.Text(command, "actor_kind", MemoryJson.EnumName(denial.Actor.Kind));
            PostgresRows.Text(command, "actor_id", denial.Actor.Id);
            PostgresRows.Text(command, "operation", denial.Operation);
            command.Parameters.Add(new NpgsqlParameter("memory_id", NpgsqlDbType.Uuid) { Value = denial.MemoryId is { } id ? id : DBNull.Value });
            PostgresRows.Text(command, "subject", denial.Subject);
            PostgresRows.Text(command, "scope", denial.Scope);
            PostgresRows.Text(command, "reason", MemoryJson.EnumName(denial.Reason));
            PostgresRows.Text(command, "detail", denial.Detail);
            PostgresRows.Time(command, "denied_at", denial.DeniedAt);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<IReadOnlyList<MemoryReadEntry>> SelectReadsAsync(string tenant, Guid memoryId, int limit, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(
            $"""
            SELECT tenant, memory_id, reader_kind, reader_id, operation, task, score, injected, read_at FROM (
                SELECT * FROM {names.Reads} WHERE tenant = @tenant AND memory_id = @memory_id ORDER BY id DESC LIMIT @limit
            ) r ORDER BY id
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "memory_id", memoryId);
            PostgresRows.Add(command, "limit", limit);
            var reads = new List<MemoryReadEntry>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    reads.Add(new MemoryReadEntry
                    {
                        Tenant = reader.GetString(0),
                        MemoryId = reader.GetGuid(1),
                        Reader = new MemoryActor(PostgresRows.ParseEnum<MemoryActorKind>(reader.GetString(2)), reader.GetString(3)),
                        Operation = reader.GetString(4),
                        Task = reader.IsDBNull(5) ? null : reader.GetString(5),
                        Score = reader.IsDBNull(6) ? null : reader.GetDouble(6),
                        Injected = reader.GetBoolean(7),
                        ReadAt = reader.GetFieldValue<DateTimeOffset>(8),
                    });
                }
            }

            return reads;
        }
    }

    protected override async Task<IReadOnlyList<MemoryAccessDenial>> SelectDenialsAsync(string tenant, int limit, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand(
            $"""
            SELECT tenant, actor_kind, actor_id, operation, memory_id, subject, scope, reason, detail, denied_at
            FROM {names.AccessDenials} WHERE tenant = @tenant ORDER BY id DESC LIMIT @limit
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "limit", limit);
            var denials = new List<MemoryAccessDenial>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    denials.Add(new MemoryAccessDenial
                    {
                        Tenant = reader.GetString(0),
                        Actor = new MemoryActor(PostgresRows.ParseEnum<MemoryActorKind>(reader.GetString(1)), reader.GetString(2)),
                        Operation = reader.GetString(3),
                        MemoryId = reader.IsDBNull(4) ? null : reader.GetGuid(4),
                        Subject = reader.IsDBNull(5) ? null : reader.GetString(5),
                        Scope = reader.IsDBNull(6) ? null : reader.GetString(6),
                        Reason = PostgresRows.ParseEnum<MemoryAccessDenialReason>(reader.GetString(7)),
                        Detail = reader.GetString(8),
                        DeniedAt = reader.GetFieldValue<DateTimeOffset>(9),
                    });
                }
            }

            return denials;
        }
    }
}
