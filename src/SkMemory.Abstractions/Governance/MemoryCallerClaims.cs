using System.Security.Claims;

namespace SkMemory;

/// <summary>
/// Maps an external identity (a <see cref="ClaimsPrincipal"/> from a JWT, a cookie, an API key handler) to a
/// <see cref="MemoryCaller"/>. The claim types are settable, so any identity provider's names fit.
/// </summary>
public sealed record MemoryCallerClaims
{
    /// <summary>Gets the claim holding the tenant. Default <c>tenant</c>; <c>tid</c> is also read.</summary>
    public string TenantClaim { get; init; } = "tenant";

    /// <summary>Gets the claim holding the actor id. Default <c>sub</c>; <see cref="ClaimTypes.NameIdentifier"/> is also read.</summary>
    public string ActorIdClaim { get; init; } = "sub";

    /// <summary>Gets the claim holding the actor kind (<c>user</c>, <c>agent</c>, <c>service</c>). Absent means user.</summary>
    public string ActorKindClaim { get; init; } = "actor_kind";

    /// <summary>Gets the claim naming a subject the actor acts for (repeatable).</summary>
    public string ActingForClaim { get; init; } = "acting_for";

    /// <summary>Gets the claim naming a team (repeatable). Default <c>groups</c>.</summary>
    public string TeamClaim { get; init; } = "groups";

    /// <summary>Gets the claim naming a role (repeatable). Default <c>roles</c>; <see cref="ClaimTypes.Role"/> is also read.</summary>
    public string RoleClaim { get; init; } = "roles";

    /// <summary>Gets a map from the identity provider's role names to <see cref="MemoryRoles"/>; unmapped names pass through.</summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Builds the caller of <paramref name="principal"/>.</summary>
    /// <param name="principal">The authenticated identity.</param>
    /// <param name="task">The task the caller is doing, recorded with its reads.</param>
    /// <returns>The caller.</returns>
    /// <exception cref="MemoryValidationException">The identity is unauthenticated or lacks a tenant or an actor id.</exception>
    public MemoryCaller ToCaller(ClaimsPrincipal principal, string? task = null)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            throw new MemoryValidationException("identity", "The identity is not authenticated; sign in before calling the memory store.");
        }

        var tenant = First(principal, TenantClaim, "tid")
            ?? throw new MemoryValidationException("identity", $"The identity has no '{TenantClaim}' claim; the memory store needs the caller's tenant.");
        var id = First(principal, ActorIdClaim, ClaimTypes.NameIdentifier)
            ?? throw new MemoryValidationException("identity", $"The identity has no '{ActorIdClaim}' claim; the memory store needs the caller's id.");
        var kind = First(principal, ActorKindClaim) switch
        {
            null or "user" => MemoryActorKind.User,
            "agent" => MemoryActorKind.Agent,
            "service" => MemoryActorKind.Service,
            "tool" => MemoryActorKind.Tool,
            var other => throw new MemoryValidationException("identity", $"The '{ActorKindClaim}' claim is '{other}'; use user, agent, service or tool."),
        };

        return new MemoryCaller
        {
            Tenant = tenant,
            Actor = new MemoryActor(kind, id),
            ActingFor = All(principal, ActingForClaim),
            Teams = All(principal, TeamClaim),
            Roles = [.. All(principal, RoleClaim, ClaimTypes.Role).Select(r => RoleMap.TryGetValue(r, out var mapped) ? mapped : r).Distinct(StringComparer.Ordinal)],
            Task = task,
        };
    }

    private static string? First(ClaimsPrincipal principal, params string[] types) =>
        types.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static string[] All(ClaimsPrincipal principal, params string[] types) =>
        [.. types.SelectMany(t => principal.FindAll(t)).Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.Ordinal)];
}
