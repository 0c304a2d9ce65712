namespace SkMemory.Evals.Suite;

/// <summary>One session of a user with one agent.</summary>
public sealed record EvalSession
{
    /// <summary>Gets the session id, unique within the user (e.g. <c>s1</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the agent the user talks to.</summary>
    public required string Agent { get; init; }

    /// <summary>Gets when the session started; turn <c>n</c> (from 0) is observed <c>n</c> minutes later.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Gets the turns, in order.</summary>
    public required IReadOnlyList<EvalTurn> Turns { get; init; }
}
