namespace SkMemory;

/// <summary>
/// Where a memory lives inside its tenant: personal, team or public, optionally narrowed to one agent and one session.
/// </summary>
public sealed record MemoryScope
{
    /// <summary>Gets the scope kind.</summary>
    public MemoryScopeKind Kind { get; init; }

    /// <summary>Gets the team name; required when <see cref="Kind"/> is <see cref="MemoryScopeKind.Team"/>, absent otherwise.</summary>
    public string? Team { get; init; }

    /// <summary>Gets the agent this memory is narrowed to, if any.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the session this memory is narrowed to, if any.</summary>
    public string? Session { get; init; }

    /// <summary>Gets a personal scope with no agent or session narrowing.</summary>
    public static MemoryScope Personal { get; } = new() { Kind = MemoryScopeKind.Personal };

    /// <summary>Gets a tenant-wide public scope.</summary>
    public static MemoryScope Public { get; } = new() { Kind = MemoryScopeKind.Public };

    /// <summary>Creates a team scope.</summary>
    /// <param name="team">The team name.</param>
    /// <returns>The scope.</returns>
    public static MemoryScope ForTeam(string team) => new() { Kind = MemoryScopeKind.Team, Team = team };

    /// <inheritdoc />
    public override string ToString() =>
        Kind switch
        {
            MemoryScopeKind.Team => $"team:{Team}",
            MemoryScopeKind.Public => "public",
            _ => "personal",
        }
        + (Agent is null ? string.Empty : $"/agent:{Agent}")
        + (Session is null ? string.Empty : $"/session:{Session}");
}
