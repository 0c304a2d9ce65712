using System.Security.Claims;

namespace SkMemory.Tests.Governance;

public sealed class MemoryCallerClaimsTests
{
    [Fact]
    public void ToCaller_MapsTenantActorTeamsRolesAndActingFor_FromDefaultClaimNames()
    {
        var principal = Principal(
            ("tenant", "acme"),
            ("sub", "concierge"),
            ("actor_kind", "agent"),
            ("acting_for", "ana"),
            ("acting_for", "bo"),
            ("groups", "eng"),
            ("roles", "memory.team_writer"),
            (ClaimTypes.Role, "memory.auditor"));

        var caller = new MemoryCallerClaims().ToCaller(principal, task: "plan the day");

        Assert.Equal("acme", caller.Tenant);
        Assert.Equal(MemoryActor.Agent("concierge"), caller.Actor);
        Assert.Equal(["ana", "bo"], caller.ActingFor);
        Assert.Equal(["eng"], caller.Teams);
        Assert.Equal(["memory.team_writer", "memory.auditor"], caller.Roles);
        Assert.Equal("plan the day", caller.Task);
        Assert.True(caller.ActsFor("concierge"));
        Assert.True(caller.ActsFor("ana"));
        Assert.False(caller.ActsFor("cy"));
        Assert.True(caller.IsMemberOf("eng"));
        Assert.False(caller.HasRole(MemoryRoles.PublicWriter));
    }

    [Fact]
    public void ToCaller_UsesFallbackClaims_CustomNames_AndTheRoleMap()
    {
        var fallback = new MemoryCallerClaims().ToCaller(Principal(("tid", "acme"), (ClaimTypes.NameIdentifier, "ana")));
        Assert.Equal("acme", fallback.Tenant);
        Assert.Equal(MemoryActor.User("ana"), fallback.Actor);

        var map = new MemoryCallerClaims
        {
            TenantClaim = "org",
            ActorIdClaim = "email",
            TeamClaim = "team",
            RoleClaim = "perm",
            RoleMap = new Dictionary<string, string> { ["MemoryAdmins"] = MemoryRoles.Admin },
        };
        var mapped = map.ToCaller(Principal(("org", "acme"), ("email", "ana@acme.test"), ("team", "ops"), ("perm", "MemoryAdmins"), ("perm", "MemoryAdmins")));
        Assert.Equal("ana@acme.test", mapped.Actor.Id);
        Assert.Equal(["ops"], mapped.Teams);
        Assert.Equal([MemoryRoles.Admin], mapped.Roles);
        Assert.True(mapped.HasRole(MemoryRoles.VaultReveal));
        Assert.False(mapped.MayEnter("other"));
    }

    [Fact]
    public void ToCaller_RefusesAnonymousOrIncompleteIdentities_NamingWhatIsMissing()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim("tenant", "acme"), new Claim("sub", "ana")]));
        Assert.Contains("not authenticated", Assert.Throws<MemoryValidationException>(() => new MemoryCallerClaims().ToCaller(anonymous)).Message, StringComparison.Ordinal);
        Assert.Contains("'tenant' claim", Assert.Throws<MemoryValidationException>(() => new MemoryCallerClaims().ToCaller(Principal(("sub", "ana")))).Message, StringComparison.Ordinal);
        Assert.Contains("'sub' claim", Assert.Throws<MemoryValidationException>(() => new MemoryCallerClaims().ToCaller(Principal(("tenant", "acme")))).Message, StringComparison.Ordinal);
        Assert.Contains("use user, agent, service or tool", Assert.Throws<MemoryValidationException>(() => new MemoryCallerClaims().ToCaller(Principal(("tenant", "acme"), ("sub", "x"), ("actor_kind", "robot")))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreOwner_EntersEveryTenant_AdminOnlyItsOwn()
    {
        Assert.True(MemoryCaller.Service("acme", "dba", MemoryRoles.StoreOwner).MayEnter("globex"));
        Assert.False(MemoryCaller.Service("acme", "ops", MemoryRoles.Admin).MayEnter("globex"));
        Assert.True(MemoryCaller.Service("acme", "ops", MemoryRoles.Admin).MayEnter("acme"));
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), authenticationType: "test"));
}
