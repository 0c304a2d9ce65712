namespace SkMemory;

/// <summary>One reveal of a vault token: who, why, when.</summary>
public sealed record MemoryVaultReveal
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the token revealed.</summary>
    public required string Token { get; init; }

    /// <summary>Gets who revealed it.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets why.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets when.</summary>
    public required DateTimeOffset RevealedAt { get; init; }
}
