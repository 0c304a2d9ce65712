using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>An add response: the Platform's <c>{"event_id","status","results"?}</c> or the server's <c>{"results":[...]}</c>.</summary>
internal sealed class Mem0WireAddResponse
{
    public string? EventId { get; set; }

    public string? Status { get; set; }

    public string? Message { get; set; }

    // Loosely typed: items are {id, event, data:{memory}} or {id, memory, event} depending on the API and version.
    public JsonArray? Results { get; set; }
}
