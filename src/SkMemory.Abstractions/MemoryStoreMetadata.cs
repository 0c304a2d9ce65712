namespace SkMemory;

/// <summary>Describes a memory store.</summary>
/// <param name="ProviderName">The backend's name, for example <c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Location">Where the data lives (a file path or a server), without secrets.</param>
/// <param name="EmbeddingModel">The embedding model searches use, if any.</param>
public sealed record MemoryStoreMetadata(string ProviderName, string? Location, string? EmbeddingModel);
