using Microsoft.Extensions.AI;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>A model that answers from a script and records every request it saw (messages and options).</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Func<IReadOnlyList<ChatMessage>, int, ChatResponse> _script;
    private readonly Lock _gate = new();

    public ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, int, ChatResponse> script) => _script = script;

    public ScriptedChatClient(params string[] replies)
        : this((_, i) => new ChatResponse(new ChatMessage(ChatRole.Assistant, replies[Math.Min(i, replies.Length - 1)]) { MessageId = $"reply_{i}" }))
    {
    }

    public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

    public List<ChatOptions?> Options { get; } = [];

    public IReadOnlyList<ChatMessage> Last => Requests[^1];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> seen = [.. messages];
        int index;
        lock (_gate)
        {
            Requests.Add(seen);
            Options.Add(options);
            index = Requests.Count - 1;
        }

        return Task.FromResult(_script(seen, index));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    // SK's ChatClientAIService needs metadata, or its constructor throws.
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", null, "model")
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
