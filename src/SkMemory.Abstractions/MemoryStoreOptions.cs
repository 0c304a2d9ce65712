using Microsoft.Extensions.AI;

namespace SkMemory;

/// <summary>Options shared by every event-sourced store.</summary>
public class MemoryStoreOptions
{
    /// <summary>The default limit on a value's size.</summary>
    public const int DefaultMaxValueBytes = 16 * 1024;

    /// <summary>Gets or sets the memory types the store accepts.</summary>
    public MemoryTypeRegistry Types { get; set; } = new();

    /// <summary>Gets or sets the largest value (UTF-8 text plus structured JSON) a write may carry, in bytes.</summary>
    public int MaxValueBytes { get; set; } = DefaultMaxValueBytes;

    /// <summary>
    /// Gets or sets the embedding generator used to index memories and embed search queries. Null disables the vector
    /// part of search (full text still works).
    /// </summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>
    /// Gets or sets the name under which embeddings are stored, keyed with their dimension. Defaults to the generator's
    /// model id, or its provider name.
    /// </summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>
    /// Gets or sets how long one embedding call (a write's text, a search's query) may take before the store treats the
    /// embedder as failing: the write is kept without its embedding (embedded later), a hybrid search falls back to full
    /// text. Default 30 seconds; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.
    /// </summary>
    public TimeSpan EmbeddingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how search results are fused, scored and reranked.</summary>
    public MemoryRetrievalOptions Retrieval { get; set; } = new();

    /// <summary>
    /// Gets or sets the key that signs the attestation every purge returns (ECDSA P-256, <c>ES256</c>). Null returns
    /// attestations unsigned; see docs/deletion.md for how to create and configure a key.
    /// </summary>
    public MemoryAttestationSigner? AttestationSigner { get; set; }

    /// <summary>Gets or sets the clock. Tests set a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options and throws a specific error for the first invalid one.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public virtual void Validate()
    {
        ArgumentNullException.ThrowIfNull(Types, nameof(Types));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(Retrieval, nameof(Retrieval));
        Retrieval.Validate();
        if (MaxValueBytes is < 64 or > 16 * 1024 * 1024)
        {
            throw new ArgumentException($"MaxValueBytes must be between 64 and 16777216; it is {MaxValueBytes}.", nameof(MaxValueBytes));
        }

        if (EmbeddingTimeout != Timeout.InfiniteTimeSpan && (EmbeddingTimeout <= TimeSpan.Zero || EmbeddingTimeout > TimeSpan.FromHours(1)))
        {
            throw new ArgumentException($"EmbeddingTimeout must be more than zero and at most one hour, or Timeout.InfiniteTimeSpan; it is {EmbeddingTimeout}.", nameof(EmbeddingTimeout));
        }
    }
}
