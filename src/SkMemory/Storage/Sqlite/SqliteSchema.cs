using Microsoft.Data.Sqlite;

namespace SkMemory.Storage.Sqlite;

/// <summary>The embedded store's versioned schema, applied at open under the database's write lock.</summary>
internal static class SqliteSchema
{
    // Append new versions; never edit a shipped one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE memory_chain_heads (
            tenant TEXT NOT NULL PRIMARY KEY,
            sequence INTEGER NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE memory_events (
            global_position INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            event_id TEXT NOT NULL UNIQUE,
            memory_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            stream_version INTEGER NOT NULL,
            occurred_at TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            reason TEXT,
            payload TEXT,
            payload_hash TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            UNIQUE (tenant, sequence)
        );
        CREATE INDEX ix_memory_events_memory ON memory_events (tenant, memory_id, sequence);
        CREATE TABLE memory_objects (
            id TEXT NOT NULL PRIMARY KEY,
            tenant TEXT NOT NULL,
            type TEXT NOT NULL,
            scope_kind TEXT NOT NULL,
            team TEXT,
            agent TEXT,
            session TEXT,
            subject TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            valid_to TEXT,
            expires_at TEXT,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            origin_content_hash TEXT NOT NULL,
            idempotency_key TEXT,
            metadata TEXT NOT NULL,
            text TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE UNIQUE INDEX ux_memory_objects_idempotency ON memory_objects (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_memory_objects_content ON memory_objects (tenant, content_hash) WHERE status = 'active';
        CREATE INDEX ix_memory_objects_subject ON memory_objects (tenant, subject, id);
        CREATE INDEX ix_memory_objects_tenant ON memory_objects (tenant, id);
        CREATE VIRTUAL TABLE memory_fts USING fts5 (text, tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE memory_embeddings (
            memory_id TEXT NOT NULL,
            model TEXT NOT NULL,
            dimensions INTEGER NOT NULL,
            tenant TEXT NOT NULL,
            vector BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (memory_id, model, dimensions)
        );
        CREATE INDEX ix_memory_embeddings_model ON memory_embeddings (tenant, model, dimensions);
        CREATE TABLE memory_reads (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            memory_id TEXT NOT NULL,
            reader_kind TEXT NOT NULL,
            reader_id TEXT NOT NULL,
            task TEXT,
            score REAL,
            injected INTEGER NOT NULL,
            read_at TEXT NOT NULL
        );
        CREATE INDEX ix_memory_reads_memory ON memory_reads (tenant, memory_id);
        """,

        // 2: the embedding model registry, for reindexing from one model to another.
        """
        CREATE TABLE memory_embedding_models (
            model TEXT NOT NULL,
            dimensions INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('serving', 'building', 'retired')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (model, dimensions)
        );
        CREATE INDEX ix_memory_embeddings_model_id ON memory_embeddings (model, dimensions, memory_id);
        """,

        // 3: ingestion jobs and the ledger of ingested items, so job status survives restarts and replays are recognized.
        // Timestamps are MemoryEventChain.FormatTimestamp text (fixed-width UTC), so text order is time order.
        """
        CREATE TABLE memory_ingestion_jobs (
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'completed', 'failed')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            job TEXT NOT NULL,
            PRIMARY KEY (tenant, id)
        );
        CREATE INDEX ix_memory_ingestion_jobs_created ON memory_ingestion_jobs (tenant, created_at DESC, id DESC);
        CREATE INDEX ix_memory_ingestion_jobs_state ON memory_ingestion_jobs (tenant, state, created_at DESC, id DESC);
        CREATE TABLE memory_ingested_items (
            tenant TEXT NOT NULL,
            item_key TEXT NOT NULL,
            job_id TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            PRIMARY KEY (tenant, item_key)
        ) WITHOUT ROWID;
        """,

        // 4: governance. Reads say how they happened; denials, consents (current and every change), legal holds, the
        // redaction vault and deletion attestations live beside the memories so one transaction covers a purge.
        """
        ALTER TABLE memory_reads ADD COLUMN operation TEXT NOT NULL DEFAULT 'read';
        CREATE INDEX ix_memory_reads_reader ON memory_reads (tenant, reader_kind, reader_id, read_at);
        CREATE TABLE memory_access_denials (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            operation TEXT NOT NULL,
            memory_id TEXT,
            subject TEXT,
            scope TEXT,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL,
            denied_at TEXT NOT NULL
        );
        CREATE INDEX ix_memory_access_denials_tenant ON memory_access_denials (tenant, denied_at);
        CREATE TABLE memory_consents (
            tenant TEXT NOT NULL,
            subject TEXT NOT NULL,
            scope_kind TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('granted', 'revoked')),
            purpose TEXT NOT NULL,
            expires_at TEXT,
            changed_at TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            reason TEXT,
            PRIMARY KEY (tenant, subject, scope_kind)
        ) WITHOUT ROWID;
        CREATE TABLE memory_consent_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            subject TEXT NOT NULL,
            scope_kind TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('granted', 'revoked')),
            purpose TEXT NOT NULL,
            expires_at TEXT,
            changed_at TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            reason TEXT
        );
        CREATE INDEX ix_memory_consent_changes_subject ON memory_consent_changes (tenant, subject, id);
        CREATE TABLE memory_legal_holds (
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            subject TEXT,
            memory_id TEXT,
            reason TEXT NOT NULL,
            placed_by_kind TEXT NOT NULL,
            placed_by_id TEXT NOT NULL,
            placed_at TEXT NOT NULL,
            released_at TEXT,
            released_by_kind TEXT,
            released_by_id TEXT,
            PRIMARY KEY (tenant, id),
            CHECK ((subject IS NULL) <> (memory_id IS NULL))
        );
        CREATE TABLE memory_vault (
            tenant TEXT NOT NULL,
            token TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (tenant, token)
        ) WITHOUT ROWID;
        CREATE TABLE memory_vault_reveals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            token TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            revealed_at TEXT NOT NULL
        );
        CREATE INDEX ix_memory_vault_reveals_token ON memory_vault_reveals (tenant, token);
        CREATE TABLE memory_attestations (
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attestation TEXT NOT NULL,
            PRIMARY KEY (tenant, id)
        );
        """,

        // v5: links to copies of memories in external systems (Mem0), beside the log they mirror.
        """
        CREATE TABLE memory_external_links (
            system TEXT NOT NULL,
            tenant TEXT NOT NULL,
            memory_id TEXT NOT NULL,
            external_id TEXT,
            synced_version INTEGER NOT NULL,
            last_error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (system, tenant, memory_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_memory_external_links_external ON memory_external_links (system, external_id);
        """,

        // v6: API keys of the servers (MCP over HTTP, the Inspector); only a hash of each secret.
        """
        CREATE TABLE memory_api_keys (
            id TEXT NOT NULL PRIMARY KEY,
            tenant TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            roles TEXT NOT NULL,
            teams TEXT NOT NULL,
            acting_for TEXT NOT NULL,
            scope_kinds TEXT NOT NULL,
            label TEXT,
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            last_used_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX ix_memory_api_keys_tenant ON memory_api_keys (tenant, created_at);
        """,

        // v7: writes a review policy held, waiting for (or decided by) a reviewer; not memories yet, so not in the log.
        """
        CREATE TABLE memory_review_items (
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            request TEXT NOT NULL,
            rule TEXT NOT NULL,
            held_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
            decided_by_kind TEXT,
            decided_by_id TEXT,
            decided_at TEXT,
            decision_reason TEXT,
            memory_id TEXT,
            PRIMARY KEY (tenant, id)
        ) WITHOUT ROWID;
        """,
    ];

    /// <summary>Gets the schema version this code writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; safe when several processes open it at once.</summary>
    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // WAL is a property of the file: set once, outside any transaction.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        if (await UserVersionAsync(connection, null, cancellationToken).ConfigureAwait(false) == CurrentVersion)
        {
            return;
        }

        var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var version = await UserVersionAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException($"The memory database is at schema version {version}, newer than this SkMemory ({CurrentVersion}). Upgrade SkMemory.");
        }

        for (var v = version; v < CurrentVersion; v++)
        {
            await ExecuteAsync(connection, tx, Migrations[v], cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, tx, $"PRAGMA user_version = {CurrentVersion};", cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> UserVersionAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "PRAGMA user_version;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
