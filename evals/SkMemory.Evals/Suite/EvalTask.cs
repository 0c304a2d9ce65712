namespace SkMemory.Evals.Suite;

/// <summary>A task an agent runs for the user at a point in time: a query, and the memories its answer needs.</summary>
public sealed record EvalTask
{
    /// <summary>Gets the id, unique within the user (e.g. <c>t2</c>); results name it <c>user/id</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the task kind (e.g. <c>checkout</c>, <c>support</c>, <c>travel</c>, <c>onboarding</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the agent that runs it.</summary>
    public required string Agent { get; init; }

    /// <summary>Gets the session after which it runs.</summary>
    public required string After { get; init; }

    /// <summary>Gets the query the agent searches memory with.</summary>
    public required string Query { get; init; }

    /// <summary>Gets the expected memories the task needs (recall is over these).</summary>
    public required IReadOnlyList<string> Needs { get; init; }

    /// <summary>Gets further expected memories that are relevant to the task, without being needed (precision counts them as hits).</summary>
    public IReadOnlyList<string> Relevant { get; init; } = [];
}
