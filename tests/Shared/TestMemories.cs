using System.Globalization;

namespace SkMemory.Tests;

/// <summary>Builds in-memory <see cref="MemoryRecord"/>s for tests of code that takes records (packing, reranking) without a store.</summary>
internal static class TestMemories
{
    /// <summary>The date every test memory became true.</summary>
    public static readonly DateTimeOffset ValidFrom = new(2025, 5, 8, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Creates an active personal memory of <c>user:ana</c> in tenant <c>t1</c>.</summary>
    /// <param name="text">The value text.</param>
    /// <param name="type">The type.</param>
    /// <param name="confidence">The confidence.</param>
    /// <param name="writtenAt">When it was created and last updated; <see cref="ValidFrom"/> by default.</param>
    /// <returns>The record.</returns>
    public static MemoryRecord Record(string text, string type = MemoryTypes.Preference, double confidence = 1, DateTimeOffset? writtenAt = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Tenant = "t1",
        Type = type,
        Scope = MemoryScope.Personal,
        Subject = "user:ana",
        Actor = MemoryActor.User("ana"),
        Value = text,
        Confidence = confidence,
        CreatedAt = writtenAt ?? ValidFrom,
        UpdatedAt = writtenAt ?? ValidFrom,
        ValidFrom = ValidFrom,
        ContentHash = "sha256:" + text.GetHashCode(StringComparison.Ordinal).ToString("x8", CultureInfo.InvariantCulture),
    };
}
