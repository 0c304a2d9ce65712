using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>The search body of both APIs; the entity ids go in <see cref="Filters"/> (top-level ids are deprecated on the server and refused by Platform v3).</summary>
internal sealed class Mem0WireSearchRequest
{
    public required string Query { get; set; }

    public required JsonObject Filters { get; set; }

    public int? TopK { get; set; }

    public double? Threshold { get; set; }

    public bool? ShowExpired { get; set; }
}
