using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Governance.Retention;

/// <summary>
/// Runs the retention sweeper in the background: once at start, then every <see cref="MemoryRetentionServiceOptions.Interval"/>
/// after the previous sweep ends. The policy is loaded and validated when the service is created, so an invalid policy file
/// stops the host at start-up with a message naming the rule and field. A failed sweep is logged and retried at the next
/// interval.
/// </summary>
public sealed partial class MemoryRetentionService : BackgroundService
{
    private readonly MemoryRetentionSweeper _sweeper;
    private readonly MemoryRetentionServiceOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private int _completedSweeps;

    /// <summary>Initializes a new instance of the <see cref="MemoryRetentionService"/> class.</summary>
    /// <param name="store">The store to sweep.</param>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="MemoryRetentionPolicyException">The policy file is invalid.</exception>
    public MemoryRetentionService(IMemoryStore store, MemoryRetentionServiceOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var policy = options.Validate(store.GetService(typeof(MemoryTypeRegistry)) as MemoryTypeRegistry);
        loggerFactory ??= NullLoggerFactory.Instance;
        _options = options;
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        _logger = loggerFactory.CreateLogger<MemoryRetentionService>();
        _sweeper = new MemoryRetentionSweeper(store, policy, _timeProvider, loggerFactory.CreateLogger<MemoryRetentionSweeper>());
    }

    /// <summary>Gets the report of the last completed sweep, or <see langword="null"/> before the first.</summary>
    public MemoryRetentionReport? LastReport { get; private set; }

    /// <summary>Gets how many sweeps completed.</summary>
    public int CompletedSweeps => Volatile.Read(ref _completedSweeps);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, _options.Interval, _sweeper.Policy.Source);
        var sweep = new MemoryRetentionSweepOptions { Tenant = _options.Tenant, DryRun = _options.DryRun };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                LastReport = await _sweeper.SweepAsync(sweep, progress: null, stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _completedSweeps);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is MemoryException or IOException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogSweepFailed(_logger, e, _options.Interval);
            }

            try
            {
                await Task.Delay(_options.Interval, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        LogStopped(_logger, CompletedSweeps);
    }

    [LoggerMessage(704, LogLevel.Information, "Retention service started: sweeping every {Interval} with {Policy}.")]
    private static partial void LogStarted(ILogger logger, TimeSpan interval, string policy);

    [LoggerMessage(705, LogLevel.Error, "Retention sweep failed; the next one runs in {Interval}.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(706, LogLevel.Information, "Retention service stopped after {Sweeps} sweep(s).")]
    private static partial void LogStopped(ILogger logger, int sweeps);
}
