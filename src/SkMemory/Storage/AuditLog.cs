namespace SkMemory.Storage;

/// <summary>What every canonical store's <see cref="IMemoryAuditLog"/> shares, written once: the boundary checks.</summary>
internal abstract class AuditLog : IMemoryAuditLog
{
    /// <summary>The most rows one listing returns.</summary>
    public const int MaxLimit = 10_000;

    public Task RecordReadsAsync(IReadOnlyList<MemoryReadEntry> reads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reads);
        foreach (var read in reads)
        {
            ArgumentNullException.ThrowIfNull(read, nameof(reads));
            MemoryRequestValidator.Tenant(read.Tenant);
            MemoryRequestValidator.Actor(read.Reader);
            ArgumentException.ThrowIfNullOrWhiteSpace(read.Operation, nameof(reads));
        }

        return reads.Count == 0 ? Task.CompletedTask : InsertReadsAsync(reads, cancellationToken);
    }

    public Task RecordDenialAsync(MemoryAccessDenial denial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(denial);
        MemoryRequestValidator.Tenant(denial.Tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(denial.Operation, nameof(denial));
        return InsertDenialAsync(denial, cancellationToken);
    }

    public Task<IReadOnlyList<MemoryReadEntry>> GetReadsAsync(string tenant, Guid memoryId, int limit = 1000, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        return SelectReadsAsync(tenant, memoryId, Limit(limit), cancellationToken);
    }

    public Task<IReadOnlyList<MemoryAccessDenial>> GetDenialsAsync(string tenant, int limit = 1000, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        return SelectDenialsAsync(tenant, Limit(limit), cancellationToken);
    }

    protected abstract Task InsertReadsAsync(IReadOnlyList<MemoryReadEntry> reads, CancellationToken cancellationToken);

    protected abstract Task InsertDenialAsync(MemoryAccessDenial denial, CancellationToken cancellationToken);

    /// <summary>Selects the newest <paramref name="limit"/> reads of a memory, returned oldest first.</summary>
    protected abstract Task<IReadOnlyList<MemoryReadEntry>> SelectReadsAsync(string tenant, Guid memoryId, int limit, CancellationToken cancellationToken);

    /// <summary>Selects the newest <paramref name="limit"/> denials, newest first.</summary>
    protected abstract Task<IReadOnlyList<MemoryAccessDenial>> SelectDenialsAsync(string tenant, int limit, CancellationToken cancellationToken);

    private static int Limit(int limit) =>
        limit is >= 1 and <= MaxLimit ? limit : throw new MemoryValidationException("limit", $"The limit must be between 1 and {MaxLimit}; it was {limit}.");
}
