using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>How a memory's relevance decays with the time since it was last touched.</summary>
public sealed record MemoryDecayPolicy
{
    /// <summary>Gets the decay curve.</summary>
    public MemoryDecayKind Kind { get; init; }

    /// <summary>Gets the half-life for <see cref="MemoryDecayKind.Exponential"/> decay.</summary>
    public TimeSpan? HalfLife { get; init; }

    /// <summary>Gets the policy under which relevance never decays.</summary>
    public static MemoryDecayPolicy None { get; } = new() { Kind = MemoryDecayKind.None };

    /// <summary>Creates an exponential decay policy.</summary>
    /// <param name="halfLife">The time after which relevance halves.</param>
    /// <returns>The policy.</returns>
    public static MemoryDecayPolicy Exponential(TimeSpan halfLife) => new() { Kind = MemoryDecayKind.Exponential, HalfLife = halfLife };
}

/// <summary>Decay curves.</summary>
public enum MemoryDecayKind
{
    /// <summary>No decay.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>Relevance halves every half-life.</summary>
    [JsonStringEnumMemberName("exponential")]
    Exponential,
}
