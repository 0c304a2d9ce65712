using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace SkMemory.Storage.Sqlite;

/// <summary>A write transaction on the embedded store: <c>BEGIN IMMEDIATE</c> holds the database's single write lock.</summary>
internal sealed partial class SqliteMemoryStoreTransaction : MemoryStoreTransaction
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly SemaphoreSlim _writerGate;
    private readonly TimeProvider _timeProvider;
    private readonly string _databasePath;
    private readonly ILogger _logger;
    private bool _committed;
    private bool _contentRemoved;

    private SqliteMemoryStoreTransaction(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim writerGate, TimeProvider timeProvider, string databasePath, ILogger logger)
    {
        _databasePath = databasePath;
        _logger = logger;
        _connection = connection;
        _transaction = transaction;
        _writerGate = writerGate;
        _timeProvider = timeProvider;
    }

    public static async Task<SqliteMemoryStoreTransaction> BeginAsync(SqliteMemoryStore store, SemaphoreSlim writerGate, CancellationToken cancellationToken)
    {
        // Writers in this process queue here instead of spinning on SQLite's busy handler; other processes are held off
        // by the database lock that BEGIN IMMEDIATE takes.
        await writerGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteConnection? connection = null;
        try
        {
            connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var transaction = connection.BeginTransaction(deferred: false);
            return new SqliteMemoryStoreTransaction(connection, transaction, writerGate, store.TimeProvider, store.DatabasePath, store.TransactionLogger);
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            writerGate.Release();
            if (ex is SqliteException sqlite && StorageFailure(sqlite, store.DatabasePath) is { } failure)
            {
                throw failure;
            }

            throw;
        }
    }

    public override async Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT record FROM memory_objects WHERE id = $id AND tenant = $tenant");
        command.Parameters.AddWithValue("$id", SqliteRows.Id(id));
        command.Parameters.AddWithValue("$tenant", tenant);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? MemoryJson.DeserializeRecord(json) : null;
    }

    public override async Task<(MemoryRecord Record, string OriginContentHash)?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT record, origin_content_hash FROM memory_objects WHERE tenant = $tenant AND idempotency_key = $key");
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$key", idempotencyKey);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (SqliteRows.ReadRecord(reader, 0), reader.GetString(1))
            : null;
    }

    public override async Task<MemoryRecord?> FindActiveByContentHashAsync(string tenant, string contentHash, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT record FROM memory_objects WHERE tenant = $tenant AND content_hash = $hash AND status = 'active' LIMIT 1");
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$hash", contentHash);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? MemoryJson.DeserializeRecord(json) : null;
    }

    public override async Task SaveEmbeddingAsync(string tenant, Guid id, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            INSERT INTO memory_embeddings (memory_id, model, dimensions, tenant, vector, created_at)
            VALUES ($id, $model, $dimensions, $tenant, $vector, $now)
            ON CONFLICT (memory_id, model, dimensions) DO UPDATE SET vector = excluded.vector, created_at = excluded.created_at
            """);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(id));
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$dimensions", vector.Length);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$vector", SqliteRows.VectorBytes(vector));
        command.Parameters.AddWithValue("$now", SqliteRows.Timestamp(MemoryEventChain.TruncateToMicroseconds(_timeProvider.GetUtcNow())));
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DeleteEmbeddingsAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        // "+tenant" keeps SQLite on the primary key (memory_id first): the tenant index would scan every embedding of the tenant.
        using var command = Command("DELETE FROM memory_embeddings WHERE memory_id = $id AND +tenant = $tenant");
        command.Parameters.AddWithValue("$id", SqliteRows.Id(id));
        command.Parameters.AddWithValue("$tenant", tenant);
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task SetEmbeddingModelStateAsync(string model, int dimensions, MemoryEmbeddingModelState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            UPDATE memory_embedding_models SET state = 'retired', updated_at = $now
            WHERE $state = 'serving' AND state = 'serving' AND NOT (model = $model AND dimensions = $dimensions);
            INSERT INTO memory_embedding_models (model, dimensions, state, updated_at)
            SELECT DISTINCT model, dimensions, 'retired', $now FROM memory_embeddings
            WHERE $state = 'serving' AND NOT (model = $model AND dimensions = $dimensions)
            ON CONFLICT (model, dimensions) DO NOTHING;
            INSERT INTO memory_embedding_models (model, dimensions, state, updated_at) VALUES ($model, $dimensions, $state, $now)
            ON CONFLICT (model, dimensions) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$dimensions", dimensions);
        command.Parameters.AddWithValue("$state", MemoryJson.EnumName(state));
        command.Parameters.AddWithValue("$now", SqliteRows.Timestamp(now));
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DropEmbeddingModelAsync(string model, CancellationToken cancellationToken)
    {
        using var command = Command("DELETE FROM memory_embeddings WHERE model = $model; DELETE FROM memory_embedding_models WHERE model = $model;");
        command.Parameters.AddWithValue("$model", model);
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<string?> FindActiveLegalHoldAsync(string tenant, Guid id, string subject, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            SELECT id FROM memory_legal_holds
            WHERE tenant = $tenant AND released_at IS NULL AND (memory_id = $id OR subject = $subject)
            ORDER BY id LIMIT 1
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(id));
        command.Parameters.AddWithValue("$subject", subject);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public override async Task<IReadOnlyList<MemoryRecord>> ListSubjectAsync(string tenant, string subject, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT record FROM memory_objects WHERE tenant = $tenant AND subject = $subject ORDER BY id");
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$subject", subject);
        return await SqliteMemoryStore.ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<(int EventPayloads, int Embeddings, int FullTextRows)> RemoveContentAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        if (!_contentRemoved)
        {
            // Freed pages are overwritten with zeros, so the erased bytes do not linger in the file's free space.
            using var secure = Command("PRAGMA secure_delete = ON");
            await secure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _contentRemoved = true;
        }

        var payloads = await ExecuteForMemoryAsync("UPDATE memory_events SET payload = NULL WHERE tenant = $tenant AND memory_id = $id AND payload IS NOT NULL", tenant, id, cancellationToken).ConfigureAwait(false);
        var embeddings = await ExecuteForMemoryAsync("DELETE FROM memory_embeddings WHERE memory_id = $id AND +tenant = $tenant", tenant, id, cancellationToken).ConfigureAwait(false);

        // FTS5 finds a row fast only by rowid = value (a subquery scans the whole index), so look the rowid up first.
        using var rowIdCommand = Command("SELECT rowid FROM memory_objects WHERE id = $id AND tenant = $tenant");
        rowIdCommand.Parameters.AddWithValue("$id", SqliteRows.Id(id));
        rowIdCommand.Parameters.AddWithValue("$tenant", tenant);
        var fullText = 0;
        if (await rowIdCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long rowId)
        {
            using var fts = Command("DELETE FROM memory_fts WHERE rowid = $rowid");
            fts.Parameters.AddWithValue("$rowid", rowId);
            fullText = await ExecuteWriteAsync(fts, cancellationToken).ConfigureAwait(false);
        }

        return (payloads, embeddings, fullText);
    }

    public override async Task<IReadOnlyList<string>> ListVaultTokensAsync(string tenant, string? subject, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT token FROM memory_vault WHERE tenant = $tenant AND ($subject IS NULL OR subject = $subject) ORDER BY token");
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$subject", (object?)subject ?? DBNull.Value);
        var tokens = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens.Add(reader.GetString(0));
        }

        return tokens;
    }

    public override async Task<IReadOnlyList<string>> DeleteUnreferencedVaultTokensAsync(string tenant, IReadOnlyCollection<string> tokens, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        foreach (var token in tokens)
        {
            using var command = Command(
                """
                DELETE FROM memory_vault WHERE tenant = $tenant AND token = $token
                AND NOT EXISTS (SELECT 1 FROM memory_events WHERE tenant = $tenant AND payload IS NOT NULL AND instr(payload, $token) > 0)
                """);
            command.Parameters.AddWithValue("$tenant", tenant);
            command.Parameters.AddWithValue("$token", token);
            if (await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false) > 0)
            {
                deleted.Add(token);
            }
        }

        return deleted;
    }

    public override async Task SaveAttestationAsync(MemoryDeletionAttestation attestation, string json, CancellationToken cancellationToken)
    {
        using var command = Command("INSERT INTO memory_attestations (tenant, id, created_at, attestation) VALUES ($tenant, $id, $created_at, $attestation)");
        command.Parameters.AddWithValue("$tenant", attestation.Tenant);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(attestation.Id));
        command.Parameters.AddWithValue("$created_at", SqliteRows.Timestamp(attestation.PurgedAt));
        command.Parameters.AddWithValue("$attestation", json);
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<(IReadOnlyList<Guid> WithText, IReadOnlyList<Guid> WithFullText, IReadOnlyList<Guid> WithEmbeddings)> FindPurgeResidueAsync(string tenant, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        // A JSON array of ids for json_each: any number of ids in one parameter (a GUID needs no escaping).
        var json = "[" + string.Join(',', ids.Select(id => "\"" + SqliteRows.Id(id) + "\"")) + "]";
        var withText = await IdsAsync("SELECT id FROM memory_objects WHERE tenant = $tenant AND id IN (SELECT value FROM json_each($ids)) AND text <> '' ORDER BY id").ConfigureAwait(false);
        var withFullText = await IdsAsync(
            "SELECT o.id FROM memory_objects o JOIN memory_fts f ON f.rowid = o.rowid WHERE o.tenant = $tenant AND o.id IN (SELECT value FROM json_each($ids)) ORDER BY o.id").ConfigureAwait(false);
        var withEmbeddings = await IdsAsync(
            "SELECT DISTINCT memory_id FROM memory_embeddings WHERE +tenant = $tenant AND memory_id IN (SELECT value FROM json_each($ids)) ORDER BY memory_id").ConfigureAwait(false);
        return (withText, withFullText, withEmbeddings);

        async Task<IReadOnlyList<Guid>> IdsAsync(string sql)
        {
            using var command = Command(sql);
            command.Parameters.AddWithValue("$tenant", tenant);
            command.Parameters.AddWithValue("$ids", json);
            var found = new List<Guid>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(Guid.ParseExact(reader.GetString(0), "D"));
            }

            return found;
        }
    }

    protected override async Task<ChainHead?> LoadHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT sequence, hash FROM memory_chain_heads WHERE tenant = $tenant");
        command.Parameters.AddWithValue("$tenant", tenant);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new ChainHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    protected override async Task SaveHeadAsync(string tenant, ChainHead head, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            INSERT INTO memory_chain_heads (tenant, sequence, hash) VALUES ($tenant, $sequence, $hash)
            ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$sequence", head.Sequence);
        command.Parameters.AddWithValue("$hash", head.Hash);
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task InsertEventAsync(MemoryEvent e, CancellationToken cancellationToken)
    {
        using var command = Command(
            $"""
            INSERT INTO memory_events ({SqliteRows.EventColumns})
            VALUES ($tenant, $sequence, $event_id, $memory_id, $event_type, $stream_version, $occurred_at, $actor_kind, $actor_id, $reason, $payload, $payload_hash, $previous_hash, $hash)
            """);
        SqliteRows.AddEventParameters(command, e);
        await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task UpsertObjectAsync(MemoryRecord record, CancellationToken cancellationToken)
    {
        using var command = Command(
            """
            INSERT INTO memory_objects (id, tenant, type, scope_kind, team, agent, session, subject, status, created_at, updated_at, valid_from, valid_to,
                expires_at, version, content_hash, origin_content_hash, idempotency_key, metadata, text, record)
            VALUES ($id, $tenant, $type, $scope_kind, $team, $agent, $session, $subject, $status, $created_at, $updated_at, $valid_from, $valid_to,
                $expires_at, $version, $content_hash, $content_hash, $idempotency_key, $metadata, $text, $record)
            ON CONFLICT (id) DO UPDATE SET
                type = excluded.type, scope_kind = excluded.scope_kind, team = excluded.team, agent = excluded.agent, session = excluded.session,
                subject = excluded.subject, status = excluded.status, created_at = excluded.created_at, updated_at = excluded.updated_at,
                valid_from = excluded.valid_from, valid_to = excluded.valid_to, expires_at = excluded.expires_at, version = excluded.version,
                content_hash = excluded.content_hash, idempotency_key = excluded.idempotency_key, metadata = excluded.metadata,
                text = excluded.text, record = excluded.record
            WHERE memory_objects.tenant = excluded.tenant
            RETURNING rowid
            """);
        SqliteRows.AddObjectParameters(command, record);
        var rowId = await ExecuteWriteScalarAsync(command, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryConflictException(MemoryErrorCode.ImportConflict, $"Memory id {record.Id} already belongs to another tenant of this store.", record.Id);

        // A purged record (a tombstone) has no text and no full-text entry.
        using var fts = Command(
            "DELETE FROM memory_fts WHERE rowid = $rowid; INSERT INTO memory_fts (rowid, text) SELECT $rowid, $text WHERE $text <> '';");
        fts.Parameters.AddWithValue("$rowid", rowId);
        fts.Parameters.AddWithValue("$text", record.Value.Text);
        await ExecuteWriteAsync(fts, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task CommitCoreAsync(CancellationToken cancellationToken)
    {
        if (_contentRemoved)
        {
            // FTS5 records a delete as a marker in a new index segment; merging the segments drops the purged terms.
            using var optimize = Command("INSERT INTO memory_fts (memory_fts) VALUES ('optimize')");
            await ExecuteWriteAsync(optimize, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (StorageFailure(ex, _databasePath, atCommit: true) is { } failure)
        {
            throw failure;
        }

        _committed = true;
        if (_contentRemoved)
        {
            await CheckpointAfterPurgeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Best effort: copies the purge into the database file and empties the write-ahead log, which still holds the pages as
    /// they were. It does not wait: while another connection reads, the log is left to the next checkpoint rather than
    /// holding the writers' lock for the busy timeout. The purge is committed before this runs, so a disk that fails here
    /// is logged, not thrown: the caller must not believe a committed purge failed (the next checkpoint finishes the job).
    /// </summary>
    private async Task CheckpointAfterPurgeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var busy = _connection.CreateCommand();
            busy.CommandText = "PRAGMA busy_timeout";
            var busyTimeout = Convert.ToInt64(await busy.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            using var checkpoint = _connection.CreateCommand();
            checkpoint.CommandText = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = 0; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout = {busyTimeout}; PRAGMA secure_delete = OFF;");
            await checkpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            LogPurgeCheckpointFailed(_logger, ex, _databasePath);
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        try
        {
            if (!_committed)
            {
                await _transaction.RollbackAsync().ConfigureAwait(false);
            }

            await _transaction.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private async Task<int> ExecuteForMemoryAsync(string sql, string tenant, Guid id, CancellationToken cancellationToken)
    {
        using var command = Command(sql);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", SqliteRows.Id(id));
        return await ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns the SQLite errors that mean the disk refuses the write (full, read-only, failing) into a
    /// <see cref="MemoryException"/> that names the file and what to do; null for any other error. The transaction is rolled
    /// back when it is disposed, so nothing of the change is kept (except, possibly, after an I/O error at COMMIT).
    /// </summary>
    /// <param name="exception">The SQLite error.</param>
    /// <param name="databasePath">The database file.</param>
    /// <param name="atCommit">
    /// Whether the error came from COMMIT. In WAL mode an I/O error there may come after the commit record reached the log
    /// (a failing sync, or the automatic checkpoint that runs after the commit), so the change may be durable after all.
    /// </param>
    /// <returns>The error to throw instead, or null.</returns>
    internal static MemoryException? StorageFailure(SqliteException exception, string databasePath, bool atCommit = false) => exception.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_IOERR when atCommit => new MemoryException(
            MemoryErrorCode.Unavailable,
            $"The disk holding the memory store {databasePath} failed to write while committing ({exception.Message}): this change may not have been saved "
                + "(the write-ahead log may already hold it). Check the disk (space, permissions, errors in the system log), run 'skmem verify', "
                + "and look for the change before retrying it, so that it is not applied twice.",
            exception),
        SQLitePCL.raw.SQLITE_FULL => new MemoryException(
            MemoryErrorCode.Unavailable,
            $"The disk holding the memory store {databasePath} is full: this change was not saved, and the memories already stored are intact. "
                + "Free space on that disk (or move the store to a disk with room), then retry the change.",
            exception),
        SQLitePCL.raw.SQLITE_READONLY => new MemoryException(
            MemoryErrorCode.Unavailable,
            $"The memory store {databasePath} is read-only (the file, its folder or its disk refuse writes): this change was not saved; reads still work. "
                + "Make the file and its folder writable for this user (or remount the disk read-write), then retry the change.",
            exception),
        SQLitePCL.raw.SQLITE_IOERR => new MemoryException(
            MemoryErrorCode.Unavailable,
            $"The disk holding the memory store {databasePath} failed to write ({exception.Message}): this change was not saved. "
                + "Check the disk (space, permissions, errors in the system log), then retry the change; 'skmem verify' checks the store afterwards.",
            exception),
        _ => null,
    };

    /// <summary>
    /// Runs a statement that writes, turning a disk that refuses the write into a clear error (see <see cref="StorageFailure"/>).
    /// Every write made in this transaction, the side stores' included, goes through here or <see cref="ExecuteWriteScalarAsync"/>.
    /// </summary>
    internal async Task<int> ExecuteWriteAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (StorageFailure(ex, _databasePath) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Runs a statement that writes and returns a value (<c>RETURNING</c>), mapping disk errors as <see cref="ExecuteWriteAsync"/> does.</summary>
    internal async Task<object?> ExecuteWriteScalarAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (StorageFailure(ex, _databasePath) is { } failure)
        {
            throw failure;
        }
    }

    [LoggerMessage(5, LogLevel.Warning, "The purge is committed, but the checkpoint that copies it into {DatabasePath} and empties the write-ahead log failed; the next checkpoint retries it. Check the disk.")]
    private static partial void LogPurgeCheckpointFailed(ILogger logger, Exception exception, string databasePath);

    /// <summary>
    /// Creates a command in this transaction (the side stores write through it too): run a statement that writes with
    /// <see cref="ExecuteWriteAsync"/> or <see cref="ExecuteWriteScalarAsync"/>, so a full or read-only disk becomes a clear error.
    /// </summary>
    internal SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }
}
