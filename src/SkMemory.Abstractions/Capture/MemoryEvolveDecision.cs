using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>What to do with an accepted candidate, given the related memories the subject already has.</summary>
/// <param name="Action">The action.</param>
/// <param name="Reason">Why, in a sentence recorded on the event.</param>
/// <param name="TargetId">The existing memory merged into, superseded, or repeated; null for <see cref="MemoryEvolveAction.Add"/>.</param>
public sealed record MemoryEvolveDecision(MemoryEvolveAction Action, string Reason, Guid? TargetId = null);

/// <summary>The evolve actions.</summary>
public enum MemoryEvolveAction
{
    /// <summary>Store the candidate as a new memory.</summary>
    [JsonStringEnumMemberName("add")]
    Add,

    /// <summary>The candidate corroborates an existing memory: raise its confidence and add the evidence.</summary>
    [JsonStringEnumMemberName("merge")]
    Merge,

    /// <summary>The candidate replaces an existing memory: the old version gets <c>valid_to</c> and a link to the new one.</summary>
    [JsonStringEnumMemberName("supersede")]
    Supersede,

    /// <summary>The candidate repeats what is stored (or is older than it): nothing changes.</summary>
    [JsonStringEnumMemberName("noop")]
    NoOp,
}

/// <summary>An existing memory related to a candidate, and how it was found.</summary>
/// <param name="Record">The memory.</param>
/// <param name="Similarity">How alike the texts are, 0..1 (1 for the same slot key).</param>
/// <param name="SameKey">Whether the memory fills the same slot key as the candidate.</param>
public sealed record MemoryRelatedRecord(MemoryRecord Record, double Similarity, bool SameKey);

/// <summary>Decides how an accepted candidate changes the memories the subject already has.</summary>
public interface IMemoryConflictResolver
{
    /// <summary>Gets the resolver's name, recorded in decision reasons (<c>rules</c>, <c>chat:…</c>).</summary>
    string Name { get; }

    /// <summary>Decides add, merge, supersede or no-op.</summary>
    /// <param name="candidate">The accepted candidate.</param>
    /// <param name="related">Related active memories of the same subject and type, most related first (same key first).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The decision; its target is one of <paramref name="related"/>.</returns>
    Task<MemoryEvolveDecision> ResolveAsync(MemoryCandidate candidate, IReadOnlyList<MemoryRelatedRecord> related, CancellationToken cancellationToken = default);
}
