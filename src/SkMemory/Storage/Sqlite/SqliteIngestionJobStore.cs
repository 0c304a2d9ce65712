using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SkMemory.Storage.Sqlite;

/// <summary>
/// Ingestion jobs and the ingested-item ledger in the embedded store's own file: reads on the store's pooled connections,
/// writes in its write transactions (the file's write lock, the same one the event log takes).
/// </summary>
internal sealed class SqliteIngestionJobStore : IngestionJobStore
{
    // Keys go to SQLite as one JSON array read with json_each: any number of keys in one statement, with no
    // bound-parameter limit to chunk around. Non-ASCII text is written as is, so SQLite's JSON parser only has to undo
    // the escapes of quotes, backslashes and control characters.
    private static readonly JsonWriterOptions KeysJsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly SqliteMemoryStore _store;

    public SqliteIngestionJobStore(SqliteMemoryStore store)
        : base(store.TimeProvider)
    {
        _store = store;
    }

    protected override async Task<bool> InsertJobAsync(JobRow row, CancellationToken cancellationToken)
    {
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(
                """
                INSERT INTO memory_ingestion_jobs (tenant, id, state, created_at, updated_at, job)
                VALUES ($tenant, $id, $state, $created_at, $updated_at, $job)
                ON CONFLICT (tenant, id) DO NOTHING
                """);
            AddJobParameters(command, row);
            var inserted = await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false) == 1;
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return inserted;
        }
    }

    protected override async Task<bool> UpdateJobAsync(JobRow row, DateTimeOffset? expectedUpdatedAt, CancellationToken cancellationToken)
    {
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(
                """
                UPDATE memory_ingestion_jobs SET state = $state, created_at = $created_at, updated_at = $updated_at, job = $job
                WHERE tenant = $tenant AND id = $id AND ($expected IS NULL OR updated_at = $expected)
                """);
            AddJobParameters(command, row);
            command.Parameters.AddWithValue("$expected", expectedUpdatedAt is { } expected ? SqliteRows.Timestamp(expected) : DBNull.Value);
            var updated = await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false) == 1;
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return updated;
        }
    }

    protected override async Task<string?> ReadJobAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT job FROM memory_ingestion_jobs WHERE tenant = $tenant AND id = $id";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    protected override async Task<IReadOnlyList<string>> ReadJobsAsync(string tenant, string? state, int limit, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            $"""
            SELECT job FROM memory_ingestion_jobs
            WHERE tenant = $tenant{(state is null ? string.Empty : " AND state = $state")}
            ORDER BY created_at DESC, id DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$limit", limit);
        if (state is not null)
        {
            command.Parameters.AddWithValue("$state", state);
        }

        return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task<IReadOnlyList<string>> ReadIngestedAsync(string tenant, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT item_key FROM memory_ingested_items
            WHERE tenant = $tenant AND item_key IN (SELECT value FROM json_each($keys))
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$keys", KeysJson(keys));
        return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    protected override async Task InsertIngestedAsync(string tenant, string jobId, IReadOnlyList<string> keys, DateTimeOffset ingestedAt, CancellationToken cancellationToken)
    {
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            // "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join in the SELECT.
            using var command = tx.Command(
                """
                INSERT INTO memory_ingested_items (tenant, item_key, job_id, ingested_at)
                SELECT $tenant, value, $job_id, $ingested_at FROM json_each($keys) WHERE true
                ON CONFLICT (tenant, item_key) DO NOTHING
                """);
            command.Parameters.AddWithValue("$tenant", tenant);
            command.Parameters.AddWithValue("$job_id", jobId);
            command.Parameters.AddWithValue("$ingested_at", SqliteRows.Timestamp(ingestedAt));
            command.Parameters.AddWithValue("$keys", KeysJson(keys));
            await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddJobParameters(SqliteCommand command, JobRow row)
    {
        command.Parameters.AddWithValue("$tenant", row.Tenant);
        command.Parameters.AddWithValue("$id", row.Id);
        command.Parameters.AddWithValue("$state", row.State);
        command.Parameters.AddWithValue("$created_at", SqliteRows.Timestamp(row.CreatedAt));
        command.Parameters.AddWithValue("$updated_at", SqliteRows.Timestamp(row.UpdatedAt));
        command.Parameters.AddWithValue("$job", row.Json);
    }

    private static string KeysJson(IReadOnlyList<string> keys)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, KeysJsonOptions))
        {
            writer.WriteStartArray();
            foreach (var key in keys)
            {
                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
