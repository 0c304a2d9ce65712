using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMemory.Context;

namespace SkMemory.SemanticKernel;

/// <summary>
/// Wraps an existing SK connector's <see cref="IChatCompletionService"/>: every call gets a memory packet (quoted data with
/// memory ids) as a system message on a copy of the history (the caller's history is not changed), the injection is
/// recorded, and the turn is enqueued for capture after the reply.
/// </summary>
/// <remarks>
/// The session comes from the kernel's data (<see cref="MemorySession.Key"/>) or the accessor. Per call,
/// <see cref="MemorySession.DisabledKey"/> or <see cref="MemorySession.CaptureDisabledKey"/> set to true in
/// <see cref="PromptExecutionSettings.ExtensionData"/> (or the kernel's data) turns injection and capture, or capture only, off.
/// </remarks>
public sealed class MemoryChatCompletionService : IChatCompletionService
{
    private readonly IChatCompletionService _inner;
    private readonly MemoryInjector _injector;
    private readonly MemorySessionAccessor? _sessions;

    /// <summary>Initializes a new instance of the <see cref="MemoryChatCompletionService"/> class.</summary>
    /// <param name="inner">The connector's service.</param>
    /// <param name="context">The provider that searches and packs memories.</param>
    /// <param name="sessions">The session accessor, or null.</param>
    /// <param name="capture">The capture queue, or null for no capture.</param>
    /// <param name="timeProvider">The clock for captured messages, or null.</param>
    /// <param name="loggerFactory">The logger factory, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> or <paramref name="context"/> is null.</exception>
    public MemoryChatCompletionService(IChatCompletionService inner, MemoryContextProvider context, MemorySessionAccessor? sessions = null, MemoryCaptureQueue? capture = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _injector = new MemoryInjector(context, capture, timeProvider, loggerFactory, typeof(MemoryChatCompletionService).FullName!);
        _sessions = sessions;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, object?> Attributes => _inner.Attributes;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var session = Session(executionSettings, kernel);
        if (session is null)
        {
            return await _inner.GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        }

        var user = LatestUser(chatHistory);
        var history = await InjectAsync(session, chatHistory, user, cancellationToken).ConfigureAwait(false);
        var reply = await _inner.GetChatMessageContentsAsync(history, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        Capture(session, executionSettings, kernel, user, reply.LastOrDefault(m => m.Role == AuthorRole.Assistant && !string.IsNullOrWhiteSpace(m.Content))?.Content);
        return reply;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var session = Session(executionSettings, kernel);
        var user = session is null ? null : LatestUser(chatHistory);
        var history = session is null ? chatHistory : await InjectAsync(session, chatHistory, user, cancellationToken).ConfigureAwait(false);
        var reply = new StringBuilder();
        await foreach (var update in _inner.GetStreamingChatMessageContentsAsync(history, executionSettings, kernel, cancellationToken).ConfigureAwait(false))
        {
            reply.Append(update.Content);
            yield return update;
        }

        if (session is not null)
        {
            Capture(session, executionSettings, kernel, user, reply.ToString());
        }
    }

    private static ChatMessageContent? LatestUser(ChatHistory history) =>
        history.LastOrDefault(m => m.Role == AuthorRole.User && !string.IsNullOrWhiteSpace(m.Content));

    private MemorySession? Session(PromptExecutionSettings? settings, Kernel? kernel)
    {
        if (MemorySessionResolver.IsSet(MemorySession.DisabledKey, null, settings, kernel))
        {
            return null;
        }

        return MemorySessionResolver.Enter(MemorySessionResolver.Resolve(kernel, null, _sessions), _sessions);
    }

    private async Task<ChatHistory> InjectAsync(MemorySession session, ChatHistory history, ChatMessageContent? user, CancellationToken cancellationToken)
    {
        var context = await _injector.GetAsync(session, user?.Content, cancellationToken).ConfigureAwait(false);
        if (context is null)
        {
            return history;
        }

        var at = 0;
        while (at < history.Count && history[at].Role == AuthorRole.System)
        {
            at++;
        }

        var copy = new ChatHistory(history);
        copy.Insert(at, new ChatMessageContent(AuthorRole.System, context.Text) { Metadata = new Dictionary<string, object?> { [MemoryInjectingChatClient.InjectedMarker] = true } });
        return copy;
    }

    private void Capture(MemorySession session, PromptExecutionSettings? settings, Kernel? kernel, ChatMessageContent? user, string? reply)
    {
        if (user is null || MemorySessionResolver.IsSet(MemorySession.CaptureDisabledKey, null, settings, kernel))
        {
            return;
        }

        _injector.Capture(session, [(MemoryMessageRole.User, MessageIds.FromMetadata(user), user.Content), (MemoryMessageRole.Assistant, null, reply)]);
    }
}
