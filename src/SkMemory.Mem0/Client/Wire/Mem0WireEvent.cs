using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>A Platform event (<c>GET /v1/event/{id}/</c>): the state of an asynchronous add.</summary>
internal sealed class Mem0WireEvent
{
    public string? Id { get; set; }

    public string? Status { get; set; }

    public JsonArray? Results { get; set; }

    public JsonNode? Error { get; set; }
}
