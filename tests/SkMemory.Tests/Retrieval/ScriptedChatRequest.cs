using Microsoft.Extensions.AI;

namespace SkMemory.Tests.Retrieval;

/// <summary>One request a <see cref="ScriptedChatClient"/> got.</summary>
/// <param name="Messages">A copy of the messages.</param>
/// <param name="Options">A copy of the options.</param>
internal sealed record ScriptedChatRequest(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options);
