using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace SkMemory.Samples;

/// <summary>
/// What every sample's offline scripted model shares: streaming replays the one scripted reply, and it reports chat-client
/// metadata (Semantic Kernel's chat-client adapter needs it). Each sample scripts only <see cref="GetResponseAsync"/>: the
/// Semantic Kernel sample calls the memory plugin and reads the packet from a system message, the Agent Framework sample
/// reads it from the run's instructions.
/// </summary>
internal abstract class ScriptedModelBase : IChatClient
{
    public abstract Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted-offline")
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
