namespace SkMemory.Inspector.Pages;

/// <summary>What the browse page shows: the filters as given, and either a page of memories or search results.</summary>
internal sealed record BrowseView
{
    public string? Subject { get; init; }

    public string? Scope { get; init; }

    public string? Type { get; init; }

    public string Status { get; init; } = "active";

    public string? Text { get; init; }

    public IReadOnlyList<(MemoryRecord Record, double? Score)> Rows { get; init; } = [];

    public string? NextCursor { get; init; }

    public bool Filtered => Subject is not null || Scope is not null || Type is not null || Text is not null || Status != "active";
}
