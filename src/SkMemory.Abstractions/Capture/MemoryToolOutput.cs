namespace SkMemory;

/// <summary>The output of a tool call given to an extractor (a CRM lookup, an order-status call…).</summary>
public sealed record MemoryToolOutput
{
    /// <summary>Gets the tool call id; candidates cite it as evidence.</summary>
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the output text (JSON or prose).</summary>
    public required string Text { get; init; }

    /// <summary>Gets when the tool returned it.</summary>
    public required DateTimeOffset ObservedAt { get; init; }
}
