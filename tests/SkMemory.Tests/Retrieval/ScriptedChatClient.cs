using Microsoft.Extensions.AI;

namespace SkMemory.Tests.Retrieval;

/// <summary>A fake chat client that answers from a queue of scripted steps and records every request it got.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<Func<CancellationToken, ChatResponse>> _script = new();
    private readonly List<ScriptedChatRequest> _requests = [];
    private readonly Lock _gate = new();

    /// <summary>Gets or sets the metadata returned by <see cref="GetService"/>, or null for none.</summary>
    public ChatClientMetadata? Metadata { get; set; }

    /// <summary>Gets the requests received so far, in order.</summary>
    public IReadOnlyList<ScriptedChatRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Queues an assistant reply with the given text.</summary>
    public ScriptedChatClient Reply(string text) => Then(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));

    /// <summary>Queues an exception.</summary>
    public ScriptedChatClient Throw(Exception exception) => Then(_ => throw exception);

    /// <summary>Queues a step that cancels <paramref name="source"/> during the call, so the call observes the cancellation.</summary>
    public ScriptedChatClient CancelDuringCall(CancellationTokenSource source) => Then(token =>
    {
        source.Cancel();
        token.ThrowIfCancellationRequested();
        return new ChatResponse();
    });

    /// <summary>Queues a step that computes the response (or throws) from the request's cancellation token.</summary>
    public ScriptedChatClient Then(Func<CancellationToken, ChatResponse> step)
    {
        lock (_gate)
        {
            _script.Enqueue(step);
        }

        return this;
    }

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Func<CancellationToken, ChatResponse> step;
        lock (_gate)
        {
            _requests.Add(new ScriptedChatRequest([.. messages], options?.Clone()));
            if (!_script.TryDequeue(out step!))
            {
                throw new InvalidOperationException($"The script has no response for request {_requests.Count}.");
            }
        }

        return Task.FromResult(step(cancellationToken));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The reranker does not stream.");

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
