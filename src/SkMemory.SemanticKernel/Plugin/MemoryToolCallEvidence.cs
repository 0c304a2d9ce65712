using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace SkMemory.SemanticKernel;

/// <summary>The evidence of the tool call a memory function runs in: its id and the user's latest message.</summary>
internal sealed record MemoryToolCallEvidence(string? ToolCallId, string? UserMessageId, string? UserText)
{
    private static readonly AsyncLocal<MemoryToolCallEvidence?> Flow = new();

    /// <summary>Gets or sets the evidence set by <see cref="MemoryAutoInvocationFilter"/> for the current flow.</summary>
    public static MemoryToolCallEvidence? Current
    {
        get => Flow.Value;
        set => Flow.Value = value;
    }

    /// <summary>Finds the evidence: M.E.AI's function-invocation context first, then what the SK filter recorded.</summary>
    public static MemoryToolCallEvidence Find(string? session)
    {
        if (FunctionInvokingChatClient.CurrentContext is { } context)
        {
            var user = context.Messages.LastOrDefault(m => m.Role == ChatRole.User && !string.IsNullOrWhiteSpace(m.Text));
            return new MemoryToolCallEvidence(
                context.CallContent.CallId,
                user is null ? null : MessageIds.Of(user.MessageId, session, "user", user.Text),
                user?.Text);
        }

        return Current ?? new MemoryToolCallEvidence(null, null, null);
    }

    /// <summary>Reads the evidence from SK's auto-invocation context.</summary>
    public static MemoryToolCallEvidence From(AutoFunctionInvocationContext context, string? session)
    {
        var user = context.ChatHistory.LastOrDefault(m => m.Role == AuthorRole.User && !string.IsNullOrWhiteSpace(m.Content));
        return new MemoryToolCallEvidence(
            context.ToolCallId,
            user is null ? null : MessageIds.Of(MessageIds.FromMetadata(user), session, "user", user.Content!),
            user?.Content);
    }
}
