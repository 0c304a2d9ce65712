using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using SkMemory.Samples;

namespace SemanticKernelAgent;

/// <summary>
/// The offline stand-in for a model: when the user states a preference it calls <c>memory_remember</c> with the user's words
/// as evidence; when a memory packet is in its context it answers from it; otherwise it makes small talk.
/// </summary>
internal sealed partial class ScriptedModel : ScriptedModelBase
{
    private int _calls;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var call = Interlocked.Increment(ref _calls);
        var user = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var toolDone = list.Count > 0 && list[^1].Role == ChatRole.Tool;
        var packet = list.FirstOrDefault(m => m.Role == ChatRole.System && m.Text.Contains("<memories>", StringComparison.Ordinal))?.Text;

        if (!toolDone && PreferenceStatement().Match(user) is { Success: true } preference && options?.Tools is { Count: > 0 })
        {
            var evidence = preference.Value.TrimEnd('.', '!');
            return Reply(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call_{call}", "memory_remember", new Dictionary<string, object?>
            {
                ["memory"] = "Prefers " + preference.Groups["what"].Value.TrimEnd('.', '!'),
                ["type"] = "preference",
                ["evidence"] = evidence,
            })]));
        }

        if (toolDone)
        {
            return Reply(new ChatMessage(ChatRole.Assistant, "Got it, I'll remember that for next time."));
        }

        if (packet is not null && MemoryLine().Match(packet) is { Success: true } remembered)
        {
            return Reply(new ChatMessage(ChatRole.Assistant, $"Welcome back! From what I remember: {remembered.Groups["text"].Value}."));
        }

        return Reply(new ChatMessage(ChatRole.Assistant, "Nice to meet you! Tell me how you like your coffee."));
    }

    private Task<ChatResponse> Reply(ChatMessage message)
    {
        message.MessageId = $"assistant_{_calls}";
        return Task.FromResult(new ChatResponse(message));
    }

    [GeneratedRegex(@"I (?:prefer|like|love) (?<what>[^.!?,]+)", RegexOptions.IgnoreCase)]
    private static partial Regex PreferenceStatement();

    [GeneratedRegex("\"(?<text>[^\"]+)\"")]
    private static partial Regex MemoryLine();
}
