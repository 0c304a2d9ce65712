namespace SkMemory;

/// <summary>
/// Where ingestion jobs and the ledger of ingested items live: beside the memories, in the store's own database, so job
/// status survives restarts and a replay of the same input is recognized. Stores provide it through
/// <see cref="IMemoryStore.GetService"/>.
/// </summary>
/// <remarks>Thread-safe. Jobs are tenant-scoped: a job id is only found in its own tenant.</remarks>
public interface IMemoryIngestionJobStore
{
    /// <summary>Saves a new job.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the job is stored.</returns>
    /// <exception cref="MemoryException">A job with the same id exists in the tenant (<see cref="MemoryErrorCode.DuplicateContent"/>).</exception>
    Task CreateJobAsync(MemoryIngestionJob job, CancellationToken cancellationToken = default);

    /// <summary>Replaces a job's stored state.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the job is stored.</returns>
    /// <exception cref="MemoryException">The tenant has no such job (<see cref="MemoryErrorCode.NotFound"/>).</exception>
    Task SaveJobAsync(MemoryIngestionJob job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a job's stored state only if it is still the version the caller read (its <c>updated_at</c>): how a run
    /// claims a job atomically, so two processes never run the same job at once.
    /// </summary>
    /// <param name="job">The job's new state.</param>
    /// <param name="expectedUpdatedAt">The <see cref="MemoryIngestionJob.UpdatedAt"/> the caller read.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether the job was replaced; false when it changed since, or does not exist.</returns>
    Task<bool> TrySaveJobAsync(MemoryIngestionJob job, DateTimeOffset expectedUpdatedAt, CancellationToken cancellationToken = default);

    /// <summary>Gets a job.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The job, or null.</returns>
    Task<MemoryIngestionJob?> GetJobAsync(string tenant, string id, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's jobs, newest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="state">Only jobs in this state, when set.</param>
    /// <param name="limit">The most jobs to return, 1..1000.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The jobs.</returns>
    Task<IReadOnlyList<MemoryIngestionJob>> ListJobsAsync(string tenant, MemoryIngestionJobState? state = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Finds which of some item keys were already ingested in the tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="itemKeys">Keys naming an input item and its content (see the capture pipeline).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The keys already ingested.</returns>
    Task<IReadOnlySet<string>> FindIngestedAsync(string tenant, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken = default);

    /// <summary>Records item keys as ingested by a job; keys already recorded keep their first job.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="jobId">The job that ingested them.</param>
    /// <param name="itemKeys">The keys.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the keys are stored.</returns>
    Task MarkIngestedAsync(string tenant, string jobId, IReadOnlyCollection<string> itemKeys, CancellationToken cancellationToken = default);
}
