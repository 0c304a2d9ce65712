namespace SkMemory;

/// <summary>An API key as stored: who it acts as and what it may touch. The secret itself is not part of it.</summary>
public sealed record MemoryApiKey
{
    /// <summary>Gets the key's public id (the part of the secret after <c>skm_</c> and before the second underscore).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the one tenant the key works in; a key can never reach another.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the actor the key acts as (a user, an agent, a service).</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the roles (<see cref="MemoryRoles"/>) the key holds; never the store owner role.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Gets the teams the key's actor belongs to.</summary>
    public IReadOnlyList<string> Teams { get; init; } = [];

    /// <summary>Gets the subjects the key acts for besides its actor.</summary>
    public IReadOnlyList<string> ActingFor { get; init; } = [];

    /// <summary>Gets the scope kinds the key may read and write; empty means every kind its roles allow.</summary>
    public IReadOnlyList<MemoryScopeKind> ScopeKinds { get; init; } = [];

    /// <summary>Gets a label for people (what the key is for).</summary>
    public string? Label { get; init; }

    /// <summary>Gets when the key was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the key was revoked, or null while it is live.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Gets when the key last authenticated a request.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Gets a value indicating whether the key may touch memories of a scope kind.</summary>
    public bool Allows(MemoryScopeKind kind) => ScopeKinds.Count == 0 || ScopeKinds.Contains(kind);

    /// <summary>Compares every field, lists by their items.</summary>
    /// <param name="other">The other key.</param>
    /// <returns>Whether both describe the same key in the same state.</returns>
    public bool Equals(MemoryApiKey? other) =>
        other is not null
        && Id == other.Id
        && Tenant == other.Tenant
        && Actor == other.Actor
        && Roles.SequenceEqual(other.Roles, StringComparer.Ordinal)
        && Teams.SequenceEqual(other.Teams, StringComparer.Ordinal)
        && ActingFor.SequenceEqual(other.ActingFor, StringComparer.Ordinal)
        && ScopeKinds.SequenceEqual(other.ScopeKinds)
        && Label == other.Label
        && CreatedAt == other.CreatedAt
        && RevokedAt == other.RevokedAt
        && LastUsedAt == other.LastUsedAt;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Tenant, RevokedAt);

    /// <summary>The caller the key authenticates.</summary>
    /// <param name="task">The task the request runs for, recorded in the read audit.</param>
    public MemoryCaller ToCaller(string? task = null) => new()
    {
        Tenant = Tenant,
        Actor = Actor,
        Roles = Roles,
        Teams = Teams,
        ActingFor = ActingFor,
        Task = task,
    };
}

/// <summary>What a new key acts as and may touch.</summary>
public sealed record MemoryApiKeyRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the actor.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the roles; the store owner role is refused.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Gets the teams.</summary>
    public IReadOnlyList<string> Teams { get; init; } = [];

    /// <summary>Gets the subjects acted for.</summary>
    public IReadOnlyList<string> ActingFor { get; init; } = [];

    /// <summary>Gets the scope kinds allowed; empty for all.</summary>
    public IReadOnlyList<MemoryScopeKind> ScopeKinds { get; init; } = [];

    /// <summary>Gets the label.</summary>
    public string? Label { get; init; }
}

/// <summary>A key just created, with its secret (shown this once).</summary>
/// <param name="Key">The key as stored.</param>
/// <param name="Secret">The bearer secret, <c>skm_&lt;id&gt;_&lt;random&gt;</c>.</param>
public sealed record MemoryApiKeyIssue(MemoryApiKey Key, string Secret);
