namespace SkMemory.SemanticKernel;

/// <summary>The store as registered (below the policy, for capture) and as the surfaces use it (governed).</summary>
internal sealed record SkMemoryStores(IMemoryStore Raw, IMemoryStore Governed);
