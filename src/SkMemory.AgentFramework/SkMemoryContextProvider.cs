using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Context;

namespace SkMemory.AgentFramework;

/// <summary>
/// Long-term memory for Agent Framework agents (<see cref="ChatClientAgent"/>): before each run it recalls the memories
/// relevant to the new input from the developer's search scope and injects them as a token-budgeted packet through
/// <see cref="AIContext.Instructions"/> (so the packet never enters the persisted chat history) and records the injection
/// in the read audit; after each successful run it queues the request and response messages, with message ids, for
/// capture into the developer's storage scope, without making the run wait.
/// </summary>
/// <remarks>
/// <para>Scopes come from <see cref="SkMemoryContextProviderOptions"/> only: the model cannot choose whose memories are
/// recalled or where new ones are written. One provider serves one subject; create one per user (it is cheap).</para>
/// <para>Per-session state (<see cref="SkMemorySessionState"/>: the capture session id, the turn counter, the memories
/// injected last) lives in the session's state bag, so it survives <c>AIAgent.SerializeSessionAsync</c> and
/// <c>DeserializeSessionAsync</c>, and a new agent instance continues it.</para>
/// <para>A run that threw is not captured. Set <see cref="SkipCaptureKey"/> to <see langword="true"/> in
/// <see cref="AgentRunOptions.AdditionalProperties"/> to skip capture for one run. This class is thread-safe.</para>
/// </remarks>
public sealed partial class SkMemoryContextProvider : AIContextProvider
{
    /// <summary>
    /// The key in <see cref="AgentRunOptions.AdditionalProperties"/> that skips capture for one run when its value is
    /// <see langword="true"/> (recall still happens).
    /// </summary>
    public const string SkipCaptureKey = "skmemory.skip_capture";

    private readonly MemoryContextProvider _context;
    private readonly MemoryCaptureQueue? _capture;
    private readonly SkMemoryContextProviderOptions _options;
    private readonly AgentMemorySearchScope _search;
    private readonly AgentMemoryStorageScope? _storage;
    private readonly ProviderSessionState<SkMemorySessionState> _state;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="SkMemoryContextProvider"/> class.</summary>
    /// <param name="store">The memory store recalled from (compose access control around it to audit reads as the agent's caller).</param>
    /// <param name="options">The scopes and packet options; validated here.</param>
    /// <param name="capture">The capture queue after-run messages go to, or <see langword="null"/> to recall only.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is missing or invalid; the message names it.</exception>
    public SkMemoryContextProvider(IMemoryStore store, SkMemoryContextProviderOptions options, MemoryCaptureQueue? capture = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(captures: capture is not null);
        loggerFactory ??= NullLoggerFactory.Instance;
        _options = options;
        _search = options.Search!;
        _storage = options.Storage;
        _capture = capture;
        _context = new MemoryContextProvider(
            store,
            WithSearchScope(options.Context.Clone(), _search.ScopeKinds, options.TimeProvider),
            loggerFactory);
        _state = new ProviderSessionState<SkMemorySessionState>(NewState, options.StateKey, SkMemoryAgentFrameworkJsonContext.Default.Options);
        _logger = loggerFactory.CreateLogger<SkMemoryContextProvider>();
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> StateKeys => [_state.StateKey];

    /// <summary>Gets the provider's state in a session (created if the session has none yet).</summary>
    /// <param name="session">The agent session.</param>
    /// <returns>The state: the capture session id, the turn counter and the memories injected last.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="session"/> is <see langword="null"/>.</exception>
    public SkMemorySessionState GetSessionState(AgentSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _state.GetOrInitializeState(session);
    }

    /// <inheritdoc />
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = State(context.Session);
        var input = context.AIContext.Messages?.ToList() ?? [];
        foreach (var message in input)
        {
            // Stamped now, before the chat history stores them, so capture evidence cites ids the history has.
            message.MessageId ??= NewMessageId();
        }

        state.Turns++;
        state.LastInjected = [];
        var query = string.Join("\n", input.Where(m => m.Role == ChatRole.User && !string.IsNullOrWhiteSpace(m.Text)).Select(m => m.Text));
        MemoryContext? memory = null;
        if (query.Length == 0)
        {
            LogNoQuery(state.SessionId, state.Turns);
        }
        else
        {
            var request = new MemoryContextRequest
            {
                Tenant = _search.Tenant,
                Subject = _search.Subject,
                Query = query,
                Reader = _options.Reader ?? MemoryActor.Agent(AgentName(context.Agent)),
                Agent = _search.Agent,
                Session = _search.NarrowToSession ? state.SessionId : null,
                Task = _options.Task ?? "agent-run:" + AgentName(context.Agent),
            };
            try
            {
                memory = await _context.GetAndRecordContextAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !_options.ThrowOnRecallFailure)
            {
                LogRecallFailed(ex, state.SessionId, state.Turns);
                memory = null;
            }
        }

        if (memory is { IsEmpty: false })
        {
            state.LastInjected = [.. memory.Packet.Included.Select(i => i.MemoryId)];
            LogInjected(memory.Packet.Included.Count, memory.Packet.TokenCount, memory.Packet.Budget, state.SessionId, state.Turns);
        }

        Save(context.Session, state);
        return memory is { IsEmpty: false } ? new AIContext { Instructions = memory.Text } : new AIContext();
    }

    /// <inheritdoc />
    protected override ValueTask StoreAIContextAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_capture is null || _storage is null || context.InvokeException is not null)
        {
            return default;
        }

        var state = State(context.Session);
        if (SkipCapture())
        {
            LogCaptureSkipped(state.SessionId, state.Turns);
            return default;
        }

        var now = _options.TimeProvider.GetUtcNow();
        var agentName = AgentName(context.Agent);
        var messages = new List<MemoryMessage>();
        foreach (var message in context.RequestMessages.Concat(context.ResponseMessages ?? []))
        {
            var role = RoleOf(message.Role);
            if (role is null || string.IsNullOrWhiteSpace(message.Text))
            {
                continue;
            }

            message.MessageId ??= NewMessageId();
            messages.Add(new MemoryMessage
            {
                Id = message.MessageId,
                Speaker = message.AuthorName is { Length: > 0 } author ? author
                    : role == MemoryMessageRole.User ? _options.UserSpeaker ?? _storage.Subject
                    : agentName,
                Role = role.Value,
                Text = message.Text,
                ObservedAt = message.CreatedAt ?? now,
                Session = state.SessionId,
            });
        }

        if (messages.Count == 0)
        {
            return default;
        }

        var request = new MemoryExtractionRequest
        {
            Tenant = _storage.Tenant,
            Subject = _storage.Subject,
            Scope = _storage.NarrowToSession ? _storage.Scope with { Session = state.SessionId } : _storage.Scope,
            Messages = messages,
        };
        if (_capture.TryEnqueue(request))
        {
            state.CapturedTurns++;
            state.LastCapturedMessageIds = [.. messages.Select(m => m.Id)];
            Save(context.Session, state);
            LogQueued(messages.Count, state.SessionId, state.Turns);
        }
        else
        {
            LogQueueFull(state.SessionId, state.Turns);
        }

        return default;
    }

    private static bool SkipCapture() =>
        AIAgent.CurrentRunContext?.RunOptions?.AdditionalProperties is { } properties
        && properties.TryGetValue(SkipCaptureKey, out var value)
        && value is true or "true";

    private static MemoryMessageRole? RoleOf(ChatRole role) =>
        role == ChatRole.User ? MemoryMessageRole.User
        : role == ChatRole.Assistant ? MemoryMessageRole.Assistant
        : null;

    private static string AgentName(AIAgent agent) => agent.Name is { Length: > 0 } name ? name : agent.Id;

    private static string NewMessageId() => "msg_" + Guid.CreateVersion7().ToString("N");

    private static SkMemorySessionState NewState(AgentSession? session) => new()
    {
        SessionId = session is ChatClientAgentSession { ConversationId: { Length: > 0 } conversation } ? conversation : "ses_" + Guid.CreateVersion7().ToString("N"),
    };

    private SkMemorySessionState State(AgentSession? session) => session is null ? NewState(null) : _state.GetOrInitializeState(session);

    private void Save(AgentSession? session, SkMemorySessionState state)
    {
        if (session is not null)
        {
            _state.SaveState(session, state);
        }
    }

    [LoggerMessage(EventId = 851, Level = LogLevel.Debug, Message = "Injected {Count} memories ({Tokens} of {Budget} tokens) into run {Turn} of session {Session}.")]
    private partial void LogInjected(int count, int tokens, int budget, string session, int turn);

    [LoggerMessage(EventId = 852, Level = LogLevel.Warning, Message = "Recall failed in run {Turn} of session {Session}; the run goes on without memories. Check the store and the reader's access, or set ThrowOnRecallFailure to fail the run instead.")]
    private partial void LogRecallFailed(Exception exception, string session, int turn);

    [LoggerMessage(EventId = 853, Level = LogLevel.Debug, Message = "Queued {Count} messages of run {Turn} of session {Session} for capture.")]
    private partial void LogQueued(int count, string session, int turn);

    [LoggerMessage(EventId = 854, Level = LogLevel.Warning, Message = "The capture queue is full; run {Turn} of session {Session} was not captured. Raise the queue's capacity or check that its store is writable.")]
    private partial void LogQueueFull(string session, int turn);

    [LoggerMessage(EventId = 855, Level = LogLevel.Debug, Message = "Capture skipped for run {Turn} of session {Session}: the run asked for it (skmemory.skip_capture).")]
    private partial void LogCaptureSkipped(string session, int turn);

    [LoggerMessage(EventId = 856, Level = LogLevel.Debug, Message = "Run {Turn} of session {Session} has no user text; nothing recalled.")]
    private partial void LogNoQuery(string session, int turn);

    // The search scope decides the scope kinds and the provider's clock stamps injections; every other option is the developer's.
    private static MemoryContextOptions WithSearchScope(MemoryContextOptions context, IReadOnlyList<MemoryScopeKind>? scopeKinds, TimeProvider timeProvider)
    {
        context.ScopeKinds = scopeKinds;
        context.TimeProvider = timeProvider;
        return context;
    }
}
