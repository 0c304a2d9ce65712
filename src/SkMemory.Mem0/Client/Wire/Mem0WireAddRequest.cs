using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>The add body of both APIs (the Platform's v3 add takes the entity ids top-level too).</summary>
internal sealed class Mem0WireAddRequest
{
    public required List<Mem0Message> Messages { get; set; }

    public string? UserId { get; set; }

    public string? AgentId { get; set; }

    public string? AppId { get; set; }

    public string? RunId { get; set; }

    public JsonObject? Metadata { get; set; }

    public bool? Infer { get; set; }

    public string? ExpirationDate { get; set; }

    // Unix seconds (Platform only).
    public long? Timestamp { get; set; }

    public bool? Immutable { get; set; }
}
