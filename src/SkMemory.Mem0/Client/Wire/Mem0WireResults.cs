namespace SkMemory.Mem0.Wire;

/// <summary>The <c>{"results":[...]}</c> envelope of search and the self-hosted list.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class Mem0WireResults<T>
{
    public List<T>? Results { get; set; }
}
