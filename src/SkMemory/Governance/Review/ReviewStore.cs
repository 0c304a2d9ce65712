using System.Text.Json;
using SkMemory.Storage;

namespace SkMemory.Governance.Review;

/// <summary>What every canonical store's <see cref="IMemoryReviewStore"/> shares: the checks and the request's JSON form. A backend supplies the SQL of <c>memory_review_items</c>.</summary>
internal abstract class ReviewStore : IMemoryReviewStore
{
    public Task AddAsync(MemoryReviewItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        MemoryRequestValidator.Tenant(item.Tenant);
        if (item.Request.Tenant != item.Tenant)
        {
            throw new MemoryValidationException("tenant", $"the held write is for tenant '{item.Request.Tenant}', not '{item.Tenant}'");
        }

        if (item.State != MemoryReviewState.Pending)
        {
            throw new MemoryValidationException("state", "a write is held as pending; decide it with DecideAsync");
        }

        return InsertAsync(item, JsonSerializer.Serialize(item.Request, MemoryJsonContext.Default.MemoryWriteRequest), cancellationToken);
    }

    public Task<MemoryReviewItem?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        return FindAsync(tenant, id, cancellationToken);
    }

    public Task<IReadOnlyList<MemoryReviewItem>> ListAsync(string tenant, MemoryReviewState? state = null, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        return ListRowsAsync(tenant, state is { } s ? MemoryJson.EnumName(s) : null, cancellationToken);
    }

    public Task<bool> DecideAsync(string tenant, Guid id, MemoryReviewState decision, MemoryActor by, string reason, Guid? memoryId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        MemoryRequestValidator.Actor(by);
        MemoryRequestValidator.Reason(reason, required: true);
        if (decision == MemoryReviewState.Pending)
        {
            throw new MemoryValidationException("decision", "a decision is approved or rejected");
        }

        return DecideRowAsync(tenant, id, MemoryJson.EnumName(decision), by, reason, memoryId, at, cancellationToken);
    }

    protected static MemoryWriteRequest ReadRequest(string json) =>
        JsonSerializer.Deserialize(json, MemoryJsonContext.Default.MemoryWriteRequest) ?? throw new InvalidOperationException("memory_review_items holds an empty request");

    protected static MemoryReviewState ReadState(string name) =>
        MemoryJson.TryParseEnum<MemoryReviewState>(name, out var state) ? state : throw new InvalidOperationException($"unknown review state '{name}'");

    protected abstract Task InsertAsync(MemoryReviewItem item, string requestJson, CancellationToken cancellationToken);

    protected abstract Task<MemoryReviewItem?> FindAsync(string tenant, Guid id, CancellationToken cancellationToken);

    protected abstract Task<IReadOnlyList<MemoryReviewItem>> ListRowsAsync(string tenant, string? state, CancellationToken cancellationToken);

    protected abstract Task<bool> DecideRowAsync(string tenant, Guid id, string decision, MemoryActor by, string reason, Guid? memoryId, DateTimeOffset at, CancellationToken cancellationToken);
}
