using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SkMemory.Context;

namespace SkMemory.SemanticKernel;

/// <summary>
/// Chat-client middleware that puts a token-budgeted memory packet in front of every request, as a system message of
/// quoted data with memory ids, records the injection in the read audit, and after the response enqueues the turn (the
/// user's latest message and the assistant's reply, with ids) for background capture.
/// </summary>
/// <remarks>
/// <para>
/// The session comes from <c>ChatOptions.AdditionalProperties[<see cref="MemorySession.Key"/>]</c>, from the data of a
/// <c>Kernel</c> SK put in the options, or from the <see cref="MemorySessionAccessor"/>; without one the call passes through
/// untouched. Per call, <see cref="MemorySession.DisabledKey"/> = true turns injection and capture off and
/// <see cref="MemorySession.CaptureDisabledKey"/> = true turns capture off.
/// </para>
/// <para>
/// Put it before (outside) <c>UseKernelFunctionInvocation</c>/<c>UseFunctionInvocation</c> so it runs once per request, not
/// once per tool round trip. While the call runs, the resolved session is the accessor's session, so a governed store
/// and the memory functions see the same identity.
/// </para>
/// </remarks>
public sealed class MemoryInjectingChatClient : DelegatingChatClient
{
    /// <summary>The key set to true on the injected system message's <c>AdditionalProperties</c>.</summary>
    public const string InjectedMarker = "skmemory.injected";

    private readonly MemoryInjector _injector;
    private readonly MemorySessionAccessor? _sessions;

    /// <summary>Initializes a new instance of the <see cref="MemoryInjectingChatClient"/> class.</summary>
    /// <param name="innerClient">The client to call.</param>
    /// <param name="context">The provider that searches and packs memories.</param>
    /// <param name="sessions">The session accessor, or null (then every call must carry its session in the options).</param>
    /// <param name="capture">The capture queue, or null for no capture.</param>
    /// <param name="timeProvider">The clock for captured messages, or null.</param>
    /// <param name="loggerFactory">The logger factory, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="context"/> is null.</exception>
    public MemoryInjectingChatClient(IChatClient innerClient, MemoryContextProvider context, MemorySessionAccessor? sessions = null, MemoryCaptureQueue? capture = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : base(innerClient)
    {
        _injector = new MemoryInjector(context, capture, timeProvider, loggerFactory, typeof(MemoryInjectingChatClient).FullName!);
        _sessions = sessions;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var session = Session(options);
        if (session is null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var user = LatestUser(list);
        var injected = await InjectAsync(session, list, user, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(injected, options, cancellationToken).ConfigureAwait(false);
        Capture(session, options, user, response.Messages);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var session = Session(options);
        if (session is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var user = LatestUser(list);
        var injected = await InjectAsync(session, list, user, cancellationToken).ConfigureAwait(false);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(injected, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        Capture(session, options, user, updates.ToChatResponse().Messages);
    }

    private static ChatMessage? LatestUser(IList<ChatMessage> messages) =>
        messages.LastOrDefault(m => m.Role == ChatRole.User && !string.IsNullOrWhiteSpace(m.Text));

    private MemorySession? Session(ChatOptions? options)
    {
        if (MemorySessionResolver.IsSet(options, MemorySession.DisabledKey))
        {
            return null;
        }

        return MemorySessionResolver.Enter(MemorySessionResolver.Resolve(options, _sessions), _sessions);
    }

    private async Task<IEnumerable<ChatMessage>> InjectAsync(MemorySession session, IList<ChatMessage> messages, ChatMessage? user, CancellationToken cancellationToken)
    {
        var context = await _injector.GetAsync(session, user?.Text, cancellationToken).ConfigureAwait(false);
        if (context is null)
        {
            return messages;
        }

        var system = new ChatMessage(ChatRole.System, context.Text) { AdditionalProperties = new() { [InjectedMarker] = true } };

        // After the application's own system messages, before the conversation.
        var at = 0;
        while (at < messages.Count && messages[at].Role == ChatRole.System)
        {
            at++;
        }

        var result = new List<ChatMessage>(messages.Count + 1);
        result.AddRange(messages.Take(at));
        result.Add(system);
        result.AddRange(messages.Skip(at));
        return result;
    }

    private void Capture(MemorySession session, ChatOptions? options, ChatMessage? user, IList<ChatMessage> response)
    {
        if (user is null || MemorySessionResolver.IsSet(options, MemorySession.CaptureDisabledKey))
        {
            return;
        }

        var reply = response.LastOrDefault(m => m.Role == ChatRole.Assistant && !string.IsNullOrWhiteSpace(m.Text));
        _injector.Capture(session, [(MemoryMessageRole.User, user.MessageId, user.Text), (MemoryMessageRole.Assistant, reply?.MessageId, reply?.Text)]);
    }
}
