namespace SkMemory;

/// <summary>One vault entry: a token and the value it stands for.</summary>
public sealed record MemoryVaultEntry
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the token.</summary>
    public required string Token { get; init; }

    /// <summary>Gets the kind.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the subject the value belongs to, if known.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets the value as stored (sealed when the redaction layer encrypts).</summary>
    public required string Value { get; init; }

    /// <summary>Gets when the token was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
