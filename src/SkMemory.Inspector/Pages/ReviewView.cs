namespace SkMemory.Inspector.Pages;

/// <summary>What the review page shows: the policy, the pending items, the recently decided ones, and a notice.</summary>
internal sealed record ReviewView
{
    public MemoryReviewPolicy? Policy { get; init; }

    public IReadOnlyList<MemoryReviewItem> Pending { get; init; } = [];

    public IReadOnlyList<MemoryReviewItem> Decided { get; init; } = [];

    public string? Notice { get; init; }

    public Guid? NoticeMemoryId { get; init; }
}
