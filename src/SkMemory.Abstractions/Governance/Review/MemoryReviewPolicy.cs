namespace SkMemory;

/// <summary>
/// Which writes wait for a person's approval instead of entering the store: by memory type, confidence, the writing
/// actor's kind, or scope kind. A matching write is held in the <see cref="IMemoryReviewStore"/>; a reviewer approves it
/// (it is then written, as its original actor) or rejects it, with a reason either way.
/// </summary>
public sealed record MemoryReviewPolicy
{
    /// <summary>Gets the memory types whose writes are held.</summary>
    public IReadOnlyList<string> HoldTypes { get; init; } = [];

    /// <summary>Gets the confidence below which a write is held, or null for none.</summary>
    public double? HoldBelowConfidence { get; init; }

    /// <summary>Gets the actor kinds whose writes are held (for example every agent's).</summary>
    public IReadOnlyList<MemoryActorKind> HoldActorKinds { get; init; } = [];

    /// <summary>Gets the scope kinds whose writes are held (for example public memories).</summary>
    public IReadOnlyList<MemoryScopeKind> HoldScopeKinds { get; init; } = [];

    /// <summary>Gets a value indicating whether the policy holds nothing.</summary>
    public bool IsEmpty => HoldTypes.Count == 0 && HoldBelowConfidence is null && HoldActorKinds.Count == 0 && HoldScopeKinds.Count == 0;

    /// <summary>Why the policy holds a write, or null when it lets it through.</summary>
    /// <param name="request">The write.</param>
    /// <returns>The rule that matched, in words.</returns>
    public string? RuleFor(MemoryWriteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (HoldTypes.Contains(request.Type, StringComparer.Ordinal))
        {
            return $"type '{request.Type}' is held for review";
        }

        if (HoldBelowConfidence is { } threshold && request.Confidence < threshold)
        {
            return $"confidence {request.Confidence:0.##} is below {threshold:0.##}";
        }

        if (HoldActorKinds.Contains(request.Actor.Kind))
        {
            return $"writes by {MemoryJson.EnumName(request.Actor.Kind)} actors are held for review";
        }

        if (HoldScopeKinds.Contains(request.Scope.Kind))
        {
            return $"{MemoryJson.EnumName(request.Scope.Kind)} memories are held for review";
        }

        return null;
    }
}
