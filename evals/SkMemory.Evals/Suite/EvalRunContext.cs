using SkMemory.Capture;
using SkMemory.Packing;

namespace SkMemory.Evals.Suite;

/// <summary>What every user's run shares: the stores, the caller slot, the pipeline, the packet builder and the scoreboard.</summary>
/// <param name="Raw">The raw store (reads for scoring, export, consents).</param>
/// <param name="Governed">The store as the product composes it: access control, then redaction.</param>
/// <param name="Callers">The caller of the next governed operation.</param>
/// <param name="Pipeline">The capture pipeline over the governed store.</param>
/// <param name="Packets">The packet builder.</param>
/// <param name="Board">The scoreboard.</param>
/// <param name="Options">The options.</param>
/// <param name="Prefix">The tenant prefix of this run.</param>
/// <param name="Suite">The suite (for probes that need another user).</param>
internal sealed record EvalRunContext(
    IMemoryStore Raw,
    IMemoryStore Governed,
    MemoryCallerAccessor Callers,
    MemoryCapturePipeline Pipeline,
    MemoryPacketBuilder Packets,
    EvalScoreboard Board,
    EvalRunOptions Options,
    string Prefix,
    EvalSuite Suite)
{
    /// <summary>Gets the ids of every memory each tenant held at the end of the last user run in it (every status), by tenant.</summary>
    public Dictionary<string, HashSet<Guid>> TenantIds { get; } = new(StringComparer.Ordinal);
}
