namespace SkMemory.Redaction;

/// <summary>One tenant's overrides of the redaction policy: actions per kind, and per memory type and kind.</summary>
public sealed record MemoryRedactionTenantPolicy
{
    /// <summary>Gets the tenant's action per kind.</summary>
    public IReadOnlyDictionary<string, MemoryRedactionAction> Kinds { get; init; } = new Dictionary<string, MemoryRedactionAction>(StringComparer.Ordinal);

    /// <summary>Gets the tenant's action per memory type, then kind; these win over <see cref="Kinds"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>> Types { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>>(StringComparer.Ordinal);
}
