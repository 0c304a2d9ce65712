using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Capture;

namespace SkMemory.Context;

/// <summary>
/// Capture in the background: a turn's messages are queued and ingested by one worker through the capture pipeline, so
/// a response never waits for extraction. A full queue refuses new turns (logged) rather than block the caller; a failed
/// ingestion is logged and its job stays in the store to be run again (<c>skmem ingest run</c>).
/// </summary>
/// <remarks>Thread-safe. Dispose drains what is queued.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue of turns waiting for capture, and callers treat it as one.")]
public sealed partial class MemoryCaptureQueue : IAsyncDisposable
{
    private readonly Channel<MemoryExtractionRequest> _channel;
    private readonly MemoryCapturePipeline _pipeline;
    private readonly ILogger _logger;
    private readonly Task _worker;
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private long _enqueued;
    private long _finished;

    /// <summary>Initializes a new instance of the <see cref="MemoryCaptureQueue"/> class and starts its worker.</summary>
    /// <param name="pipeline">The capture pipeline that ingests each turn.</param>
    /// <param name="capacity">The most turns waiting at once.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is below 1.</exception>
    public MemoryCaptureQueue(MemoryCapturePipeline pipeline, int capacity = 1000, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _pipeline = pipeline;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MemoryCaptureQueue>();
        _channel = Channel.CreateBounded<MemoryExtractionRequest>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Gets how many queued turns are not ingested yet.</summary>
    public int Pending => (int)(Interlocked.Read(ref _enqueued) - Interlocked.Read(ref _finished));

    /// <summary>Queues a turn for capture without waiting.</summary>
    /// <param name="request">The turn: its messages (with ids), subject, scope and observation time.</param>
    /// <returns><see langword="false"/> when the queue is full or disposed; the turn is then not captured (logged).</returns>
    public bool TryEnqueue(MemoryExtractionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (!_channel.Writer.TryWrite(request))
            {
                LogRefused(request.Tenant, request.Subject);
                return false;
            }

            _enqueued++;
            return true;
        }
    }

    /// <summary>Waits until every turn queued before this call has been ingested (or failed and been logged).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when they are.</returns>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (_finished >= _enqueued)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((_enqueued, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        await foreach (var request in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                var job = await _pipeline.IngestAsync(request).ConfigureAwait(false);
                LogCaptured(request.Tenant, request.Subject, job.Id, MemoryJson.EnumName(job.State));
            }
#pragma warning disable CA1031 // A failed turn must not stop the worker: it is logged, and its job (if created) can be run again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(ex, request.Tenant, request.Subject);
            }

            lock (_gate)
            {
                _finished++;
                for (var i = _flushes.Count - 1; i >= 0; i--)
                {
                    if (_flushes[i].Target <= _finished)
                    {
                        _flushes[i].Done.TrySetResult();
                        _flushes.RemoveAt(i);
                    }
                }
            }
        }
    }

    [LoggerMessage(911, LogLevel.Debug, "Captured a turn of {Subject} in {Tenant}: job {JobId} {State}.")]
    private partial void LogCaptured(string tenant, string? subject, string jobId, string state);

    [LoggerMessage(912, LogLevel.Warning, "The capture queue is full or closed; a turn of {Subject} in {Tenant} is not captured.")]
    private partial void LogRefused(string tenant, string? subject);

    [LoggerMessage(913, LogLevel.Error, "Capturing a turn of {Subject} in {Tenant} failed; its job, if created, can be run again with skmem ingest run.")]
    private partial void LogFailed(Exception exception, string tenant, string? subject);
}
