using System.Globalization;

namespace SkMemory.Governance.Retention;

/// <summary>
/// One retention rule: memories of a type (optionally only in one scope kind) expire a number of days after an anchor,
/// and their content is purged a number of days after they expire. A rule without <see cref="ExpireAfterDays"/> keeps its
/// memories until something else expires them.
/// </summary>
public sealed record MemoryRetentionRule
{
    /// <summary>Gets the memory type the rule covers.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the scope kind the rule covers, or <see langword="null"/> for every scope; a scope rule overrides its type's rule.</summary>
    public MemoryScopeKind? Scope { get; init; }

    /// <summary>Gets the days after <see cref="Anchor"/> at which a memory expires, or <see langword="null"/> to keep it.</summary>
    public int? ExpireAfterDays { get; init; }

    /// <summary>Gets what the days count from.</summary>
    public MemoryRetentionAnchor Anchor { get; init; } = MemoryRetentionAnchor.LastTouch;

    /// <summary>
    /// Gets the days after expiry at which the content is purged (0: in the same sweep), or <see langword="null"/> to use
    /// the policy default's.
    /// </summary>
    public int? PurgeAfterDays { get; init; }

    /// <summary>Gets the rule's name in reports and reasons: the type, <c>@scope</c> when scoped.</summary>
    public string Name => Scope is { } scope ? $"{Type}@{MemoryJson.EnumName(scope)}" : Type;

    /// <summary>Gets the reason an expiry by this rule records.</summary>
    public string ExpireReason => ExpireAfterDays is { } days
        ? string.Create(CultureInfo.InvariantCulture, $"retention: {Name} {days}d after {Anchor}")
        : $"retention: {Name}";

    /// <inheritdoc />
    public override string ToString() => ExpireAfterDays is null ? $"{Name}: keep" : ExpireReason["retention: ".Length..];
}
