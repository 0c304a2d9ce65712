using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// Ingestion jobs and the ingested-item ledger in the store's own schema, on the store's data source. Every write is one
/// statement, so it is atomic without an explicit transaction, and takes no chain lock: jobs are not events.
/// </summary>
internal sealed class PostgresIngestionJobStore : IngestionJobStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;

    public PostgresIngestionJobStore(NpgsqlDataSource dataSource, PostgresNames names, TimeProvider timeProvider)
        : base(timeProvider)
    {
        _dataSource = dataSource;
        _names = names;
    }

    protected override async Task<bool> InsertJobAsync(JobRow row, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            INSERT INTO {_names.IngestionJobs} (tenant, id, state, created_at, updated_at, job)
            VALUES (@tenant, @id, @state, @created_at, @updated_at, @job)
            ON CONFLICT (tenant, id) DO NOTHING
            """);
        await using (command.ConfigureAwait(false))
        {
            AddJobParameters(command, row);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    protected override async Task<bool> UpdateJobAsync(JobRow row, DateTimeOffset? expectedUpdatedAt, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            UPDATE {_names.IngestionJobs} SET state = @state, created_at = @created_at, updated_at = @updated_at, job = @job
            WHERE tenant = @tenant AND id = @id{(expectedUpdatedAt is null ? string.Empty : " AND updated_at = @expected")}
            """);
        await using (command.ConfigureAwait(false))
        {
            AddJobParameters(command, row);
            if (expectedUpdatedAt is { } expected)
            {
                PostgresRows.Time(command, "expected", expected);
            }

            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    protected override async Task<string?> ReadJobAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT job FROM {_names.IngestionJobs} WHERE tenant = @tenant AND id = @id");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "id", id);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
    }

    protected override async Task<IReadOnlyList<string>> ReadJobsAsync(string tenant, string? state, int limit, CancellationToken cancellationToken)
    {
        // Two statements rather than "@state IS NULL OR state = @state", so each one's plan can use its own index.
        var command = _dataSource.CreateCommand(
            $"""
            SELECT job FROM {_names.IngestionJobs}
            WHERE tenant = @tenant{(state is null ? string.Empty : " AND state = @state")}
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Add(command, "limit", limit);
            if (state is not null)
            {
                PostgresRows.Text(command, "state", state);
            }

            return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<IReadOnlyList<string>> ReadIngestedAsync(string tenant, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        // One array parameter holds any number of keys.
        var command = _dataSource.CreateCommand($"SELECT item_key FROM {_names.IngestedItems} WHERE tenant = @tenant AND item_key = ANY(@keys)");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.TextArray(command, "keys", keys);
            return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task InsertIngestedAsync(string tenant, string jobId, IReadOnlyList<string> keys, DateTimeOffset ingestedAt, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            INSERT INTO {_names.IngestedItems} (tenant, item_key, job_id, ingested_at)
            SELECT @tenant, k, @job_id, @ingested_at FROM unnest(@keys) AS k
            ON CONFLICT (tenant, item_key) DO NOTHING
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "job_id", jobId);
            PostgresRows.Time(command, "ingested_at", ingestedAt);
            PostgresRows.TextArray(command, "keys", keys);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddJobParameters(NpgsqlCommand command, JobRow row)
    {
        PostgresRows.Text(command, "tenant", row.Tenant);
        PostgresRows.Text(command, "id", row.Id);
        PostgresRows.Text(command, "state", row.State);
        PostgresRows.Time(command, "created_at", row.CreatedAt);
        PostgresRows.Time(command, "updated_at", row.UpdatedAt);
        PostgresRows.Text(command, "job", row.Json);
    }

    private static async Task<IReadOnlyList<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                values.Add(reader.GetString(0));
            }
        }

        return values;
    }
}
