using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>A Platform async operation (GET /v1/event/{id}/).</summary>
internal sealed class EmulatorEvent
{
    public required Guid Id { get; init; }

    public required string EventType { get; init; }

    public required JsonNode? Payload { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the work becomes visible (PENDING before that).</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>Gets or sets the deferred work; it returns the event's result items. Null once done.</summary>
    public Func<JsonArray>? Work { get; set; }

    public JsonArray Results { get; set; } = [];

    public DateTimeOffset? CompletedAt { get; set; }

    public bool Done => Work is null;
}
