namespace SkMemory.Governance.Retention;

/// <summary>How far a sweep has come: the tenant and phase it is in, and its running totals over the whole sweep.</summary>
/// <param name="Tenant">The tenant being swept.</param>
/// <param name="Phase">The phase: <c>expire</c>, <c>purge</c>, <c>consent</c> or <c>failed_extractions</c>.</param>
/// <param name="Examined">Memories (and jobs) looked at so far.</param>
/// <param name="Expired">Memories expired so far (or that would be, in a dry run).</param>
/// <param name="Purged">Memories (and job inputs) purged so far.</param>
/// <param name="Held">Due memories skipped because a legal hold covers them.</param>
/// <param name="Errors">Operations that failed.</param>
public sealed record MemoryRetentionProgress(string Tenant, string Phase, int Examined, int Expired, int Purged, int Held, int Errors);
