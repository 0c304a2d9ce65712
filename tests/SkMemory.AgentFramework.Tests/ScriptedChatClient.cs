using Microsoft.Extensions.AI;

namespace SkMemory.AgentFramework.Tests;

/// <summary>A scripted model: records what each call saw (messages and instructions) and answers from a function.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Func<IReadOnlyList<ChatMessage>, string> _answer;
    private readonly Lock _gate = new();
    private readonly List<ModelCall> _calls = [];

    public ScriptedChatClient(Func<IReadOnlyList<ChatMessage>, string>? answer = null) =>
        _answer = answer ?? (messages => "Noted: " + messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text);

    /// <summary>Gets or sets an exception the next calls throw (a model outage).</summary>
    public Exception? Throw { get; set; }

    public IReadOnlyList<ModelCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var seen = messages.Select(m => m.Clone()).ToList();
        lock (_gate)
        {
            _calls.Add(new ModelCall(seen, options?.Instructions));
        }

        if (Throw is not null)
        {
            throw Throw;
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, _answer(seen))));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", null, "model")
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

/// <summary>What the model saw in one call.</summary>
internal sealed record ModelCall(IReadOnlyList<ChatMessage> Messages, string? Instructions);
