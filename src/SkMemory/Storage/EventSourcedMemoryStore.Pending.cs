using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
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

    /// <summary>A text any working embedder embeds: tells "this text is rejected" from "the embedder is down".</summary>
    private const string DimensionProbeText = "dimension probe";

    /// <summary>At most this many rejected texts are remembered (the set is cleared past it, which only costs retries).</summary>
    private const int MaxRejectedRemembered = 10_000;

    /// <summary>
    /// Memories (id and content hash) whose text the embedder rejected while it embedded other text (a probe at least): background
    /// runs skip them, so one bad text costs no retries; <see cref="EmbedPendingAsync"/> tries them again.
    /// </summary>
    private readonly ConcurrentDictionary<(Guid Id, string ContentHash), byte> _rejectedTexts = new();

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
        long saved, rejected;
        try
        {
            (saved, rejected, _) = await EmbedPendingBatchesAsync(serving, new MemoryReindexOptions().BatchSize, int.MaxValue, retryRejected: true, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbedderUnavailableException ex)
        {
            // Callers see the plain MemoryException the API documents; the internal marker only steers the catch-up's logging.
            throw new MemoryException(ex.Code, ex.Message, ex.InnerException);
        }

        MarkCaughtUp(generation);
        var pending = await CountPendingEmbeddingsAsync(cancellationToken).ConfigureAwait(false);
        LogPendingEmbedded(serving.Model, saved, rejected, pending);
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
        Task<GeneratedEmbeddings<Embedding<float>>>? call = null;
        try
        {
            call = index.Generator.GenerateAsync(texts, cancellationToken: bounded.Token);
            var generated = await call.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
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
        finally
        {
            if (call is { IsCompleted: false })
            {
                // Abandoned (it ignored its token): observe its eventual failure so it never surfaces as unobserved.
                _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
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
            var (saved, _, more) = await EmbedPendingBatchesAsync(serving, CatchUpBatchSize, CatchUpBatchesPerRun, retryRejected: false, cancellationToken).ConfigureAwait(false);
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
            // Only the embedder's own failures count as it failing; a database error (disk full, read-only) is logged as itself.
            if (ex is EmbedderUnavailableException { InnerException: { } embedderError })
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
    /// No event is written: an embedding is an index, not history. A text the embedder rejects on its own is skipped
    /// (see <see cref="EmbedBatchAsync"/>), so it never holds up the memories after it.
    /// </summary>
    /// <param name="index">The model and its generator.</param>
    /// <param name="batchSize">How many memories one call embeds.</param>
    /// <param name="maxBatches">The most batches this call embeds.</param>
    /// <param name="retryRejected">Whether texts the embedder rejected before are tried again (on request) or skipped (background).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>How many embeddings were saved, how many texts the embedder rejected, and whether the last batch was full (more may be pending).</returns>
    /// <exception cref="MemoryException">The embedder failed or timed out (<see cref="MemoryErrorCode.Unavailable"/>, the cause inside).</exception>
    private async Task<(long Saved, long Rejected, bool More)> EmbedPendingBatchesAsync(EmbeddingIndex index, int batchSize, int maxBatches, bool retryRejected, CancellationToken cancellationToken)
    {
        var dimensions = index.Dimensions ?? await ProbeDimensionsAsync(index, cancellationToken).ConfigureAwait(false);
        long saved = 0;
        long rejected = 0;
        Guid? after = null;
        for (var batches = 0; batches < maxBatches; batches++)
        {
            if (!TakesWrites(index))
            {
                // A reindex switched to another model (and may drop this one's embeddings): nothing here is pending any more.
                return (saved, rejected, false);
            }

            var batch = await FindUnindexedAsync(index.Model, dimensions, after, batchSize, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return (saved, rejected, false);
            }

            after = batch[^1].Id;
            var candidates = retryRejected ? batch.ToList() : batch.Where(m => !_rejectedTexts.ContainsKey((m.Id, m.ContentHash))).ToList();
            if (candidates.Count > 0)
            {
                var (embedded, vectors, rejectedHere) = await EmbedBatchAsync(index, candidates, cancellationToken).ConfigureAwait(false);
                rejected += rejectedHere;
                if (vectors.Any(v => v.Length != dimensions))
                {
                    throw new InvalidOperationException($"The embedding generator for '{index.Model}' returned vectors of another dimension than {dimensions}, the dimension its stored embeddings have.");
                }

                if (embedded.Count > 0)
                {
                    saved += await SaveReindexedAsync(index, embedded, vectors, onlyWhileTakingWrites: true, cancellationToken).ConfigureAwait(false);
                }
            }

            if (batch.Count < batchSize)
            {
                return (saved, rejected, false);
            }
        }

        return (saved, rejected, true);
    }

    /// <summary>
    /// Embeds a batch in one call. If that fails, a plain probe text tells whether the embedder is down (the run fails,
    /// two calls spent) or rejects some text of the batch (too long, say): then each text is embedded on its own, and one
    /// that fails is skipped, so it does not fail the others. When every text of a larger batch fails even so, the
    /// embedder is treated as failing, not the texts.
    /// </summary>
    /// <returns>The memories embedded with their vectors, and how many texts the embedder rejected.</returns>
    /// <exception cref="MemoryException">The embedder failed or timed out (<see cref="MemoryErrorCode.Unavailable"/>, the cause inside).</exception>
    private async Task<(List<UnindexedMemory> Embedded, List<ReadOnlyMemory<float>> Vectors, int Rejected)> EmbedBatchAsync(
        EmbeddingIndex index, List<UnindexedMemory> batch, CancellationToken cancellationToken)
    {
        try
        {
            var vectors = await GenerateAsync(index, batch.Select(m => m.Text).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var memory in batch)
            {
                _rejectedTexts.TryRemove((memory.Id, memory.ContentHash), out _);
            }

            return (batch, vectors.ToList(), 0);
        }
#pragma warning disable CA1031 // Whatever the embedder throws for the batch, each text is tried on its own; the caller's cancellation is rethrown.
        catch (Exception batchError) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
        {
            await ProbeDimensionsAsync(index, cancellationToken).ConfigureAwait(false);
            var embedded = new List<UnindexedMemory>(batch.Count);
            var vectors = new List<ReadOnlyMemory<float>>(batch.Count);
            var failures = new List<(UnindexedMemory Memory, Exception Error)>();
            if (batch.Count > 1)
            {
                foreach (var memory in batch)
                {
                    try
                    {
                        vectors.Add(await GenerateAsync(index, memory.Text, cancellationToken).ConfigureAwait(false));
                        embedded.Add(memory);
                    }
#pragma warning disable CA1031 // Same as the batch: any embedder failure marks this text; the caller's cancellation is rethrown.
                    catch (Exception textError) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
                    {
                        failures.Add((memory, textError));
                    }
                }
            }
            else
            {
                failures.Add((batch[0], batchError));
            }

            if (embedded.Count == 0 && batch.Count > 1)
            {
                throw new EmbedderUnavailableException(index.Model, "embed pending memories", failures[0].Error);
            }

            if (_rejectedTexts.Count + failures.Count > MaxRejectedRemembered)
            {
                _rejectedTexts.Clear();
            }

            foreach (var (memory, error) in failures)
            {
                if (_rejectedTexts.TryAdd((memory.Id, memory.ContentHash), 0))
                {
                    LogTextRejected(error, index.Model, memory.Tenant, memory.Id);
                }
            }

            return (embedded, vectors, failures.Count);
        }
    }

    private async Task<int> ProbeDimensionsAsync(EmbeddingIndex index, CancellationToken cancellationToken)
    {
        try
        {
            return (await GenerateAsync(index, DimensionProbeText, cancellationToken).ConfigureAwait(false)).Length;
        }
#pragma warning disable CA1031 // Any embedder failure becomes one clear error; the caller's cancellation is rethrown.
        catch (Exception ex) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
        {
            throw new EmbedderUnavailableException(index.Model, "embed pending memories", ex);
        }
    }

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

    [LoggerMessage(26, LogLevel.Information, "Embedded {Saved} pending memories with model {Model} on request; the embedder rejected {Rejected} texts; {Pending} still pending.")]
    private partial void LogPendingEmbedded(string model, long saved, long rejected, long pending);

    [LoggerMessage(28, LogLevel.Warning, "The embedding generator for model {Model} rejected the text of memory {Id} (tenant {Tenant}) though it embeds other texts; the memory stays pending and background runs skip it until its text changes or EmbedPendingAsync retries it.")]
    private partial void LogTextRejected(Exception exception, string model, string tenant, Guid id);

    // Each degraded search at debug level: the burst's first failure already logged the warning (event 20).
    [LoggerMessage(27, LogLevel.Debug, "A {Mode} search could not embed its query with model {Model}; {Outcome}.")]
    private partial void LogSearchDegraded(Exception exception, string mode, string model, string outcome);
}

/// <summary>
/// The embedding generator failed (or timed out) where the store called it: the one <see cref="MemoryErrorCode.Unavailable"/>
/// error the catch-up treats as the embedder failing, unlike a database's own Unavailable errors.
/// </summary>
#pragma warning disable CA1032, CA1064 // Internal marker type: made only by the store with a model and cause, never by callers.
internal sealed class EmbedderUnavailableException(string model, string operation, Exception cause)
    : MemoryException(MemoryErrorCode.Unavailable, $"The embedding generator for '{model}' failed, so the store could not {operation}: {cause.Message}", cause);
#pragma warning restore CA1032, CA1064

/// <summary>The embeddings made for a write, and whether some model's generator failed (the memory is pending for it).</summary>
/// <param name="Embeddings">The embeddings made.</param>
/// <param name="Failed">Whether a generator failed or timed out.</param>
internal readonly record struct WriteEmbeddings(IReadOnlyList<ModelEmbedding> Embeddings, bool Failed);
