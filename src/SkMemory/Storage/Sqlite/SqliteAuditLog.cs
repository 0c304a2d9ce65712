using Microsoft.Data.Sqlite;

namespace SkMemory.Storage.Sqlite;

/// <summary>The read audit and denials in the embedded store's own file, written in its write transactions.</summary>
internal sealed class SqliteAuditLog(SqliteMemoryStore store) : AuditLog
{
    protected override async Task InsertReadsAsync(IReadOnlyList<MemoryReadEntry> reads, CancellationToken cancellationToken)
    {
        var tx = await store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(
                """
                INSERT INTO memory_reads (tenant, memory_id, reader_kind, reader_id, operation, task, score, injected, read_at)
                VALUES ($tenant, $memory_id, $reader_kind, $reader_id, $operation, $task, $score, $injected, $read_at)
                """);
            var p = command.Parameters;
            var tenant = p.Add("$tenant", SqliteType.Text);
            var memoryId = p.Add("$memory_id", SqliteType.Text);
            var readerKind = p.Add("$reader_kind", SqliteType.Text);
            var readerId = p.Add("$reader_id", SqliteType.Text);
            var operation = p.Add("$operation", SqliteType.Text);
            var task = p.Add("$task", SqliteType.Text);
            var score = p.Add("$score", SqliteType.Real);
            var injected = p.Add("$injected", SqliteType.Integer);
            var readAt = p.Add("$read_at", SqliteType.Text);
            foreach (var read in reads)
            {
                tenant.Value = read.Tenant;
                memoryId.Value = SqliteRows.Id(read.MemoryId);
                readerKind.Value = MemoryJson.EnumName(read.Reader.Kind);
                readerId.Value = read.Reader.Id;
                operation.Value = read.Operation;
                task.Value = (object?)read.Task ?? DBNull.Value;
                score.Value = (object?)read.Score ?? DBNull.Value;
                injected.Value = read.Injected ? 1 : 0;
                readAt.Value = SqliteRows.Timestamp(read.ReadAt);
                await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task InsertDenialAsync(MemoryAccessDenial denial, CancellationToken cancellationToken)
    {
        var tx = await store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(
                """
                INSERT INTO memory_access_denials (tenant, actor_kind, actor_id, operation, memory_id, subject, scope, reason, detail, denied_at)
                VALUES ($tenant, $actor_kind, $actor_id, $operation, $memory_id, $subject, $scope, $reason, $detail, $denied_at)
                """);
            var p = command.Parameters;
            p.AddWithValue("$tenant", denial.Tenant);
            p.AddWithValue("$actor_kind", MemoryJson.EnumName(denial.Actor.Kind));
            p.AddWithValue("$actor_id", denial.Actor.Id);
            p.AddWithValue("$operation", denial.Operation);
            p.AddWithValue("$memory_id", denial.MemoryId is { } id ? SqliteRows.Id(id) : DBNull.Value);
            p.AddWithValue("$subject", (object?)denial.Subject ?? DBNull.Value);
            p.AddWithValue("$scope", (object?)denial.Scope ?? DBNull.Value);
            p.AddWithValue("$reason", MemoryJson.EnumName(denial.Reason));
            p.AddWithValue("$detail", denial.Detail);
            p.AddWithValue("$denied_at", SqliteRows.Timestamp(denial.DeniedAt));
            await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<IReadOnlyList<MemoryReadEntry>> SelectReadsAsync(string tenant, Guid memoryId, int limit, CancellationToken cancellationToken)
    {
        var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT tenant, memory_id, reader_kind, reader_id, operation, task, score, injected, read_at FROM (
                SELECT * FROM memory_reads WHERE tenant = $tenant AND memory_id = $memory_id ORDER BY id DESC LIMIT $limit
            ) ORDER BY id
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$memory_id", SqliteRows.Id(memoryId));
        command.Parameters.AddWithValue("$limit", limit);
        var reads = new List<MemoryReadEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                reads.Add(new MemoryReadEntry
                {
                    Tenant = reader.GetString(0),
                    MemoryId = Guid.Parse(reader.GetString(1)),
                    Reader = new MemoryActor(SqliteRows.ParseEnum<MemoryActorKind>(reader.GetString(2)), reader.GetString(3)),
                    Operation = reader.GetString(4),
                    Task = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Score = reader.IsDBNull(6) ? null : reader.GetDouble(6),
                    Injected = reader.GetInt64(7) != 0,
                    ReadAt = SqliteRows.ParseTimestamp(reader.GetString(8)),
                });
            }
        }

        return reads;
    }

    protected override async Task<IReadOnlyList<MemoryAccessDenial>> SelectDenialsAsync(string tenant, int limit, CancellationToken cancellationToken)
    {
        var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT tenant, actor_kind, actor_id, operation, memory_id, subject, scope, reason, detail, denied_at
            FROM memory_access_denials WHERE tenant = $tenant ORDER BY id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$limit", limit);
        var denials = new List<MemoryAccessDenial>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                denials.Add(new MemoryAccessDenial
                {
                    Tenant = reader.GetString(0),
                    Actor = new MemoryActor(SqliteRows.ParseEnum<MemoryActorKind>(reader.GetString(1)), reader.GetString(2)),
                    Operation = reader.GetString(3),
                    MemoryId = reader.IsDBNull(4) ? null : Guid.Parse(reader.GetString(4)),
                    Subject = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Scope = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Reason = SqliteRows.ParseEnum<MemoryAccessDenialReason>(reader.GetString(7)),
                    Detail = reader.GetString(8),
                    DeniedAt = SqliteRows.ParseTimestamp(reader.GetString(9)),
                });
            }
        }

        return denials;
    }
}
