using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Context;

namespace SkMemory.SemanticKernel;

/// <summary>The shared work of every injection point: build and audit a packet, and enqueue capture after a turn.</summary>
internal sealed partial class MemoryInjector
{
    private readonly MemoryContextProvider _context;
    private readonly MemoryCaptureQueue? _capture;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public MemoryInjector(MemoryContextProvider context, MemoryCaptureQueue? capture, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, string category)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _capture = capture;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(category);
    }

    public static MemoryContextRequest ToRequest(MemorySession session, string query) => new()
    {
        Tenant = session.Tenant,
        Subject = session.Subject,
        Query = query,
        Reader = session.Actor,
        // The request's agent and session narrow the search; a session's memories are found across conversations unless its
        // scope is narrowed to one agent or conversation.
        Agent = session.Scope.Agent,
        Session = session.Scope.Session,
        Task = session.Task,
    };

    /// <summary>
    /// Builds the packet for the query and records it as injected; null when there is nothing to inject. A store failure is
    /// logged and the call goes on without memory: memory must never take the conversation down.
    /// </summary>
    public async Task<MemoryContext?> GetAsync(MemorySession session, string? query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return null;
        }

        try
        {
            var context = await _context.GetAndRecordContextAsync(ToRequest(session, query), cancellationToken).ConfigureAwait(false);
            if (context.IsEmpty)
            {
                LogNothing(session.Tenant, session.Subject);
                return null;
            }

            LogInjected(context.Packet.Included.Count, context.Packet.TokenCount, context.Packet.Budget, session.Tenant, session.Subject);
            return context;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(session.Tenant, session.Subject, ex);
            return null;
        }
    }

    /// <summary>Enqueues the turn for capture without waiting for it.</summary>
    public void Capture(MemorySession session, IEnumerable<(MemoryMessageRole Role, string? Id, string? Text)> turn)
    {
        if (_capture is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var messages = turn
            .Where(m => !string.IsNullOrWhiteSpace(m.Text))
            .Select(m => new MemoryMessage
            {
                Id = MessageIds.Of(m.Id, session.Session, m.Role == MemoryMessageRole.User ? "user" : "assistant", m.Text!),
                Speaker = m.Role == MemoryMessageRole.User ? session.Subject : session.Agent ?? "assistant",
                Role = m.Role,
                Text = m.Text!,
                ObservedAt = now,
                Session = session.Session,
            })
            .ToList();
        if (messages.Count == 0)
        {
            return;
        }

        var request = new MemoryExtractionRequest { Tenant = session.Tenant, Subject = session.Subject, Scope = session.Scope, Messages = messages };
        if (_capture.TryEnqueue(request))
        {
            LogCaptureQueued(messages.Count, session.Tenant, session.Subject);
        }
    }

    [LoggerMessage(EventId = 810, Level = LogLevel.Debug, Message = "Injected {Count} memories ({Tokens}/{Budget} tokens) for {Subject} in tenant {Tenant}.")]
    private partial void LogInjected(int count, int tokens, int budget, string tenant, string subject);

    [LoggerMessage(EventId = 811, Level = LogLevel.Debug, Message = "No memories to inject for {Subject} in tenant {Tenant}.")]
    private partial void LogNothing(string tenant, string subject);

    [LoggerMessage(EventId = 812, Level = LogLevel.Warning, Message = "Memory injection for {Subject} in tenant {Tenant} failed; the call goes on without memory. Check the store and the caller's access.")]
    private partial void LogFailed(string tenant, string subject, Exception exception);

    [LoggerMessage(EventId = 813, Level = LogLevel.Debug, Message = "Queued {Count} messages for capture for {Subject} in tenant {Tenant}.")]
    private partial void LogCaptureQueued(int count, string tenant, string subject);
}
