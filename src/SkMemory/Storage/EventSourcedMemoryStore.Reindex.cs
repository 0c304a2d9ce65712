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
        var rows = await ReadEmbeddingModelsAsync(cancellationToken).ConfigureAwait(false);
        var serving = ServingModelOf(rows);
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
    public async Task<string?> GetRecordedServingModelAsync(CancellationToken cancellationToken = default) =>
        await ReadRecordedServingModelAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public void ServeWith(IEmbeddingGenerator<string, Embedding<float>> generator, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _serving = new EmbeddingIndex(generator, model ?? ModelNameOf(generator));
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
            var dimensions = await DimensionsOfAsync(index, cancellationToken).ConfigureAwait(false);
            var previous = ServingModelOf(await ReadEmbeddingModelsAsync(cancellationToken).ConfigureAwait(false));
            var isServing = previous == model;
            if (!isServing)
            {
                await SetEmbeddingModelStateAsync(model, dimensions, MemoryEmbeddingModelState.Building, cancellationToken).ConfigureAwait(false);
                _building = index;
            }

            LogReindexStarted(model, dimensions);
            var active = await CountActiveAsync(cancellationToken).ConfigureAwait(false);
            var embedded = await CountEmbeddedAsync(model, dimensions, cancellationToken).ConfigureAwait(false);
            long saved = 0;
            options.Progress?.Report(new MemoryReindexProgress(model, embedded, active, saved));
            try
            {
                var activated = isServing;
                while (true)
                {
                    await FillMissingAsync(index, options.BatchSize, asWriteIndex: false, count =>
                    {
                        saved += count;
                        embedded += count;
                        active = Math.Max(active, embedded);
                        options.Progress?.Report(new MemoryReindexProgress(model, embedded, active, saved));
                    }, cancellationToken).ConfigureAwait(false);

                    if (isServing || !options.Activate || await TryActivateAsync(index, dimensions, cancellationToken).ConfigureAwait(false))
                    {
                        activated |= !isServing && options.Activate;
                        break;
                    }

                    // A write from another process came in after the last pass: embed it too, then try again.
                }

                if (activated && !isServing && options.DropPrevious && previous is not null)
                {
                    await DropEmbeddingsAsync(previous, cancellationToken).ConfigureAwait(false);
                }

                active = await CountActiveAsync(cancellationToken).ConfigureAwait(false);
                embedded = await CountEmbeddedAsync(model, dimensions, cancellationToken).ConfigureAwait(false);
                LogReindexFinished(model, saved, embedded, active, activated);
                options.Progress?.Report(new MemoryReindexProgress(model, embedded, active, saved));
                return new MemoryReindexResult(model, dimensions, saved, embedded, active, activated, activated && !isServing ? previous : null, clock.Elapsed, isServing);
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

    /// <summary>Reads the model the registry records as serving, without counting anything.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The model, or null when no reindex recorded one.</returns>
    protected abstract Task<string?> ReadRecordedServingModelAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The model that serves: the one the registry records; else this store object's; else, in a store no reindex has
    /// touched, the one model that has embeddings.
    /// </summary>
    private string? ServingModelOf(IReadOnlyList<EmbeddingModelRow> rows)
    {
        if (rows.FirstOrDefault(r => r.State == MemoryEmbeddingModelState.Serving) is { } recorded)
        {
            return recorded.Model;
        }

        var unrecorded = rows.Where(r => r.State is null).Select(r => r.Model).Distinct(StringComparer.Ordinal).ToList();
        return _serving?.Model ?? (unrecorded.Count == 1 ? unrecorded[0] : null);
    }

    /// <summary>Gets (once per index) the dimension of a model's embeddings, bounded by the embedding timeout.</summary>
    private async Task<int> DimensionsOfAsync(EmbeddingIndex index, CancellationToken cancellationToken) =>
        index.Dimensions ?? (await GenerateAsync(index, DimensionProbeText, cancellationToken).ConfigureAwait(false)).Length;

    /// <summary>
    /// Embeds, batch by batch in id order, every active memory that has no embedding of the index's model, until a pass
    /// finds none (memories written meanwhile by processes without this model are picked up by the next pass).
    /// </summary>
    /// <param name="index">The model and its generator.</param>
    /// <param name="batchSize">How many memories are embedded and saved together.</param>
    /// <param name="asWriteIndex">
    /// True when the index is one writes embed into (an import's fill): each call is bounded by the embedding timeout as a
    /// write's is, and nothing is saved once the index no longer takes writes (a reindex switched away and dropped it).
    /// False for a reindex, which builds its own index and whose batches may be larger than one call of a write.
    /// </param>
    /// <param name="saved">Called after every batch with the number of embeddings it saved.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>How many embeddings were saved.</returns>
    private async Task<long> FillMissingAsync(EmbeddingIndex index, int batchSize, bool asWriteIndex, Action<int>? saved, CancellationToken cancellationToken)
    {
        var dimensions = await DimensionsOfAsync(index, cancellationToken).ConfigureAwait(false);
        long total = 0;
        while (true)
        {
            var savedThisPass = 0L;
            Guid? after = null;
            while ((!asWriteIndex || TakesWrites(index))
                && await FindUnindexedAsync(index.Model, dimensions, after, batchSize, cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
            {
                after = batch[^1].Id;
                var texts = batch.Select(m => m.Text).ToList();
                var vectors = asWriteIndex
                    ? await GenerateAsync(index, texts, cancellationToken).ConfigureAwait(false)
                    : (await index.Generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false)).Select(v => v.Vector).ToList();
                if (vectors.Count != batch.Count || vectors.Any(v => v.Length != dimensions))
                {
                    throw new InvalidOperationException($"The embedding generator for '{index.Model}' returned {vectors.Count} vectors for {batch.Count} texts, or vectors of another dimension than {dimensions}.");
                }

                var count = await SaveReindexedAsync(index, batch, vectors, asWriteIndex, cancellationToken).ConfigureAwait(false);
                savedThisPass += count;
                total += count;
                saved?.Invoke(count);
            }

            if (savedThisPass == 0)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Makes a complete model the serving one, under the writers' lock: if a memory without its embedding committed after
    /// the last pass, nothing changes and the caller fills again. Writes that take the lock next embed with it (it stays
    /// the building model until the switch is committed).
    /// </summary>
    private async Task<bool> TryActivateAsync(EmbeddingIndex index, int dimensions, CancellationToken cancellationToken)
    {
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            if ((await FindUnindexedAsync(index.Model, dimensions, null, 1, cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                return false;
            }

            await tx.SetEmbeddingModelStateAsync(index.Model, dimensions, MemoryEmbeddingModelState.Serving, Now(), cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        _serving = index;
        return true;
    }

    private async Task SetEmbeddingModelStateAsync(string model, int dimensions, MemoryEmbeddingModelState state, CancellationToken cancellationToken)
    {
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await tx.SetEmbeddingModelStateAsync(model, dimensions, state, Now(), cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DropEmbeddingsAsync(string model, CancellationToken cancellationToken)
    {
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await tx.DropEmbeddingModelAsync(model, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether writes still embed into the index: it serves, or a reindex is building it.</summary>
    private bool TakesWrites(EmbeddingIndex index) => ReferenceEquals(_serving, index) || ReferenceEquals(_building, index);

    private async Task<int> SaveReindexedAsync(EmbeddingIndex index, IReadOnlyList<UnindexedMemory> batch, IReadOnlyList<ReadOnlyMemory<float>> vectors, bool onlyWhileTakingWrites, CancellationToken cancellationToken)
    {
        // Under the writers' lock, and only for memories whose text is still the one embedded: an update that came in
        // between has already embedded its new text (or left it for the next pass).
        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);

        // A catch-up or an import fill embeds with the index writes use; a reindex that switched away from it may have
        // dropped its embeddings meanwhile (the drop also takes the writers' lock), and saving now would bring them back.
        if (onlyWhileTakingWrites && !TakesWrites(index))
        {
            return 0;
        }

        var model = index.Model;
        var saved = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var memory = batch[i];
            if (await tx.GetAsync(memory.Tenant, memory.Id, cancellationToken).ConfigureAwait(false) is { Status: MemoryStatus.Active } current
                && string.Equals(current.ContentHash, memory.ContentHash, StringComparison.Ordinal))
            {
                await tx.SaveEmbeddingAsync(memory.Tenant, memory.Id, model, vectors[i], cancellationToken).ConfigureAwait(false);
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
internal sealed record EmbeddingIndex(IEmbeddingGenerator<string, Embedding<float>> Generator, string Model)
{
    /// <summary>Gets or sets the dimension of its embeddings, once known.</summary>
    public int? Dimensions { get; set; }
}

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
