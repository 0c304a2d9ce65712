namespace SkMemory.Evals.Suite;

/// <summary>
/// A durable memory a careful memory layer keeps from the sessions. A stored memory accounts for it when it is about the
/// user, of the same type, and cites one of its evidence turns (the capture benchmark's matching).
/// </summary>
public sealed record EvalExpectedMemory
{
    /// <summary>Gets the id, unique within the user (e.g. <c>m3</c>); tasks and changes refer to it.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the memory type (<c>preference</c>, <c>identifier</c>, <c>asset</c>, <c>skill</c>, <c>constraint</c>, <c>fact</c>, <c>event</c>).</summary>
    public required string Type { get; init; }

    /// <summary>Gets the turns that state it.</summary>
    public required IReadOnlyList<string> Evidence { get; init; }

    /// <summary>Gets the memory in words, for people reading a failure.</summary>
    public required string Text { get; init; }

    /// <summary>Gets a distinctive word or phrase of the value (e.g. <c>oat milk</c>), looked for in returned and exported texts once the memory is changed or removed.</summary>
    public required string Value { get; init; }

    /// <summary>Gets the status the memory should end in: <c>active</c>, <c>superseded</c>, <c>deleted</c>, <c>purged</c> or <c>expired</c>.</summary>
    public string Status { get; init; } = "active";
}
