namespace SkMemory.Mem0;

/// <summary>Options of a <see cref="Mem0MemoryStore"/>.</summary>
public sealed class Mem0MemoryStoreOptions
{
    /// <summary>Gets or sets how many Mem0 candidates a search asks for per result wanted, before the canonical filter narrows them.</summary>
    public int SearchCandidateMultiplier { get; set; } = 4;

    /// <summary>Gets or sets the fewest Mem0 candidates a search asks for.</summary>
    public int MinSearchCandidates { get; set; } = 20;

    /// <summary>Gets or sets the Mem0 score threshold of searches, 0 to 1; null leaves Mem0's default (0.1).</summary>
    public double? SearchThreshold { get; set; }

    /// <summary>Gets or sets the memory type given to memories another Mem0 client wrote when reconcile adopts them.</summary>
    public string AdoptedType { get; set; } = MemoryTypes.Fact;

    /// <summary>Gets or sets the tenant of adopted memories that carry no tenant (no SkMemory record and no <c>app_id</c>).</summary>
    public string DefaultTenant { get; set; } = "default";

    /// <summary>Gets or sets a value indicating whether disposing the store disposes the client and the mirror.</summary>
    public bool OwnsDependencies { get; set; } = true;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (SearchCandidateMultiplier is < 1 or > 100)
        {
            throw new ArgumentException($"{nameof(SearchCandidateMultiplier)} must be between 1 and 100; it is {SearchCandidateMultiplier}.", nameof(SearchCandidateMultiplier));
        }

        if (MinSearchCandidates is < 1 or > 1000)
        {
            throw new ArgumentException($"{nameof(MinSearchCandidates)} must be between 1 and 1000; it is {MinSearchCandidates}.", nameof(MinSearchCandidates));
        }

        if (SearchThreshold is < 0 or > 1 || (SearchThreshold is { } t && double.IsNaN(t)))
        {
            throw new ArgumentException($"{nameof(SearchThreshold)} must be between 0 and 1; it is {SearchThreshold}.", nameof(SearchThreshold));
        }

        if (string.IsNullOrWhiteSpace(AdoptedType))
        {
            throw new ArgumentException($"{nameof(AdoptedType)} must name a registered memory type.", nameof(AdoptedType));
        }

        if (string.IsNullOrWhiteSpace(DefaultTenant))
        {
            throw new ArgumentException($"{nameof(DefaultTenant)} must not be blank.", nameof(DefaultTenant));
        }
    }
}
