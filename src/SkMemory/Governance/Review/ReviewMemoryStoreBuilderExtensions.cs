using SkMemory.Governance.Review;

namespace SkMemory;

/// <summary>Adds the review layer to a <see cref="MemoryStoreBuilder"/>.</summary>
public static class ReviewMemoryStoreBuilderExtensions
{
    /// <summary>Holds the writes <paramref name="policy"/> names for review; an empty policy adds no layer.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="policy">Which writes to hold, or null for none.</param>
    /// <param name="timeProvider">The clock of the review items.</param>
    /// <returns>The builder.</returns>
    public static MemoryStoreBuilder UseReview(this MemoryStoreBuilder builder, MemoryReviewPolicy? policy, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return policy is null || policy.IsEmpty ? builder : builder.Use(inner => new ReviewingMemoryStore(inner, policy, timeProvider));
    }
}
