namespace SkMemory.Mem0.Wire;

/// <summary>The Platform's page envelope: <c>{"count","next","previous","results"}</c>.</summary>
internal sealed class Mem0WirePage
{
    public int? Count { get; set; }

    public string? Next { get; set; }

    public string? Previous { get; set; }

    public List<Mem0WireMemory>? Results { get; set; }
}
