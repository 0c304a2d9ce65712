namespace SkMemory;

/// <summary>A memory's link to its copy in an external system.</summary>
/// <param name="System">The external system, for example <c>mem0</c>.</param>
/// <param name="Tenant">The memory's tenant.</param>
/// <param name="MemoryId">The memory's id in the canonical store.</param>
/// <param name="ExternalId">The id of the copy in the external system, or null when no copy was ever created.</param>
/// <param name="SyncedVersion">The memory version the copy reflects; 0 when nothing was pushed yet.</param>
/// <param name="LastError">Why the last push failed, or null after a successful one.</param>
/// <param name="UpdatedAt">When the link last changed.</param>
public sealed record MemoryExternalLink(string System, string Tenant, Guid MemoryId, string? ExternalId, long SyncedVersion, string? LastError, DateTimeOffset UpdatedAt);
