namespace SkMemory.Governance;

/// <summary>Options of <see cref="AccessControlledMemoryStore"/>.</summary>
public sealed class MemoryAccessOptions
{
    /// <summary>
    /// Gets or sets the scope kinds whose writes need the subject's consent in force (<see cref="IMemoryConsentStore"/>).
    /// Default none: a revoked or lapsed consent still refuses writes and stops reads in every scope.
    /// </summary>
    public IReadOnlyList<MemoryScopeKind> ConsentRequiredScopes { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether reads are recorded in the audit log. Default <see langword="true"/>.</summary>
    public bool AuditReads { get; set; } = true;

    /// <summary>Gets or sets the clock stamped on audit rows.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
