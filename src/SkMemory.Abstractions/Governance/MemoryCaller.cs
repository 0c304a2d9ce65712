namespace SkMemory;

/// <summary>
/// Who is calling the store, as the access policy sees it: the actor, the tenant it belongs to, the subjects it may act
/// for, its teams and its roles. Mapped from an external identity at the edge (<see cref="MemoryCallerClaims.ToCaller"/>).
/// </summary>
public sealed record MemoryCaller
{
    /// <summary>Gets the tenant the caller belongs to; it never reaches another tenant's memories.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the actor: a user, an agent or a service, with its id.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>
    /// Gets the subjects whose personal memories the caller may read and write besides its own id: the user an agent acts
    /// for, for example.
    /// </summary>
    public IReadOnlyList<string> ActingFor { get; init; } = [];

    /// <summary>Gets the teams the caller is a member of.</summary>
    public IReadOnlyList<string> Teams { get; init; } = [];

    /// <summary>Gets the caller's roles (<see cref="MemoryRoles"/>).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Gets the task the caller is doing, recorded with every read.</summary>
    public string? Task { get; init; }

    /// <summary>Gets a value indicating whether the caller has <paramref name="role"/>.</summary>
    /// <param name="role">The role.</param>
    /// <returns><see langword="true"/> if the caller has the role or is an administrator.</returns>
    public bool HasRole(string role) =>
        Roles.Contains(role, StringComparer.Ordinal) || Roles.Contains(MemoryRoles.Admin, StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether the caller may act in <paramref name="tenant"/>: its own, or any for the <see cref="MemoryRoles.StoreOwner"/>.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns><see langword="true"/> if the caller may act there.</returns>
    public bool MayEnter(string? tenant) =>
        string.Equals(tenant, Tenant, StringComparison.Ordinal) || Roles.Contains(MemoryRoles.StoreOwner, StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether the caller may act for <paramref name="subject"/>.</summary>
    /// <param name="subject">The subject.</param>
    /// <returns><see langword="true"/> if the subject is the caller itself or one it acts for.</returns>
    public bool ActsFor(string subject) =>
        string.Equals(subject, Actor.Id, StringComparison.Ordinal) || ActingFor.Contains(subject, StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether the caller is a member of <paramref name="team"/>.</summary>
    /// <param name="team">The team.</param>
    /// <returns><see langword="true"/> if the caller is a member.</returns>
    public bool IsMemberOf(string? team) => team is not null && Teams.Contains(team, StringComparer.Ordinal);

    /// <summary>Creates a service caller with the given roles (the sweeper, a migration, an operator's CLI).</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The service id.</param>
    /// <param name="roles">The roles.</param>
    /// <returns>The caller.</returns>
    public static MemoryCaller Service(string tenant, string id, params string[] roles) =>
        new() { Tenant = tenant, Actor = new MemoryActor(MemoryActorKind.Service, id), Roles = roles };

    /// <inheritdoc />
    public override string ToString() => $"{Actor} in '{Tenant}'";
}
