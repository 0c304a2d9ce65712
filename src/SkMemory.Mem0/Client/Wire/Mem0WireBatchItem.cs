using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>One item of a Platform batch call; delete sends only <see cref="MemoryId"/>.</summary>
internal sealed class Mem0WireBatchItem
{
    public required string MemoryId { get; set; }

    public string? Text { get; set; }

    public JsonObject? Metadata { get; set; }
}
