using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace SkMemory.Storage;

/// <summary>The embedding index side of the engine: models per store, and the background switch from one to another.</summary>
public abstract partial class EventSourcedMemoryStore : IMemoryEmbeddingIndex
{
    private readonly SemaphoreSlim _reindexGate = new(1, 1);

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryEmbeddingModel>> GetModelsAsync(CancellationToken cancellationToken = default)
    {
        var active = await CountActiveAsync(cancellationToken).ConfigureAwait(false);
        var serving = _serving?.Model;
        var rows = await ReadEmbeddingModelsAsync(cancellationToken).ConfigureAwait(false);
        return rows
            .Select(row => new MemoryEmbeddingModel(
                row.Model,
                row.Dimensions,
                row.State ?? (row.Model == serving ? MemoryEmbeddingModelState.Serving : MemoryEmbeddingModelState.Unrecorded),
                row.Embedded,
                active,
                row.UpdatedAt))
            .OrderBy(m => m.State)
            .ThenBy(m => m.Model, StringComparer.Ordinal)
            .ThenBy(m => m.Dimensions)
            .ToList();
    }

    /// <inheritdoc />
    public async Task<MemoryReindexResult> ReindexAsync(IEmbeddingGenerator<string, Embedding<float>> generator, MemoryReindexOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        options ??= new MemoryReindexOptions();
        if (options.BatchSize is < 1 or > 4096)
        {
            throw new ArgumentException($"BatchSize must be between 1 and 4096; it is {options.BatchSize}.", nameof(options));
        }

        var model = options.Model ?? ModelNameOf(generator);
        if (string.IsNullOrWhiteSpace(model) || model.Length > 200)
        {
            throw new ArgumentException("The model name must be 1 to 200 characters and not blank.", nameof(options));
        }

        // One reindex at a time per store object; other processes are safe too (saves check each memory's content).
        await _reindexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var index = new EmbeddingIndex(generator, model);
            var previous = _serving;
            var dimensions = (await generator.GenerateAsync("dimension probe", cancellationToken: cancellationToken).ConfigureAwait(false)).Vector.Length;
            if (dimensions == 0)
            {
                throw new InvalidOperationException($"The embedding generator for '{model}' returned an empty vector.");
            }

            var isServing = previous?.Model == model;
            if (!isServing)
            {
                // Record the model serving now (a store records it only when it first reindexes), so the switch retires it.
                if (previous is not null)
                {
                    foreach (var row in (await ReadEmbeddingModelsAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Model == previous.Model && r.State is null))
                    {
                        await SetEmbeddingModelStateAsync(row.Model, row.Dimensions, MemoryEmbeddingModelState.Serving, Now(), cancellationToken).ConfigureAwait(false);
                    }
                }

                await SetEmbeddingModelStateAsync(model, dimensions, MemoryEmbeddingModelState.Building, Now(), cancellationToken).ConfigureAwait(false);
                _building = index;
            }

            LogReindexStarted(model, dimensions);
            long saved = 0;
            var active = await CountActiveAsync(cancellationToken).ConfigureAwait(false);
            var embedded = await CountEmbeddedAsync(model, dimensions, cancellationToken).ConfigureAwait(false);
            options.Progress?.Report(new MemoryReindexProgress(model, embedded, active, saved));
            try
            {
                // Passes in id order until one finds nothing missing: memories written meanwhile by processes that do
                // not have this model are picked up by the next pass.
                while (true)
                {
                    var savedThisPass = 0L;
                    Guid? after = null;
                    while (true)
                    {
                        var batch = await FindUnindexedAsync(model, dimensions, after, options.BatchSize, cancellationToken).ConfigureAwait(false);
                        if (batch.Count == 0)
                        {
                            break;
                        }

                        after = batch[^1].Id;
                        var vectors = await generator.GenerateAsync(batch.Select(m => m.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
                        if (vectors.Count != batch.Count || vectors.Any(v => v.Vector.Length != dimensions))
                        {
                            throw new InvalidOperationException($"The embedding generator for '{model}' returned {vectors.Count} vectors for {batch.Count} texts, or vectors of another dimension than {dimensions}.");
                        }

                        var count = await SaveReindexedAsync(model, batch, vectors, cancellationToken).ConfigureAwait(false);
                        savedThisPass += count;
                        saved += count;
                        embedded += count;
                        active = Math.Max(active, embedded);
                        options.Progress?.Report(new MemoryReindexProgress(model, embedded, active, saved));
                    }

                    if (savedThisPass == 0)
                    {
                        break;
                    }
                }

                active = await CountActiveAsync(cancellationToken).ConfigureAwait(false);
                embedded = await CountEmbeddedAsync(model, dimensions, cancellationToken).ConfigureAwait(false);
                var activated = isServing;
                if (!isServing && options.Activate)
                {
                    await SetEmbeddingModelStateAsync(model, dimensions, MemoryEmbeddingModelState.Serving, Now(), cancellationToken).ConfigureAwait(false);
                    _serving = index;
                    activated = true;
                    if (options.DropPrevious && previous is not null)
                    {
                        await DropEmbeddingsAsync(previous.Model, cancellationToken).ConfigureAwait(false);
                    }
                }

                LogReindexFinished(model, saved, embedded, active, activated);
                options.Progress?.Report(new MemoryReindexProgress(model, embedded, active, saved));
                return new MemoryReindexResult(model, dimensions, saved, embedded, active, activated, activated && !isServing ? previous?.Model : null, clock.Elapsed);
            }
            finally
            {
                if (ReferenceEquals(_building, index))
                {
                    _building = null;
                }
            }
        }
        finally
        {
            _reindexGate.Release();
        }
    }

    /// <summary>Lists the models that have embeddings or a registry row, with how many active memories each covers.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The models.</returns>
    protected abstract Task<IReadOnlyList<EmbeddingModelRow>> ReadEmbeddingModelsAsync(CancellationToken cancellationToken);

    /// <summary>Counts the active memories of every tenant.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The count.</returns>
    protected abstract Task<long> CountActiveAsync(CancellationToken cancellationToken);

    /// <summary>Counts the active memories that have an embedding of a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="dimensions">Its dimension.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The count.</returns>
    protected abstract Task<long> CountEmbeddedAsync(string model, int dimensions, CancellationToken cancellationToken);

    /// <summary>Finds active memories, of every tenant, that have no embedding of a model, in ascending id order.</summary>
    /// <param name="model">The model.</param>
    /// <param name="dimensions">Its dimension.</param>
    /// <param name="after">Only ids greater than this, when set.</param>
    /// <param name="limit">The most to return.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The memories, with the text to embed.</returns>
    protected abstract Task<IReadOnlyList<UnindexedMemory>> FindUnindexedAsync(string model, int dimensions, Guid? after, int limit, CancellationToken cancellationToken);

    private async Task SetEmbeddingModelStateAsync(string model, int dimensions, MemoryEmbeddingModelState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await tx.SetEmbeddingModelStateAsync(model, dimensions, state, now, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DropEmbeddingsAsync(string model, CancellationToken cancellationToken)
    {
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await tx.DropEmbeddingModelAsync(model, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> SaveReindexedAsync(string model, IReadOnlyList<UnindexedMemory> batch, GeneratedEmbeddings<Embedding<float>> vectors, CancellationToken cancellationToken)
    {
        // Under the writers' lock, and only for memories whose text is still the one embedded: an update that came in
        // between has already embedded its new text (or left it for the next pass).
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var saved = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var memory = batch[i];
            if (await tx.GetAsync(memory.Tenant, memory.Id, cancellationToken).ConfigureAwait(false) is { Status: MemoryStatus.Active } current
                && string.Equals(current.ContentHash, memory.ContentHash, StringComparison.Ordinal))
            {
                await tx.SaveEmbeddingAsync(memory.Tenant, memory.Id, model, vectors[i].Vector, cancellationToken).ConfigureAwait(false);
                saved++;
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return saved;
    }

    [LoggerMessage(10, LogLevel.Information, "Reindex with model {Model} ({Dimensions} dimensions) started.")]
    private partial void LogReindexStarted(string model, int dimensions);

    [LoggerMessage(11, LogLevel.Information, "Reindex with model {Model} finished: {Saved} embeddings saved, {Embedded} of {Active} active memories embedded, serving: {Activated}.")]
    private partial void LogReindexFinished(string model, long saved, long embedded, long active, bool activated);
}

/// <summary>A generator and the model name its embeddings are stored under.</summary>
/// <param name="Generator">The generator.</param>
/// <param name="Model">The model name.</param>
internal sealed record EmbeddingIndex(IEmbeddingGenerator<string, Embedding<float>> Generator, string Model);

/// <summary>An embedding of one model.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Vector">The vector.</param>
internal readonly record struct ModelEmbedding(string Model, ReadOnlyMemory<float> Vector);

/// <summary>A model a store has embeddings or a registry row for.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Dimensions">Its dimension.</param>
/// <param name="State">Its recorded state, or null when no reindex recorded it.</param>
/// <param name="Embedded">How many active memories have its embedding.</param>
/// <param name="UpdatedAt">When its state was recorded.</param>
public sealed record EmbeddingModelRow(string Model, int Dimensions, MemoryEmbeddingModelState? State, long Embedded, DateTimeOffset? UpdatedAt);

/// <summary>An active memory that has no embedding of some model yet.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Id">The id.</param>
/// <param name="ContentHash">Its content hash when read, to detect a change before the embedding is saved.</param>
/// <param name="Text">The text to embed.</param>
public sealed record UnindexedMemory(string Tenant, Guid Id, string ContentHash, string Text);
