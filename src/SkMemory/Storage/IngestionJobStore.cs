using System.Text.Json;

namespace SkMemory.Storage;

/// <summary>
/// What every canonical store's <see cref="IMemoryIngestionJobStore"/> shares, written once: the boundary checks, the
/// job's JSON form (the whole job, serialized with <see cref="MemoryJsonContext"/>, read back exactly as written) and the
/// errors. A backend supplies the SQL, on its own connections and write lock.
/// </summary>
/// <remarks>Thread-safe when the backend's primitives are.</remarks>
internal abstract class IngestionJobStore : IMemoryIngestionJobStore
{
    /// <summary>The most jobs one list returns.</summary>
    public const int MaxListLimit = 1000;

    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="IngestionJobStore"/> class.</summary>
    /// <param name="timeProvider">The store's clock, for the ledger's <c>ingested_at</c>.</param>
    protected IngestionJobStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public async Task CreateJobAsync(MemoryIngestionJob job, CancellationToken cancellationToken = default)
    {
        var row = ToRow(job);
        cancellationToken.ThrowIfCancellationRequested();
        if (!await InsertJobAsync(row, cancellationToken).ConfigureAwait(false))
        {
            throw new MemoryException(MemoryErrorCode.DuplicateContent, $"Ingestion job '{row.Id}' already exists in tenant '{row.Tenant}'.");
        }
    }

    /// <inheritdoc />
    public async Task SaveJobAsync(MemoryIngestionJob job, CancellationToken cancellationToken = default)
    {
        var row = ToRow(job);
        cancellationToken.ThrowIfCancellationRequested();
        if (!await UpdateJobAsync(row, null, cancellationToken).ConfigureAwait(false))
        {
            throw new MemoryException(MemoryErrorCode.NotFound, $"Ingestion job '{row.Id}' was not found in tenant '{row.Tenant}'.");
        }
    }

    /// <inheritdoc />
    public Task<bool> TrySaveJobAsync(MemoryIngestionJob job, DateTimeOffset expectedUpdatedAt, CancellationToken cancellationToken = default)
    {
        var row = ToRow(job);
        cancellationToken.ThrowIfCancellationRequested();
        return UpdateJobAsync(row, MemoryEventChain.TruncateToMicroseconds(expectedUpdatedAt), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<MemoryIngestionJob?> GetJobAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        MemoryRequestValidator.IngestionJobId(id, "id");
        cancellationToken.ThrowIfCancellationRequested();
        return await ReadJobAsync(tenant, id, cancellationToken).ConfigureAwait(false) is { } json ? FromJson(json) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryIngestionJob>> ListJobsAsync(string tenant, MemoryIngestionJobState? state = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        if (state is { } s && !Enum.IsDefined(s))
        {
            throw new MemoryValidationException("state", $"unknown ingestion job state {(int)s}");
        }

        if (limit is < 1 or > MaxListLimit)
        {
            throw new MemoryValidationException("limit", $"must be 1..{MaxListLimit}; it is {limit}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var rows = await ReadJobsAsync(tenant, state is { } filter ? MemoryJson.EnumName(filter) : null, limit, cancellationToken).ConfigureAwait(false);
        return rows.Select(FromJson).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindIngestedAsync(string tenant, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        var keys = DistinctKeys(itemKeys);
        cancellationToken.ThrowIfCancellationRequested();
        if (keys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var found = await ReadIngestedAsync(tenant, keys, cancellationToken).ConfigureAwait(false);
        return found.ToHashSet(StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public async Task MarkIngestedAsync(string tenant, string jobId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        MemoryRequestValidator.IngestionJobId(jobId, "job_id");
        var keys = DistinctKeys(itemKeys);
        cancellationToken.ThrowIfCancellationRequested();
        if (keys.Count == 0)
        {
            return;
        }

        var now = MemoryEventChain.TruncateToMicroseconds(_timeProvider.GetUtcNow());
        await InsertIngestedAsync(tenant, jobId, keys, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts a job unless (tenant, id) exists.</summary>
    /// <param name="row">The job's row.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether it was inserted.</returns>
    protected abstract Task<bool> InsertJobAsync(JobRow row, CancellationToken cancellationToken);

    /// <summary>Replaces an existing job's row (every column but the key), optionally only while it is at a version.</summary>
    /// <param name="row">The job's row.</param>
    /// <param name="expectedUpdatedAt">Replace only if the stored <c>updated_at</c> is this; any when null.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether a row was replaced.</returns>
    protected abstract Task<bool> UpdateJobAsync(JobRow row, DateTimeOffset? expectedUpdatedAt, CancellationToken cancellationToken);

    /// <summary>Reads a job's JSON.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON, or null.</returns>
    protected abstract Task<string?> ReadJobAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>Reads a tenant's jobs' JSON, <c>created_at</c> descending then <c>id</c> descending (ordinal).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="state">Only this state (its JSON name), when set.</param>
    /// <param name="limit">The most rows, 1..<see cref="MaxListLimit"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON of each job.</returns>
    protected abstract Task<IReadOnlyList<string>> ReadJobsAsync(string tenant, string? state, int limit, CancellationToken cancellationToken);

    /// <summary>Reads which keys the tenant's ledger holds; any number of keys.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="keys">Distinct, valid keys; at least one.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The keys found.</returns>
    protected abstract Task<IReadOnlyList<string>> ReadIngestedAsync(string tenant, IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>Adds keys to the tenant's ledger in one transaction, leaving keys already there (and their job) as they are.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="keys">Distinct, valid keys; at least one.</param>
    /// <param name="ingestedAt">When (UTC, microseconds).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task InsertIngestedAsync(string tenant, string jobId, IReadOnlyList<string> keys, DateTimeOffset ingestedAt, CancellationToken cancellationToken);

    private static JobRow ToRow(MemoryIngestionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        MemoryRequestValidator.Tenant(job.Tenant);
        MemoryRequestValidator.IngestionJobId(job.Id, "id");
        if (!Enum.IsDefined(job.State))
        {
            throw new MemoryValidationException("state", $"unknown ingestion job state {(int)job.State}");
        }

        if (job.Input is null)
        {
            throw new MemoryValidationException("input", "is required");
        }

        // A job runs its input in the input's tenant: one that names another tenant would write memories outside the job's.
        if (!string.Equals(job.Input.Tenant, job.Tenant, StringComparison.Ordinal))
        {
            throw new MemoryValidationException("input.tenant", $"must be the job's tenant '{job.Tenant}'; it is '{job.Input.Tenant}'");
        }

        return new JobRow(
            job.Tenant,
            job.Id,
            MemoryJson.EnumName(job.State),
            MemoryEventChain.TruncateToMicroseconds(job.CreatedAt),
            MemoryEventChain.TruncateToMicroseconds(job.UpdatedAt),
            JsonSerializer.Serialize(job, MemoryJsonContext.Default.MemoryIngestionJob));
    }

    private static MemoryIngestionJob FromJson(string json) =>
        JsonSerializer.Deserialize(json, MemoryJsonContext.Default.MemoryIngestionJob)
            ?? throw new InvalidDataException("An ingestion job row holds JSON null instead of a job.");

    private static List<string> DistinctKeys(IReadOnlyCollection<string> itemKeys)
    {
        ArgumentNullException.ThrowIfNull(itemKeys);
        var seen = new HashSet<string>(itemKeys.Count, StringComparer.Ordinal);
        var keys = new List<string>(itemKeys.Count);
        var i = 0;
        foreach (var key in itemKeys)
        {
            MemoryRequestValidator.IngestedItemKey(key, $"item_keys[{i++}]");
            if (seen.Add(key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    /// <summary>A job as the tables keep it: the key and list columns beside the job's JSON.</summary>
    /// <param name="Tenant">The tenant.</param>
    /// <param name="Id">The job id.</param>
    /// <param name="State">The state's JSON name.</param>
    /// <param name="CreatedAt">When it was created (UTC, microseconds).</param>
    /// <param name="UpdatedAt">When it last changed (UTC, microseconds).</param>
    /// <param name="Json">The whole job.</param>
    protected readonly record struct JobRow(string Tenant, string Id, string State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Json);
}
