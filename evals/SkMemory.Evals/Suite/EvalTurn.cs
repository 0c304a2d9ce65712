namespace SkMemory.Evals.Suite;

/// <summary>One turn of a session.</summary>
public sealed record EvalTurn
{
    /// <summary>The role of the user's own turns.</summary>
    public const string UserRole = "user";

    /// <summary>The role of the agent's turns.</summary>
    public const string AssistantRole = "assistant";

    /// <summary>The role of a tool's output.</summary>
    public const string ToolRole = "tool";

    /// <summary>Gets the turn id, unique within the user (e.g. <c>s1-3</c>); memories cite it as evidence.</summary>
    public required string Id { get; init; }

    /// <summary>Gets who speaks: <c>user</c>, <c>assistant</c> or <c>tool</c>.</summary>
    public required string Role { get; init; }

    /// <summary>Gets the tool's name, for a <c>tool</c> turn.</summary>
    public string? Tool { get; init; }

    /// <summary>Gets the text.</summary>
    public required string Text { get; init; }
}
