namespace SkMemory;

/// <summary>The names of the built-in memory types.</summary>
public static class MemoryTypes
{
    /// <summary>A like, dislike or choice ("prefers oat milk").</summary>
    public const string Preference = "preference";

    /// <summary>An identifier of the subject ("GitHub handle is @ana").</summary>
    public const string Identifier = "identifier";

    /// <summary>Something the subject owns or uses ("drives a 2019 Civic").</summary>
    public const string Asset = "asset";

    /// <summary>Something the subject can do ("fluent in Go").</summary>
    public const string Skill = "skill";

    /// <summary>A rule to respect ("never email after 6pm").</summary>
    public const string Constraint = "constraint";

    /// <summary>A durable fact ("lives in Lisbon").</summary>
    public const string Fact = "fact";

    /// <summary>Something that happened at a time ("ran a marathon on 2023-05-07").</summary>
    public const string Event = "event";

    /// <summary>Gets the built-in type names.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = [Preference, Identifier, Asset, Skill, Constraint, Fact, Event];
}
