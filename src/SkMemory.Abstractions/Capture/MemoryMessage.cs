using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>One conversation turn given to an extractor: who said what, when, under a stable id that evidence cites.</summary>
public sealed record MemoryMessage
{
    /// <summary>Gets the message id, unique within the conversation; candidates cite it as evidence.</summary>
    public required string Id { get; init; }

    /// <summary>Gets who said it, as named in the conversation ("Caroline", "user", "support-bot").</summary>
    public required string Speaker { get; init; }

    /// <summary>Gets the speaker's role; only <see cref="MemoryMessageRole.User"/> turns state facts about people by default.</summary>
    public MemoryMessageRole Role { get; init; } = MemoryMessageRole.User;

    /// <summary>Gets the text said.</summary>
    public required string Text { get; init; }

    /// <summary>Gets when it was said: relative dates ("last week") are grounded against this time.</summary>
    public required DateTimeOffset ObservedAt { get; init; }

    /// <summary>Gets the session the turn belongs to, if the conversation has several.</summary>
    public string? Session { get; init; }
}

/// <summary>The role of a conversation turn's speaker.</summary>
public enum MemoryMessageRole
{
    /// <summary>A person.</summary>
    [JsonStringEnumMemberName("user")]
    User,

    /// <summary>The AI assistant: its guesses and suggestions are not facts about the user.</summary>
    [JsonStringEnumMemberName("assistant")]
    Assistant,

    /// <summary>System instructions.</summary>
    [JsonStringEnumMemberName("system")]
    System,

    /// <summary>A tool result echoed into the conversation.</summary>
    [JsonStringEnumMemberName("tool")]
    Tool,
}
