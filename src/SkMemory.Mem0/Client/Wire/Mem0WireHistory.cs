namespace SkMemory.Mem0.Wire;

/// <summary>One history row of either API.</summary>
internal sealed class Mem0WireHistory
{
    public string? Id { get; set; }

    public string? MemoryId { get; set; }

    public string? OldMemory { get; set; }

    public string? NewMemory { get; set; }

    public string? Event { get; set; }

    public string? CreatedAt { get; set; }

    public string? UpdatedAt { get; set; }

    public bool? IsDeleted { get; set; }
}
