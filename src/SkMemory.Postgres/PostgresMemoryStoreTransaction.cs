using System.Data;
using Npgsql;
using Pgvector;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// A Read Committed transaction that holds the row lock on its tenant's chain head (or an exclusive lock on every chain,
/// for import) from the moment it begins, so writers of one tenant are serialized and each sees the others' commits.
/// </summary>
internal sealed class PostgresMemoryStoreTransaction : MemoryStoreTransaction
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly PostgresNames _names;
    private readonly PostgresVectorIndexes _vectorIndexes;
    private readonly TimeProvider _timeProvider;
    private readonly List<(string Model, int Dimensions)> _createdIndexes = [];
    private bool _completed;

    private PostgresMemoryStoreTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresNames names, PostgresVectorIndexes vectorIndexes, TimeProvider timeProvider)
    {
        _connection = connection;
        _transaction = transaction;
        _names = names;
        _vectorIndexes = vectorIndexes;
        _timeProvider = timeProvider;
    }

    /// <summary>Begins a transaction and takes its lock: one tenant's chain head, or all chains when <paramref name="tenant"/> is null.</summary>
    public static async Task<PostgresMemoryStoreTransaction> BeginAsync(
        NpgsqlDataSource dataSource, PostgresNames names, PostgresVectorIndexes vectorIndexes, TimeProvider timeProvider, string? tenant, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        PostgresMemoryStoreTransaction tx;
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            tx = new PostgresMemoryStoreTransaction(connection, transaction, names, vectorIndexes, timeProvider);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            if (tenant is null)
            {
                // Blocks every writer (they take ROW SHARE / ROW EXCLUSIVE on the heads) but not plain readers.
                var command = tx.Command($"LOCK TABLE {names.Heads} IN EXCLUSIVE MODE");
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                // Take the tenant's lock now, before the engine's idempotency and duplicate checks, so those checks see
                // every write committed before this one.
                await tx.GetHeadAsync(tenant, cancellationToken).ConfigureAwait(false);
            }

            return tx;
        }
        catch
        {
            await tx.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var command = Command($"SELECT record FROM {_names.Objects} WHERE id = @id AND tenant = @tenant");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Add(command, "id", id);
            PostgresRows.Text(command, "tenant", tenant);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? MemoryJson.DeserializeRecord(json) : null;
        }
    }

    /// <inheritdoc />
    public override async Task<(MemoryRecord Record, string OriginContentHash)?> FindByIdempotencyKeyAsync(string tenant, string idempotencyKey, CancellationToken cancellationToken)
    {
        var command = Command($"SELECT record, origin_content_hash FROM {_names.Objects} WHERE tenant = @tenant AND idempotency_key = @key");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "key", idempotencyKey);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? (PostgresRows.ReadRecord(reader, 0), reader.GetString(1))
                    : null;
            }
        }
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord?> FindActiveByContentHashAsync(string tenant, string contentHash, CancellationToken cancellationToken)
    {
        var command = Command($"SELECT record FROM {_names.Objects} WHERE tenant = @tenant AND content_hash = @hash AND status = 'active' ORDER BY id LIMIT 1");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "hash", contentHash);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json ? MemoryJson.DeserializeRecord(json) : null;
        }
    }

    /// <inheritdoc />
    public override async Task SaveEmbeddingAsync(string tenant, Guid id, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken)
    {
        if (!_vectorIndexes.IsKnown(model, vector.Length)
            && !_createdIndexes.Contains((model, vector.Length))
            && await _vectorIndexes.EnsureAsync(_connection, _transaction, model, vector.Length, cancellationToken).ConfigureAwait(false))
        {
            _createdIndexes.Add((model, vector.Length));
        }

        var command = Command(
            $"""
            INSERT INTO {_names.Embeddings} (memory_id, model, dimensions, tenant, embedding, created_at)
            VALUES (@id, @model, @dimensions, @tenant, @embedding, @created_at)
            ON CONFLICT (memory_id, model, dimensions) DO UPDATE
            SET embedding = excluded.embedding, created_at = excluded.created_at
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Add(command, "id", id);
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", vector.Length);
            PostgresRows.Text(command, "tenant", tenant);
            command.Parameters.Add(new NpgsqlParameter { ParameterName = "embedding", Value = new Vector(vector) });
            PostgresRows.Time(command, "created_at", MemoryEventChain.TruncateToMicroseconds(_timeProvider.GetUtcNow()));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task DeleteEmbeddingsAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var command = Command($"DELETE FROM {_names.Embeddings} WHERE memory_id = @id AND tenant = @tenant");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Add(command, "id", id);
            PostgresRows.Text(command, "tenant", tenant);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task SetEmbeddingModelStateAsync(string model, int dimensions, MemoryEmbeddingModelState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = Command(
            $"""
            UPDATE {_names.EmbeddingModels} SET state = 'retired', updated_at = @now
            WHERE @state = 'serving' AND state = 'serving' AND NOT (model = @model AND dimensions = @dimensions);
            INSERT INTO {_names.EmbeddingModels} (model, dimensions, state, updated_at)
            SELECT DISTINCT model, dimensions, 'retired', @now FROM {_names.Embeddings}
            WHERE @state = 'serving' AND NOT (model = @model AND dimensions = @dimensions)
            ON CONFLICT (model, dimensions) DO NOTHING;
            INSERT INTO {_names.EmbeddingModels} (model, dimensions, state, updated_at) VALUES (@model, @dimensions, @state, @now)
            ON CONFLICT (model, dimensions) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at;
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", dimensions);
            PostgresRows.Text(command, "state", MemoryJson.EnumName(state));
            PostgresRows.Time(command, "now", now);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task DropEmbeddingModelAsync(string model, CancellationToken cancellationToken)
    {
        var command = Command($"DELETE FROM {_names.Embeddings} WHERE model = @model; DELETE FROM {_names.EmbeddingModels} WHERE model = @model;");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "model", model);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<string?> FindActiveLegalHoldAsync(string tenant, Guid id, string subject, CancellationToken cancellationToken)
    {
        var command = Command(
            $"""
            SELECT id FROM {_names.LegalHolds}
            WHERE tenant = @tenant AND released_at IS NULL AND (memory_id = @id OR subject = @subject)
            ORDER BY id LIMIT 1
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "id", id);
            PostgresRows.Text(command, "subject", subject);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<MemoryRecord>> ListSubjectAsync(string tenant, string subject, CancellationToken cancellationToken)
    {
        var command = Command($"SELECT record FROM {_names.Objects} WHERE tenant = @tenant AND subject = @subject ORDER BY id");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "subject", subject);
            return await PostgresMemoryStore.ReadRecordsAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<(int EventPayloads, int Embeddings, int FullTextRows)> RemoveContentAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var payloads = await ExecuteForMemoryAsync($"UPDATE {_names.Events} SET payload = NULL WHERE tenant = @tenant AND memory_id = @id AND payload IS NOT NULL", tenant, id, cancellationToken).ConfigureAwait(false);
        var embeddings = await ExecuteForMemoryAsync($"DELETE FROM {_names.Embeddings} WHERE tenant = @tenant AND memory_id = @id", tenant, id, cancellationToken).ConfigureAwait(false);

        // The full-text entry is the generated search_vector column: emptying the text empties it.
        var fullText = await ExecuteForMemoryAsync($"UPDATE {_names.Objects} SET \"text\" = '' WHERE tenant = @tenant AND id = @id AND \"text\" <> ''", tenant, id, cancellationToken).ConfigureAwait(false);
        return (payloads, embeddings, fullText);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<string>> ListVaultTokensAsync(string tenant, string? subject, CancellationToken cancellationToken)
    {
        var command = Command($"SELECT token FROM {_names.Vault} WHERE tenant = @tenant AND (@subject::text IS NULL OR subject = @subject) ORDER BY token");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "subject", subject);
            var tokens = new List<string>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    tokens.Add(reader.GetString(0));
                }
            }

            return tokens;
        }
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<string>> DeleteUnreferencedVaultTokensAsync(string tenant, IReadOnlyCollection<string> tokens, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        foreach (var token in tokens)
        {
            var command = Command(
                $"""
                DELETE FROM {_names.Vault} WHERE tenant = @tenant AND token = @token
                AND NOT EXISTS (SELECT 1 FROM {_names.Events} WHERE tenant = @tenant AND payload IS NOT NULL AND strpos(payload, @token) > 0)
                """);
            await using (command.ConfigureAwait(false))
            {
                PostgresRows.Text(command, "tenant", tenant);
                PostgresRows.Text(command, "token", token);
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
                {
                    deleted.Add(token);
                }
            }
        }

        return deleted;
    }

    /// <inheritdoc />
    public override async Task SaveAttestationAsync(MemoryDeletionAttestation attestation, string json, CancellationToken cancellationToken)
    {
        var command = Command($"INSERT INTO {_names.Attestations} (tenant, id, created_at, attestation) VALUES (@tenant, @id, @created_at, @attestation)");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", attestation.Tenant);
            PostgresRows.Text(command, "id", attestation.Id.ToString("D"));
            PostgresRows.Time(command, "created_at", attestation.PurgedAt);
            PostgresRows.Text(command, "attestation", json);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<(IReadOnlyList<Guid> WithText, IReadOnlyList<Guid> WithFullText, IReadOnlyList<Guid> WithEmbeddings)> FindPurgeResidueAsync(string tenant, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var array = ids.ToArray();
        var withText = await IdsAsync($"SELECT id FROM {_names.Objects} WHERE tenant = @tenant AND id = ANY(@ids) AND \"text\" <> '' ORDER BY id").ConfigureAwait(false);
        var withFullText = await IdsAsync($"SELECT id FROM {_names.Objects} WHERE tenant = @tenant AND id = ANY(@ids) AND search_vector <> ''::tsvector ORDER BY id").ConfigureAwait(false);
        var withEmbeddings = await IdsAsync($"SELECT DISTINCT memory_id FROM {_names.Embeddings} WHERE tenant = @tenant AND memory_id = ANY(@ids) ORDER BY memory_id").ConfigureAwait(false);
        return (withText, withFullText, withEmbeddings);

        async Task<IReadOnlyList<Guid>> IdsAsync(string sql)
        {
            var command = Command(sql);
            await using (command.ConfigureAwait(false))
            {
                PostgresRows.Text(command, "tenant", tenant);
                PostgresRows.Add(command, "ids", array);
                var found = new List<Guid>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        found.Add(reader.GetGuid(0));
                    }
                }

                return found;
            }
        }
    }

    /// <inheritdoc />
    protected override async Task<ChainHead?> LoadHeadAsync(string tenant, CancellationToken cancellationToken)
    {
        // The placeholder row gives a new tenant something to lock; it stays at sequence 0 (invisible) until a commit
        // saves a real head, and it disappears with a rollback.
        var command = Command(
            $"""
            INSERT INTO {_names.Heads} (tenant, sequence, hash) VALUES (@tenant, 0, @genesis) ON CONFLICT (tenant) DO NOTHING;
            SELECT sequence, hash FROM {_names.Heads} WHERE tenant = @tenant FOR UPDATE;
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "genesis", MemoryEventChain.GenesisHash);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"The chain head of tenant '{tenant}' vanished while being locked.");
                }

                var sequence = reader.GetInt64(0);
                return sequence == 0 ? null : new ChainHead(sequence, reader.GetString(1));
            }
        }
    }

    /// <inheritdoc />
    protected override async Task SaveHeadAsync(string tenant, ChainHead head, CancellationToken cancellationToken)
    {
        var command = Command(
            $"""
            INSERT INTO {_names.Heads} (tenant, sequence, hash) VALUES (@tenant, @sequence, @hash)
            ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence, hash = excluded.hash
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "sequence", head.Sequence);
            PostgresRows.Text(command, "hash", head.Hash);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task InsertEventAsync(MemoryEvent e, CancellationToken cancellationToken)
    {
        var command = Command(
            $"""
            INSERT INTO {_names.Events} ({PostgresRows.EventColumns})
            VALUES (@tenant, @sequence, @event_id, @memory_id, @event_type, @stream_version, @occurred_at, @actor_kind, @actor_id, @reason, @payload, @payload_hash, @previous_hash, @hash)
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.AddEventParameters(command, e);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task UpsertObjectAsync(MemoryRecord record, CancellationToken cancellationToken)
    {
        var command = Command(
            $"""
            INSERT INTO {_names.Objects} ({PostgresRows.ObjectColumns})
            VALUES (@id, @tenant, @type, @scope_kind, @team, @agent, @session, @subject, @status, @created_at, @updated_at,
                @valid_from, @valid_to, @expires_at, @version, @content_hash, @content_hash, @idempotency_key, @metadata, @text, @record)
            ON CONFLICT (id) DO UPDATE SET
                type = excluded.type, scope_kind = excluded.scope_kind, team = excluded.team,
                agent = excluded.agent, session = excluded.session, subject = excluded.subject, status = excluded.status,
                created_at = excluded.created_at, updated_at = excluded.updated_at, valid_from = excluded.valid_from,
                valid_to = excluded.valid_to, expires_at = excluded.expires_at, version = excluded.version,
                content_hash = excluded.content_hash, idempotency_key = excluded.idempotency_key, metadata = excluded.metadata,
                "text" = excluded."text", record = excluded.record
            WHERE {_names.Objects}.tenant = excluded.tenant
            RETURNING id
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.AddObjectParameters(command, record);

            // A memory never changes tenant: an id already used by another tenant updates nothing and returns no row.
            _ = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new MemoryConflictException(MemoryErrorCode.ImportConflict, $"Memory id {record.Id} already belongs to another tenant of this store.", record.Id);
        }
    }

    /// <inheritdoc />
    protected override async Task CommitCoreAsync(CancellationToken cancellationToken)
    {
        await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        foreach (var (model, dimensions) in _createdIndexes)
        {
            _vectorIndexes.MarkKnown(model, dimensions);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        try
        {
            if (!_completed)
            {
                _completed = true;
                try
                {
                    await _transaction.RollbackAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                    // The connection broke or the transaction is already over: the server has rolled back.
                }
            }

            await _transaction.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> ExecuteForMemoryAsync(string sql, string tenant, Guid id, CancellationToken cancellationToken)
    {
        var command = Command(sql);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);
}
