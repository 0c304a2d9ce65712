namespace SkMemory.Governance.Retention;

/// <summary>Options of <see cref="MemoryRetentionService"/>, checked when the service starts.</summary>
public sealed class MemoryRetentionServiceOptions
{
    /// <summary>Gets or sets the time between the end of one sweep and the start of the next; one hour by default.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the policy file; the default policy (docs/retention.policy.json) when <see langword="null"/>.</summary>
    public string? PolicyPath { get; set; }

    /// <summary>Gets or sets the policy itself; takes precedence over <see cref="PolicyPath"/>.</summary>
    public MemoryRetentionPolicy? Policy { get; set; }

    /// <summary>Gets or sets the tenant to sweep, or <see langword="null"/> for every tenant.</summary>
    public string? Tenant { get; set; }

    /// <summary>Gets or sets a value indicating whether sweeps only report.</summary>
    public bool DryRun { get; set; }

    /// <summary>Gets or sets the clock that decides what is due; the system clock when <see langword="null"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Checks the options and loads the policy, so a bad policy file stops the host at start-up.</summary>
    /// <param name="types">The store's memory types.</param>
    /// <returns>The policy to apply.</returns>
    /// <exception cref="InvalidOperationException">The interval is not positive.</exception>
    /// <exception cref="MemoryRetentionPolicyException">The policy file is invalid.</exception>
    public MemoryRetentionPolicy Validate(MemoryTypeRegistry? types)
    {
        if (Interval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"MemoryRetentionServiceOptions.Interval must be positive (for example one hour); it is {Interval}.");
        }

        return Policy ?? (PolicyPath is { } path ? MemoryRetentionPolicy.Load(path, types) : MemoryRetentionPolicy.CreateDefault());
    }
}
