using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AgentFrameworkAgent;

/// <summary>
/// The offline model: it answers from what it was given, so the output shows what memory put in front of it. Asked what
/// it remembers, it repeats the quoted memories from its instructions; otherwise it acknowledges the user.
/// </summary>
internal sealed partial class ScriptedModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var last = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var remembered = QuotedMemory().Matches(options?.Instructions ?? string.Empty).Select(m => m.Groups[1].Value).ToList();
        var answer = last.Contains("remember", StringComparison.OrdinalIgnoreCase) || last.Contains('?', StringComparison.Ordinal)
            ? remembered.Count == 0 ? "I don't know anything about you yet." : "From my memory: " + string.Join("; ", remembered) + "."
            : "Nice to meet you! I'll keep that in mind.";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
    }

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

    // A packet line: - [memory:<id>] (<type>, confidence ..., since ...) "<text>"
    [GeneratedRegex("""^- \[memory:[^\]]+\] \([^)]*\) "(.*)"$""", RegexOptions.Multiline)]
    private static partial Regex QuotedMemory();
}
