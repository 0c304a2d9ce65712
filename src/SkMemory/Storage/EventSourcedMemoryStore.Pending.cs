using Microsoft.Extensions.Logging;

namespace SkMemory.Storage;

/// <summary>
/// Surviving a failing embedder: a write whose text cannot be embedded is kept without its embedding ("pending", which is
/// nothing more than the absence of the serving model's embedding row), and the store embeds pending memories on its own
/// once the embedder works again: after the next embedding that succeeds, or on a retry timer that backs off.
/// </summary>
public abstract partial class EventSourcedMemoryStore
{
    /// <summary>How many pending memories one background run embeds together.</summary>
    private const int CatchUpBatchSize = 64;

    /// <summary>How many batches one background run embeds before it yields to the next trigger (bounds its work).</summary>
    private const int CatchUpBatchesPerRun = 4;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ContinueDelay = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _catchUpSync = new();
    private int _embedderFailing;
    private long _pendingGeneration;
    private long _caughtUpGeneration;
    private Task? _catchUp;
    private ITimer? _retryTimer;
    private TimeSpan _retryDelay = FirstRetryDelay;

    /// <inheritdoc />
    public async Task<long> CountPendingEmbeddingsAsync(CancellationToken cancellationToken = default)
    {
        if (_serving is not { } serving)
        {
            return 0;
        }

        var active = await CountActiveAsync(cancellationToken).ConfigureAwait(false);
        var dimensions = serving.Dimensions;
        if (dimensions is null)
        {
            // The generator may be down, so the dimension comes from the embeddings already stored under the model.
            var rows = await ReadEmbeddingModelsAsync(cancellationToken).ConfigureAwait(false);
            dimensions = rows.Where(r => r.Model == serving.Model).OrderByDescending(r => r.Embedded).Select(r => (int?)r.Dimensions).FirstOrDefault();
            if (dimensions is null)
            {
                return active;
            }
        }

        var embedded = await CountEmbeddedAsync(serving.Model, dimensions.Value, cancellationToken).ConfigureAwait(false);
        return Math.Max(0, active - embedded);
    }

    /// <inheritdoc />
    public async Task<MemoryPendingEmbeddingResult> EmbedPendingAsync(CancellationToken cancellationToken = default)
    {
        var serving = _serving
            ?? throw new MemoryException(MemoryErrorCode.NotSupported, "This store has no embedding generator, so nothing is pending an embedding: set MemoryStoreOptions.EmbeddingGenerator.");
        var generation = Interlocked.Read(ref _pendingGeneration);
        var (saved, _) = await EmbedPendingBatchesAsync(serving, new MemoryReindexOptions().BatchSize, int.MaxValue, cancellationToken).ConfigureAwait(false);
        MarkCaughtUp(generation);
        var pending = await CountPendingEmbeddingsAsync(cancellationToken).ConfigureAwait(false);
        LogPendingEmbedded(serving.Model, saved, pending);
        return new MemoryPendingEmbeddingResult(serving.Model, saved, pending);
    }

    /// <summary>Whether an exception from an embedding call means the embedder failed, rather than that the caller cancelled.</summary>
    private static bool IsEmbedderFailure(CancellationToken cancellationToken) => !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// Embeds one text with one model, bounded by <see cref="MemoryStoreOptions.EmbeddingTimeout"/> (also for a generator
    /// that ignores its token). A timeout becomes a <see cref="TimeoutException"/>; the caller's cancellation stays one.
    /// </summary>
    private async Task<ReadOnlyMemory<float>> GenerateAsync(EmbeddingIndex index, string text, CancellationToken cancellationToken)
    {
        var vectors = await GenerateAsync(index, [text], cancellationToken).ConfigureAwait(false);
        return vectors[0];
    }

    private async Task<IReadOnlyList<ReadOnlyMemory<float>>> GenerateAsync(EmbeddingIndex index, List<string> texts, CancellationToken cancellationToken)
    {
        var timeout = Options.EmbeddingTimeout;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var generated = await index.Generator.GenerateAsync(texts, cancellationToken: bounded.Token).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (generated.Count != texts.Count || generated.Any(e => e.Vector.Length == 0))
            {
                throw new InvalidOperationException($"The embedding generator for '{index.Model}' returned {generated.Count} vectors for {texts.Count} texts, or an empty vector.");
            }

            index.Dimensions ??= generated[0].Vector.Length;
            return generated.Select(e => e.Vector).ToList();
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The embedding generator for '{index.Model}' did not answer within {timeout.TotalSeconds:0.###} s (MemoryStoreOptions.EmbeddingTimeout).", ex);
        }
    }

    /// <summary>
    /// Embeds a write's text with every model new text goes into. A model whose generator fails or times out is left out
    /// (the memory is pending for it) and the failure is logged; only the caller's cancellation is thrown.
    /// </summary>
    private async Task<WriteEmbeddings> EmbedForWriteAsync(List<EmbeddingIndex> indexes, string text, string operation, CancellationToken cancellationToken)
    {
        var embeddings = new List<ModelEmbedding>(indexes.Count);
        var failed = false;
        foreach (var index in indexes)
        {
            try
            {
                embeddings.Add(new ModelEmbedding(index.Model, await GenerateAsync(index, text, cancellationToken).ConfigureAwait(false)));
            }
#pragma warning disable CA1031 // Whatever the embedder throws, the write is kept without the embedding; the caller's cancellation is rethrown.
            catch (Exception ex) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
            {
                failed = true;
                OnEmbedderFailed(ex, index.Model, operation);
            }
        }

        if (!failed && indexes.Count > 0)
        {
            OnEmbedderWorked();
        }

        return new WriteEmbeddings(embeddings, failed);
    }

    /// <summary>Records a committed write that left a memory pending, and makes sure a retry will embed it.</summary>
    private void NotePending()
    {
        Interlocked.Increment(ref _pendingGeneration);
        ScheduleRetry(_retryDelay);
    }

    private void MarkCaughtUp(long generation)
    {
        var seen = Interlocked.Read(ref _caughtUpGeneration);
        while (seen < generation)
        {
            var previous = Interlocked.CompareExchange(ref _caughtUpGeneration, generation, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private bool HasBacklog => Interlocked.Read(ref _pendingGeneration) != Interlocked.Read(ref _caughtUpGeneration);

    /// <summary>Logs the first failure of a burst as a warning, and the rest at debug level.</summary>
    private void OnEmbedderFailed(Exception exception, string model, string operation)
    {
        if (Interlocked.Exchange(ref _embedderFailing, 1) == 0)
        {
            LogEmbedderFailing(exception, model, operation);
        }
        else
        {
            LogEmbedderStillFailing(model, operation, exception.Message);
        }
    }

    /// <summary>An embedding succeeded: ends a failure burst, and starts embedding what the burst left pending.</summary>
    private void OnEmbedderWorked()
    {
        if (Interlocked.Exchange(ref _embedderFailing, 0) == 1)
        {
            LogEmbedderRecovered(_serving?.Model ?? "(none)");
        }

        if (HasBacklog)
        {
            _retryDelay = FirstRetryDelay;
            StartCatchUp();
        }
    }

    /// <summary>Starts a background run that embeds a bounded number of pending memories, unless one is running (single flight).</summary>
    private void StartCatchUp()
    {
        lock (_catchUpSync)
        {
            if (_lifetime.IsCancellationRequested || _catchUp is { IsCompleted: false } || _serving is null)
            {
                return;
            }

            var token = _lifetime.Token;
            _catchUp = Task.Run(() => CatchUpAsync(token), CancellationToken.None);
        }
    }

    private void ScheduleRetry(TimeSpan delay)
    {
        lock (_catchUpSync)
        {
            if (_lifetime.IsCancellationRequested || _serving is null)
            {
                return;
            }

            _retryTimer ??= Options.TimeProvider.CreateTimer(_ => StartCatchUp(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _retryTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>One background run: never throws; on failure it backs off and schedules the next try.</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (_serving is not { } serving)
        {
            return;
        }

        var generation = Interlocked.Read(ref _pendingGeneration);
        try
        {
            var (saved, more) = await EmbedPendingBatchesAsync(serving, CatchUpBatchSize, CatchUpBatchesPerRun, cancellationToken).ConfigureAwait(false);
            _retryDelay = FirstRetryDelay;
            if (Interlocked.Exchange(ref _embedderFailing, 0) == 1)
            {
                LogEmbedderRecovered(serving.Model);
            }

            if (more)
            {
                LogCatchUpProgress(serving.Model, saved);
                ScheduleRetry(ContinueDelay);
                return;
            }

            MarkCaughtUp(generation);
            LogCatchUpDone(serving.Model, saved);
            if (HasBacklog)
            {
                // A write left a memory pending while this run was embedding: go again.
                ScheduleRetry(ContinueDelay);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A background run must never fault: it logs, backs off and tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (ex is MemoryException { Code: MemoryErrorCode.Unavailable } && ex.InnerException is { } embedderError)
            {
                OnEmbedderFailed(embedderError, serving.Model, "catch-up");
            }
            else
            {
                LogCatchUpFailed(ex, serving.Model, _retryDelay);
            }

            var delay = _retryDelay;
            _retryDelay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, delay.Ticks * 2));
            ScheduleRetry(delay);
        }
    }

    /// <summary>
    /// Embeds pending memories of one model in id order, batch by batch. Saving rechecks each memory under the writers'
    /// lock (still active, same content), so a memory deleted, purged or changed meanwhile gets no embedding of old text.
    /// No event is written: an embedding is an index, not history.
    /// </summary>
    /// <returns>How many embeddings were saved, and whether the last batch was full (more may be pending).</returns>
    /// <exception cref="MemoryException">The embedder failed or timed out (<see cref="MemoryErrorCode.Unavailable"/>, the cause inside).</exception>
    private async Task<(long Saved, bool More)> EmbedPendingBatchesAsync(EmbeddingIndex index, int batchSize, int maxBatches, CancellationToken cancellationToken)
    {
        var dimensions = index.Dimensions ?? await ProbeDimensionsAsync(index, cancellationToken).ConfigureAwait(false);
        long saved = 0;
        Guid? after = null;
        for (var batches = 0; batches < maxBatches; batches++)
        {
            var batch = await FindUnindexedAsync(index.Model, dimensions, after, batchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return (saved, false);
            }

            after = batch[^1].Id;
            IReadOnlyList<ReadOnlyMemory<float>> vectors;
            try
            {
                vectors = await GenerateAsync(index, batch.Select(m => m.Text).ToList(), cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any embedder failure becomes one clear error; the caller's cancellation is rethrown.
            catch (Exception ex) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
            {
                throw EmbedderUnavailable(index.Model, "embed pending memories", ex);
            }

            if (vectors.Any(v => v.Length != dimensions))
            {
                throw new InvalidOperationException($"The embedding generator for '{index.Model}' returned vectors of another dimension than {dimensions}, the dimension its stored embeddings have.");
            }

            saved += await SaveReindexedAsync(index.Model, batch, vectors, cancellationToken).ConfigureAwait(false);
            if (batch.Count < batchSize)
            {
                return (saved, false);
            }
        }

        return (saved, true);
    }

    private async Task<int> ProbeDimensionsAsync(EmbeddingIndex index, CancellationToken cancellationToken)
    {
        try
        {
            return (await GenerateAsync(index, "dimension probe", cancellationToken).ConfigureAwait(false)).Length;
        }
#pragma warning disable CA1031 // Any embedder failure becomes one clear error; the caller's cancellation is rethrown.
        catch (Exception ex) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
        {
            throw EmbedderUnavailable(index.Model, "embed pending memories", ex);
        }
    }

    private static MemoryException EmbedderUnavailable(string model, string operation, Exception cause) =>
        new(MemoryErrorCode.Unavailable, $"The embedding generator for '{model}' failed, so the store could not {operation}: {cause.Message}", cause);

    /// <summary>Stops the background runs and waits briefly for one in flight, so it never touches a disposed backend.</summary>
    private void StopCatchUp()
    {
        Task? running;
        lock (_catchUpSync)
        {
            if (_lifetime.IsCancellationRequested)
            {
                return;
            }

            _lifetime.Cancel();
            _retryTimer?.Dispose();
            running = _catchUp;
        }

        try
        {
            running?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The run logs its own failures; disposal goes on.
        }

        _lifetime.Dispose();
    }

    [LoggerMessage(20, LogLevel.Warning, "The embedding generator for model {Model} failed on {Operation}; writes are kept without embeddings and embedded once it works again, hybrid searches fall back to full text. Further failures are logged at debug level until it recovers.")]
    private partial void LogEmbedderFailing(Exception exception, string model, string operation);

    [LoggerMessage(21, LogLevel.Debug, "The embedding generator for model {Model} is still failing on {Operation}: {Error}")]
    private partial void LogEmbedderStillFailing(string model, string operation, string error);

    [LoggerMessage(22, LogLevel.Information, "The embedding generator for model {Model} works again; memories written meanwhile are being embedded.")]
    private partial void LogEmbedderRecovered(string model);

    [LoggerMessage(23, LogLevel.Information, "Embedded {Saved} pending memories with model {Model}; none is left.")]
    private partial void LogCatchUpDone(string model, long saved);

    [LoggerMessage(24, LogLevel.Debug, "Embedded {Saved} pending memories with model {Model}; more are pending, continuing.")]
    private partial void LogCatchUpProgress(string model, long saved);

    [LoggerMessage(25, LogLevel.Warning, "Embedding pending memories with model {Model} failed; retrying in {Delay}.")]
    private partial void LogCatchUpFailed(Exception exception, string model, TimeSpan delay);

    [LoggerMessage(26, LogLevel.Information, "Embedded {Saved} pending memories with model {Model} on request; {Pending} still pending.")]
    private partial void LogPendingEmbedded(string model, long saved, long pending);

    // Each degraded search at debug level: the burst's first failure already logged the warning (event 20).
    [LoggerMessage(27, LogLevel.Debug, "A {Mode} search could not embed its query with model {Model}; {Outcome}.")]
    private partial void LogSearchDegraded(Exception exception, string mode, string model, string outcome);
}

/// <summary>The embeddings made for a write, and whether some model's generator failed (the memory is pending for it).</summary>
/// <param name="Embeddings">The embeddings made.</param>
/// <param name="Failed">Whether a generator failed or timed out.</param>
internal readonly record struct WriteEmbeddings(IReadOnlyList<ModelEmbedding> Embeddings, bool Failed);
