namespace SkMemory.Capture;

/// <summary>
/// The contamination gate's rules: one default, and per-type overrides (<c>Types["event"] = …</c>). A candidate is
/// checked against the rule of its type, or the default when its type has none.
/// </summary>
public sealed class MemoryGateOptions
{
    /// <summary>Gets or sets the rule for types without their own.</summary>
    public MemoryGateRule Default { get; set; } = new();

    /// <summary>Gets the per-type rules, by type name.</summary>
    public IDictionary<string, MemoryGateRule> Types { get; } = new Dictionary<string, MemoryGateRule>(StringComparer.Ordinal);

    /// <summary>Gets or sets the largest value text, in UTF-8 bytes, the gate lets through; match the store's limit.</summary>
    public int MaxValueBytes { get; set; } = new MemoryStoreOptions().MaxValueBytes;

    /// <summary>Gets the rule for a type.</summary>
    /// <param name="type">The type name.</param>
    /// <returns>The type's rule, or <see cref="Default"/>.</returns>
    public MemoryGateRule RuleFor(string type) => Types.TryGetValue(type, out var rule) ? rule : Default;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A rule is invalid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Default, nameof(Default));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValueBytes, 1, nameof(MaxValueBytes));
        foreach (var (type, rule) in Types.Prepend(new KeyValuePair<string, MemoryGateRule>("(default)", Default)))
        {
            if (rule is null || !double.IsFinite(rule.MinConfidence) || rule.MinConfidence is < 0 or > 1)
            {
                throw new ArgumentException($"The gate rule for {type} needs a MinConfidence between 0 and 1.", nameof(Types));
            }
        }
    }

    /// <summary>Copies the options, so later changes by the caller do not reach a gate already built.</summary>
    /// <returns>The copy.</returns>
    internal MemoryGateOptions Copy()
    {
        var copy = new MemoryGateOptions { Default = Default, MaxValueBytes = MaxValueBytes };
        foreach (var (type, rule) in Types)
        {
            copy.Types[type] = rule;
        }

        return copy;
    }
}

/// <summary>What the gate requires of candidates of one type.</summary>
public sealed record MemoryGateRule
{
    /// <summary>Gets a value indicating whether candidates of the type are captured at all.</summary>
    public bool Capture { get; init; } = true;

    /// <summary>Gets the lowest confidence promoted to durable memory.</summary>
    public double MinConfidence { get; init; } = 0.5;

    /// <summary>Gets a value indicating whether a candidate must cite evidence (a message, tool call, file or quoted span).</summary>
    public bool RequireEvidence { get; init; } = true;

    /// <summary>Gets the signals that do not reject a candidate of the type (for example transient states for a mood journal).</summary>
    public IReadOnlySet<MemoryCandidateSignal> AllowedSignals { get; init; } = new HashSet<MemoryCandidateSignal>();
}
