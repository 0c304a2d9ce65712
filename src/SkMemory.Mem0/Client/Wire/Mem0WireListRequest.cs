using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>The Platform's v3 list body; the page and its size travel in the query string.</summary>
internal sealed class Mem0WireListRequest
{
    public required JsonObject Filters { get; set; }

    public bool? ShowExpired { get; set; }
}
