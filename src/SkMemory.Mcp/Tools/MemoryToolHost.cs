using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Governance;

namespace SkMemory.Mcp.Tools;

/// <summary>Who calls a tool: the caller the access policy sees and, over HTTP, the API key it authenticated with.</summary>
/// <param name="Caller">The caller.</param>
/// <param name="Key">The API key, or null for the one fixed caller of a stdio server.</param>
internal sealed record ToolCaller(MemoryCaller Caller, MemoryApiKey? Key);

/// <summary>A claims identity that carries the API key a request authenticated with.</summary>
internal sealed class ApiKeyIdentity : ClaimsIdentity
{
    public const string AuthenticationScheme = "SkMemoryApiKey";

    public ApiKeyIdentity(MemoryApiKey key)
        : base([new Claim(ClaimTypes.NameIdentifier, key.Actor.Id), new Claim("skm_key_id", key.Id), new Claim("tenant", key.Tenant)], AuthenticationScheme)
    {
        Key = key;
    }

    public MemoryApiKey Key { get; }
}

/// <summary>
/// What every tool of one server shares: the governed store (access control outermost, then the configured layers), the
/// caller of the current call (flowing with the async context, so concurrent calls never see each other's caller), the
/// audit log, and the background ingestion runs.
/// </summary>
internal sealed partial class MemoryToolHost : IAsyncDisposable
{
    private readonly CallerAccessor _callers = new();
    private readonly ConcurrentDictionary<int, Task> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<ClaimsPrincipal?, ToolCaller?> _identify;
    private readonly ILogger _logger;
    private int _backgroundIds;

    public MemoryToolHost(IMemoryStore store, SkMemoryMcpOptions options, Func<MemoryStoreBuilder, MemoryStoreBuilder>? configureStore, ILoggerFactory? loggerFactory, Func<ClaimsPrincipal?, ToolCaller?> identify)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Canonical = store;
        Options = options;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = LoggerFactory.CreateLogger("SkMemory.Mcp");
        _identify = identify;
        var builder = new MemoryStoreBuilder(store).UseAccessControl(_callers, loggerFactory: LoggerFactory);
        Governed = (configureStore is null ? builder : configureStore(builder)).Build();
        Access = Governed.GetService(typeof(AccessControlledMemoryStore)) as AccessControlledMemoryStore
            ?? throw new InvalidOperationException("The store stack lost its access-control layer; ConfigureStore must add layers to the builder it is given.");
        Audit = (IMemoryAuditLog)store.GetService(typeof(IMemoryAuditLog))!;
    }

    public IMemoryStore Canonical { get; }

    public IMemoryStore Governed { get; }

    public AccessControlledMemoryStore Access { get; }

    public IMemoryAuditLog Audit { get; }

    public SkMemoryMcpOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Logger => _logger;

    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Who makes a call, from the request's user (HTTP) or the server's fixed caller (stdio).</summary>
    public ToolCaller? Identify(ClaimsPrincipal? user) => _identify(user);

    /// <summary>Makes <paramref name="caller"/> the caller of the governed store for the rest of the current async flow.</summary>
    public void Enter(MemoryCaller caller) => _callers.Caller = caller;

    /// <summary>Runs work after the call returns, as the current caller; stopping the server cancels and awaits it.</summary>
    public void RunInBackground(Func<CancellationToken, Task> work)
    {
        var id = Interlocked.Increment(ref _backgroundIds);
        var token = _stopping.Token;

        // The caller set by Enter flows into the task with the execution context.
        var task = Task.Run(
            async () =>
            {
                try
                {
                    await work(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    LogBackgroundCancelled();
                }
#pragma warning disable CA1031 // A background run must never take the server down; its job records the failure.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogBackgroundFailed(ex);
                }
                finally
                {
                    _background.TryRemove(id, out _);
                }
            },
            CancellationToken.None);
        _background.TryAdd(id, task);
        if (task.IsCompleted)
        {
            _background.TryRemove(id, out _);
        }
    }

    /// <summary>Waits for the background runs to finish, or cancels them when <paramref name="cancellationToken"/> is.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _stopping.Cancel());
        await Task.WhenAll(_background.Values).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_background.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(1101, LogLevel.Error, "A background ingestion run failed; its job records the error.")]
    private partial void LogBackgroundFailed(Exception exception);

    [LoggerMessage(1102, LogLevel.Information, "A background ingestion run was cancelled as the server stopped; run its job again to finish it.")]
    private partial void LogBackgroundCancelled();

    private sealed class CallerAccessor : IMemoryCallerAccessor
    {
        private readonly AsyncLocal<MemoryCaller?> _current = new();

        public MemoryCaller? Caller
        {
            get => _current.Value;
            set => _current.Value = value;
        }
    }
}
