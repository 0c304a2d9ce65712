using System.Buffers.Binary;
using System.Data;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// The store's versioned schema. Applied at open inside one transaction under a transaction-level advisory lock derived
/// from the schema name, so processes that start at once apply each version exactly once.
/// </summary>
internal static class PostgresSchema
{
    // Serializes CREATE EXTENSION across every schema of the database (extensions are database-wide).
    private static readonly long ExtensionLockKey = LockKey("skmemory:extension:vector");

    // Append new versions; never edit a shipped one. {schema} is the quoted schema, {vector} the qualified vector type.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE {schema}.memory_chain_heads (
            tenant text NOT NULL PRIMARY KEY,
            sequence bigint NOT NULL,
            hash text NOT NULL
        );
        CREATE TABLE {schema}.memory_events (
            global_position bigserial PRIMARY KEY,
            tenant text NOT NULL,
            sequence bigint NOT NULL,
            event_id uuid NOT NULL UNIQUE,
            memory_id uuid NOT NULL,
            event_type text NOT NULL,
            stream_version bigint NOT NULL,
            occurred_at timestamptz NOT NULL,
            actor_kind text NOT NULL,
            actor_id text NOT NULL,
            reason text,
            payload text,
            payload_hash text NOT NULL,
            previous_hash text NOT NULL,
            hash text NOT NULL,
            UNIQUE (tenant, sequence)
        );
        CREATE INDEX ix_memory_events_memory ON {schema}.memory_events (tenant, memory_id, sequence);
        CREATE TABLE {schema}.memory_objects (
            id uuid NOT NULL PRIMARY KEY,
            tenant text NOT NULL,
            type text NOT NULL,
            scope_kind text NOT NULL,
            team text,
            agent text,
            session text,
            subject text NOT NULL,
            status text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            valid_from timestamptz NOT NULL,
            valid_to timestamptz,
            expires_at timestamptz,
            version bigint NOT NULL,
            content_hash text NOT NULL,
            origin_content_hash text NOT NULL,
            idempotency_key text,
            metadata jsonb NOT NULL,
            "text" text NOT NULL,
            record text NOT NULL,
            search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "text")) STORED
        );
        CREATE UNIQUE INDEX ux_memory_objects_idempotency ON {schema}.memory_objects (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_memory_objects_content ON {schema}.memory_objects (tenant, content_hash) WHERE status = 'active';
        CREATE INDEX ix_memory_objects_subject ON {schema}.memory_objects (tenant, subject, id);
        CREATE INDEX ix_memory_objects_tenant ON {schema}.memory_objects (tenant, id);
        CREATE INDEX ix_memory_objects_search ON {schema}.memory_objects USING gin (search_vector);
        CREATE INDEX ix_memory_objects_metadata ON {schema}.memory_objects USING gin (metadata jsonb_path_ops);
        CREATE TABLE {schema}.memory_embeddings (
            memory_id uuid NOT NULL,
            model text NOT NULL,
            dimensions integer NOT NULL,
            tenant text NOT NULL,
            embedding {vector} NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (memory_id, model, dimensions)
        );
        CREATE INDEX ix_memory_embeddings_model ON {schema}.memory_embeddings (tenant, model, dimensions);
        CREATE TABLE {schema}.memory_reads (
            id bigserial PRIMARY KEY,
            tenant text NOT NULL,
            memory_id uuid NOT NULL,
            reader_kind text NOT NULL,
            reader_id text NOT NULL,
            task text,
            score double precision,
            injected boolean NOT NULL,
            read_at timestamptz NOT NULL
        );
        CREATE INDEX ix_memory_reads_memory ON {schema}.memory_reads (tenant, memory_id);
        """,

        // 2: the embedding model registry, for reindexing from one model to another.
        """
        CREATE TABLE {schema}.memory_embedding_models (
            model text NOT NULL,
            dimensions integer NOT NULL,
            state text NOT NULL CHECK (state IN ('serving', 'building', 'retired')),
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (model, dimensions)
        );
        CREATE INDEX ix_memory_embeddings_model_id ON {schema}.memory_embeddings (model, dimensions, memory_id);
        """,

        // 3: ingestion jobs and the ledger of ingested items, so job status survives restarts and replays are recognized.
        // The job is text, not jsonb, so it reads back byte for byte; ids and keys sort in "C" (ordinal) order, as in SQLite.
        """
        CREATE TABLE {schema}.memory_ingestion_jobs (
            tenant text NOT NULL,
            id text COLLATE "C" NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'running', 'completed', 'failed')),
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            job text NOT NULL,
            PRIMARY KEY (tenant, id)
        );
        CREATE INDEX ix_memory_ingestion_jobs_created ON {schema}.memory_ingestion_jobs (tenant, created_at DESC, id DESC);
        CREATE INDEX ix_memory_ingestion_jobs_state ON {schema}.memory_ingestion_jobs (tenant, state, created_at DESC, id DESC);
        CREATE TABLE {schema}.memory_ingested_items (
            tenant text NOT NULL,
            item_key text COLLATE "C" NOT NULL,
            job_id text COLLATE "C" NOT NULL,
            ingested_at timestamptz NOT NULL,
            PRIMARY KEY (tenant, item_key)
        );
        """,

        // 4: governance. Reads say how they happened; denials, consents (current and every change), legal holds, the
        // redaction vault and deletion attestations live beside the memories so one transaction covers a purge.
        """
        ALTER TABLE {schema}.memory_reads ADD COLUMN operation text NOT NULL DEFAULT 'read';
        CREATE INDEX ix_memory_reads_reader ON {schema}.memory_reads (tenant, reader_kind, reader_id, read_at);
        CREATE TABLE {schema}.memory_access_denials (
            id bigserial PRIMARY KEY,
            tenant text NOT NULL,
            actor_kind text NOT NULL,
            actor_id text NOT NULL,
            operation text NOT NULL,
            memory_id uuid,
            subject text,
            scope text,
            reason text NOT NULL,
            detail text NOT NULL,
            denied_at timestamptz NOT NULL
        );
        CREATE INDEX ix_memory_access_denials_tenant ON {schema}.memory_access_denials (tenant, denied_at);
        CREATE TABLE {schema}.memory_consents (
            tenant text NOT NULL,
            subject text NOT NULL,
            scope_kind text NOT NULL,
            state text NOT NULL CHECK (state IN ('granted', 'revoked')),
            purpose text NOT NULL,
            expires_at timestamptz,
            changed_at timestamptz NOT NULL,
            actor_kind text NOT NULL,
            actor_id text NOT NULL,
            reason text,
            PRIMARY KEY (tenant, subject, scope_kind)
        );
        CREATE TABLE {schema}.memory_consent_changes (
            id bigserial PRIMARY KEY,
            tenant text NOT NULL,
            subject text NOT NULL,
            scope_kind text NOT NULL,
            state text NOT NULL CHECK (state IN ('granted', 'revoked')),
            purpose text NOT NULL,
            expires_at timestamptz,
            changed_at timestamptz NOT NULL,
            actor_kind text NOT NULL,
            actor_id text NOT NULL,
            reason text
        );
        CREATE INDEX ix_memory_consent_changes_subject ON {schema}.memory_consent_changes (tenant, subject, id);
        CREATE TABLE {schema}.memory_legal_holds (
            tenant text NOT NULL,
            id text COLLATE "C" NOT NULL,
            subject text,
            memory_id uuid,
            reason text NOT NULL,
            placed_by_kind text NOT NULL,
            placed_by_id text NOT NULL,
            placed_at timestamptz NOT NULL,
            released_at timestamptz,
            released_by_kind text,
            released_by_id text,
            PRIMARY KEY (tenant, id),
            CHECK ((subject IS NULL) <> (memory_id IS NULL))
        );
        CREATE TABLE {schema}.memory_vault (
            tenant text NOT NULL,
            token text COLLATE "C" NOT NULL,
            kind text NOT NULL,
            subject text,
            value text NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (tenant, token)
        );
        CREATE TABLE {schema}.memory_vault_reveals (
            id bigserial PRIMARY KEY,
            tenant text NOT NULL,
            token text COLLATE "C" NOT NULL,
            actor_kind text NOT NULL,
            actor_id text NOT NULL,
            reason text NOT NULL,
            revealed_at timestamptz NOT NULL
        );
        CREATE INDEX ix_memory_vault_reveals_token ON {schema}.memory_vault_reveals (tenant, token);
        CREATE TABLE {schema}.memory_attestations (
            tenant text NOT NULL,
            id text NOT NULL,
            created_at timestamptz NOT NULL,
            attestation text NOT NULL,
            PRIMARY KEY (tenant, id)
        );
        """,

        // v5: links to copies of memories in external systems (Mem0), beside the log they mirror.
        """
        CREATE TABLE {schema}.memory_external_links (
            system text NOT NULL,
            tenant text NOT NULL,
            memory_id uuid NOT NULL,
            external_id text COLLATE "C",
            synced_version bigint NOT NULL,
            last_error text,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (system, tenant, memory_id)
        );
        CREATE INDEX ix_memory_external_links_external ON {schema}.memory_external_links (system, external_id);
        """,

        // v6: API keys of the servers (MCP over HTTP, the Inspector); only a hash of each secret.
        """
        CREATE TABLE {schema}.memory_api_keys (
            id text COLLATE "C" NOT NULL PRIMARY KEY,
            tenant text NOT NULL,
            actor_kind text NOT NULL,
            actor_id text NOT NULL,
            roles text NOT NULL,
            teams text NOT NULL,
            acting_for text NOT NULL,
            scope_kinds text NOT NULL,
            label text,
            secret_hash text NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz,
            last_used_at timestamptz
        );
        CREATE INDEX ix_memory_api_keys_tenant ON {schema}.memory_api_keys (tenant, created_at);
        """,

        // v7: writes a review policy held, waiting for (or decided by) a reviewer; not memories yet, so not in the log.
        """
        CREATE TABLE {schema}.memory_review_items (
            tenant text NOT NULL,
            id uuid NOT NULL,
            request text NOT NULL,
            rule text NOT NULL,
            held_at timestamptz NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
            decided_by_kind text,
            decided_by_id text,
            decided_at timestamptz,
            decision_reason text,
            memory_id uuid,
            PRIMARY KEY (tenant, id)
        );
        """,
    ];

    /// <summary>Gets the schema version this code writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Gets the advisory lock key that guards a schema's migrations.</summary>
    public static long SchemaLockKey(string schema) => LockKey("skmemory:migrations:" + schema);

    /// <summary>
    /// Makes sure pgvector is installed, then brings <paramref name="schema"/> to <see cref="CurrentVersion"/>.
    /// </summary>
    /// <returns>The names to query with.</returns>
    public static async Task<PostgresNames> MigrateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            PostgresNames names;
            var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var vectorSchema = await VectorSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
                if (vectorSchema is null)
                {
                    await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({ExtensionLockKey})", cancellationToken).ConfigureAwait(false);
                    vectorSchema = await VectorSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
                    if (vectorSchema is null)
                    {
                        if (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')", cancellationToken).ConfigureAwait(false))
                        {
                            throw new InvalidOperationException(
                                "The PostgreSQL server has no pgvector extension ('vector'). Install pgvector on the server (on this project's machines: scripts/install-deps.sh), then open the store again.");
                        }

                        await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public", cancellationToken).ConfigureAwait(false);
                        vectorSchema = await VectorSchemaAsync(connection, cancellationToken).ConfigureAwait(false)
                            ?? throw new InvalidOperationException("CREATE EXTENSION vector succeeded but the extension is not visible.");
                    }
                }

                var vectorVersion = await ScalarAsync<string?>(connection, "SELECT extversion FROM pg_extension WHERE extname = 'vector'", cancellationToken).ConfigureAwait(false);
                names = new PostgresNames(schema, vectorSchema, SupportsIterativeScan(vectorVersion));
                var quoted = PostgresNames.Quote(schema);
                await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({SchemaLockKey(schema)})", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    $"""
                    CREATE SCHEMA IF NOT EXISTS {quoted};
                    CREATE TABLE IF NOT EXISTS {names.Migrations} (
                        version integer NOT NULL PRIMARY KEY,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    );
                    """,
                    cancellationToken).ConfigureAwait(false);

                var applied = new HashSet<int>();
                var command = new NpgsqlCommand($"SELECT version FROM {names.Migrations}", connection);
                await using (command.ConfigureAwait(false))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            applied.Add(reader.GetInt32(0));
                        }
                    }
                }

                if (applied.Count > 0 && applied.Max() > CurrentVersion)
                {
                    throw new InvalidOperationException(
                        $"The memory schema '{schema}' is at version {applied.Max()}, newer than this SkMemory ({CurrentVersion}). Upgrade SkMemory.");
                }

                for (var version = 1; version <= CurrentVersion; version++)
                {
                    if (applied.Contains(version))
                    {
                        continue;
                    }

                    var sql = Migrations[version - 1].Replace("{schema}", quoted, StringComparison.Ordinal).Replace("{vector}", names.VectorType, StringComparison.Ordinal);
                    await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, $"INSERT INTO {names.Migrations} (version) VALUES ({version})", cancellationToken).ConfigureAwait(false);
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            // The vector type may not have existed when this data source first loaded the server's types.
            await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
            return names;
        }
    }

    /// <summary>Gets whether a pgvector version (e.g. "0.8.0") has HNSW iterative scans (0.8.0 and later).</summary>
    internal static bool SupportsIterativeScan(string? version)
    {
        var numeric = version is null ? null : new string(version.TakeWhile(c => char.IsAsciiDigit(c) || c == '.').ToArray());
        return Version.TryParse(numeric, out var parsed) && (parsed.Major > 0 || parsed.Minor >= 8);
    }

    private static async Task<string?> VectorSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await ScalarAsync<string?>(
            connection,
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
            cancellationToken).ConfigureAwait(false);

    /// <summary>Runs a statement on the connection (outside any transaction) and returns its one value, or default for NULL or no row.</summary>
    internal static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? default! : (T)value;
        }
    }

    /// <summary>Runs statements on the connection (outside any transaction); <paramref name="commandTimeout"/> in seconds, 0 for none.</summary>
    internal static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, int? commandTimeout = null)
    {
        var command = new NpgsqlCommand(sql, connection);
        if (commandTimeout is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gets the advisory-lock key of a name: the first 64 bits of its SHA-256.</summary>
    internal static long LockKey(string text) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
