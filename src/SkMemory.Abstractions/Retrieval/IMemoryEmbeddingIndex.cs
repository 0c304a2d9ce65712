using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace SkMemory;

/// <summary>
/// The embeddings a store keeps beside its memories, per model and dimension, and the switch from one model to another.
/// Stores that index their own memories provide it through <see cref="IMemoryStore.GetService"/>.
/// </summary>
/// <remarks>
/// A reindex never rewrites a memory or an event: embeddings are derived data, keyed by memory id, model and dimension.
/// While a new model is being built the serving model keeps answering searches; new writes are embedded with both.
/// </remarks>
public interface IMemoryEmbeddingIndex
{
    /// <summary>Gets the model searches use now, or null when the store has no embedding generator.</summary>
    string? ServingModel { get; }

    /// <summary>
    /// Reads the model the store records as serving (the last one a reindex switched to), without counting anything, so a
    /// process can choose its embedder before it embeds.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The model, or null when no reindex has recorded one.</returns>
    Task<string?> GetRecordedServingModelAsync(CancellationToken cancellationToken = default);

    /// <summary>Makes searches and writes of this store object use <paramref name="generator"/> from now on.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="model">The name its embeddings are stored under; the generator's model id by default.</param>
    void ServeWith(IEmbeddingGenerator<string, Embedding<float>> generator, string? model = null);

    /// <summary>Lists the models the store has embeddings or a reindex record for, with how complete each is.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The models, serving first.</returns>
    Task<IReadOnlyList<MemoryEmbeddingModel>> GetModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Embeds every active memory that has no embedding of <paramref name="generator"/>'s model yet, in batches, and then
    /// (unless <see cref="MemoryReindexOptions.Activate"/> is false) makes it the serving model. Resumable: a cancelled or
    /// failed run keeps what it saved, and running it again continues where it stopped.
    /// </summary>
    /// <param name="generator">The new model's generator.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was done.</returns>
    Task<MemoryReindexResult> ReindexAsync(IEmbeddingGenerator<string, Embedding<float>> generator, MemoryReindexOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts the active memories, of every tenant, that have no embedding of the serving model yet: written while the
    /// embedder was failing (the write is kept and embedded later), or before the model served.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The count; 0 when the store has no embedding generator.</returns>
    Task<long> CountPendingEmbeddingsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Embeds now, with the serving model, every active memory that is pending an embedding. The store also does this on
    /// its own, in the background, once the embedder works again; this is for operators and tests that want it done now.
    /// Writes no event: embeddings are an index, not history.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>How many were embedded and how many are still pending.</returns>
    /// <exception cref="MemoryException">The store has no embedding generator (<see cref="MemoryErrorCode.NotSupported"/>), or it is still failing (<see cref="MemoryErrorCode.Unavailable"/>).</exception>
    Task<MemoryPendingEmbeddingResult> EmbedPendingAsync(CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IMemoryEmbeddingIndex.EmbedPendingAsync"/> did.</summary>
/// <param name="Model">The serving model the memories were embedded with.</param>
/// <param name="Embedded">Embeddings saved by this call.</param>
/// <param name="Pending">Active memories still without an embedding of the model (written meanwhile, or changed while being embedded).</param>
public sealed record MemoryPendingEmbeddingResult(string Model, long Embedded, long Pending);

/// <summary>Where a model stands in a store.</summary>
public enum MemoryEmbeddingModelState
{
    /// <summary>Searches use it.</summary>
    [JsonStringEnumMemberName("serving")]
    Serving,

    /// <summary>A reindex is building it (or stopped before finishing); searches do not use it yet.</summary>
    [JsonStringEnumMemberName("building")]
    Building,

    /// <summary>It served before another model took over; its embeddings are kept until dropped.</summary>
    [JsonStringEnumMemberName("retired")]
    Retired,

    /// <summary>Embeddings exist but no reindex recorded the model (written by a store configured with it).</summary>
    [JsonStringEnumMemberName("unrecorded")]
    Unrecorded,
}

/// <summary>One embedding model in a store.</summary>
/// <param name="Model">The model name embeddings are stored under.</param>
/// <param name="Dimensions">The embedding dimension.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Embedded">How many active memories have an embedding of it.</param>
/// <param name="Active">How many active memories the store has.</param>
/// <param name="UpdatedAt">When its state last changed, when recorded.</param>
public sealed record MemoryEmbeddingModel(string Model, int Dimensions, MemoryEmbeddingModelState State, long Embedded, long Active, DateTimeOffset? UpdatedAt)
{
    /// <summary>Gets whether every active memory has an embedding of this model.</summary>
    public bool IsComplete => Embedded >= Active;
}

/// <summary>Options of <see cref="IMemoryEmbeddingIndex.ReindexAsync"/>.</summary>
public sealed class MemoryReindexOptions
{
    /// <summary>Gets or sets the name to store the embeddings under; defaults to the generator's model id.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets how many memories are embedded and saved together. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Gets or sets whether the model becomes the serving one when it is complete. Default true.</summary>
    public bool Activate { get; set; } = true;

    /// <summary>Gets or sets whether the previous serving model's embeddings are deleted after the switch. Default false.</summary>
    public bool DropPrevious { get; set; }

    /// <summary>Gets or sets where progress is reported, after every batch.</summary>
    public IProgress<MemoryReindexProgress>? Progress { get; set; }
}

/// <summary>Progress of a reindex.</summary>
/// <param name="Model">The model being built.</param>
/// <param name="Embedded">Active memories that have its embedding now.</param>
/// <param name="Active">Active memories in the store.</param>
/// <param name="EmbeddedThisRun">Embeddings this run has saved so far.</param>
public sealed record MemoryReindexProgress(string Model, long Embedded, long Active, long EmbeddedThisRun);

/// <summary>What a reindex did.</summary>
/// <param name="Model">The model.</param>
/// <param name="Dimensions">Its dimension.</param>
/// <param name="EmbeddedThisRun">Embeddings this run saved.</param>
/// <param name="Embedded">Active memories that have its embedding.</param>
/// <param name="Active">Active memories in the store.</param>
/// <param name="Activated">Whether it is now the serving model.</param>
/// <param name="PreviousModel">The model that served before, when it changed.</param>
/// <param name="Elapsed">How long the run took.</param>
/// <param name="AlreadyServing">Whether the model already served before the run (it only filled in missing embeddings).</param>
public sealed record MemoryReindexResult(string Model, int Dimensions, long EmbeddedThisRun, long Embedded, long Active, bool Activated, string? PreviousModel, TimeSpan Elapsed, bool AlreadyServing = false);
