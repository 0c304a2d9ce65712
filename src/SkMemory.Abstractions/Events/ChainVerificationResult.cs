namespace SkMemory;

/// <summary>The outcome of recomputing a store's hash chains.</summary>
/// <param name="IsValid">Whether every chain verified.</param>
/// <param name="TenantCount">How many tenant chains were checked.</param>
/// <param name="EventCount">How many events were checked.</param>
/// <param name="FirstBrokenLink">The first broken link found, or null.</param>
public sealed record ChainVerificationResult(bool IsValid, int TenantCount, long EventCount, BrokenChainLink? FirstBrokenLink);

/// <summary>Where a hash chain breaks and why.</summary>
/// <param name="Tenant">The tenant whose chain breaks.</param>
/// <param name="Sequence">The sequence number of the first event that does not verify.</param>
/// <param name="EventId">The id of that event, when it exists.</param>
/// <param name="Problem">What is wrong.</param>
public sealed record BrokenChainLink(string Tenant, long Sequence, Guid? EventId, string Problem);
