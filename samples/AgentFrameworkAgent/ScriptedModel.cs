using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using SkMemory.Samples;

namespace AgentFrameworkAgent;

/// <summary>
/// The offline model: it answers from what it was given, so the output shows what memory put in front of it. Asked what
/// it remembers, it repeats the quoted memories from its instructions; otherwise it acknowledges the user.
/// </summary>
internal sealed partial class ScriptedModel : ScriptedModelBase
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var last = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var remembered = QuotedMemory().Matches(options?.Instructions ?? string.Empty).Select(m => m.Groups[1].Value).ToList();
        var answer = last.Contains("remember", StringComparison.OrdinalIgnoreCase) || last.Contains('?', StringComparison.Ordinal)
            ? remembered.Count == 0 ? "I don't know anything about you yet." : "From my memory: " + string.Join("; ", remembered) + "."
            : "Nice to meet you! I'll keep that in mind.";
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
    }

    // A packet line: - [memory:<id>] (<type>, confidence ..., since ...) "<text>"
    [GeneratedRegex("""^- \[memory:[^\]]+\] \([^)]*\) "(.*)"$""", RegexOptions.Multiline)]
    private static partial Regex QuotedMemory();
}
