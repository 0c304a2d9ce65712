namespace SkMemory.Mem0.Wire;

/// <summary>The Platform's batch body: <c>{"memories":[...]}</c>, at most 1,000 items.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class Mem0WireBatchRequest<T>
{
    public required List<T> Memories { get; set; }
}
