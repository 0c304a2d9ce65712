namespace SkMemory.Governance.Retention;

/// <summary>What one rule did in a sweep.</summary>
/// <param name="Rule">
/// The rule: a type (<c>preference</c>), a type in a scope (<c>fact@public</c>), <c>default</c>, <c>consent_revoked</c> or
/// <c>failed_extractions</c>.
/// </param>
/// <param name="Examined">Memories (or jobs) the rule looked at.</param>
/// <param name="Expired">Memories it expired (or would, in a dry run).</param>
/// <param name="Purged">Memories (or job inputs) it purged (or would).</param>
/// <param name="Held">Due memories it skipped because a legal hold covers them.</param>
/// <param name="Errors">Operations that failed (see <see cref="MemoryRetentionReport.ErrorMessages"/>).</param>
public sealed record MemoryRetentionRuleReport(string Rule, int Examined, int Expired, int Purged, int Held, int Errors);
