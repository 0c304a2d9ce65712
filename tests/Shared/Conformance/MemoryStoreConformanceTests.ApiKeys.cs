namespace SkMemory.Tests.Conformance;

/// <summary>The servers' API keys: hashed secrets, one tenant per key, revocation.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task ApiKeys_CreateAuthenticateListRevoke_KeepingOnlyAHash()
    {
        var store = await NewStoreAsync();
        var keys = Assert.IsAssignableFrom<IMemoryApiKeyStore>(store.GetService(typeof(IMemoryApiKeyStore)));
        var tenant = NewTenant();

        var issue = await keys.CreateAsync(
            new MemoryApiKeyRequest
            {
                Tenant = tenant,
                Actor = MemoryActor.Agent("support-bot"),
                Roles = [MemoryRoles.TeamWriter],
                Teams = ["support"],
                ActingFor = ["ana"],
                ScopeKinds = [MemoryScopeKind.Personal, MemoryScopeKind.Team],
                Label = "support bot in production",
            },
            Ct);

        Assert.Matches("^skm_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", issue.Secret);
        Assert.StartsWith($"skm_{issue.Key.Id}_", issue.Secret, StringComparison.Ordinal);
        var authenticated = Assert.IsType<MemoryApiKey>(await keys.AuthenticateAsync(issue.Secret, Ct));
        Assert.Equal(issue.Key with { LastUsedAt = authenticated.LastUsedAt }, authenticated);
        Assert.NotNull(authenticated.LastUsedAt);
        var caller = authenticated.ToCaller("ticket-1");
        Assert.Equal((tenant, "support-bot", "ticket-1"), (caller.Tenant, caller.Actor.Id, caller.Task));
        Assert.True(caller.IsMemberOf("support") && caller.ActsFor("ana") && caller.HasRole(MemoryRoles.TeamWriter));
        Assert.False(authenticated.Allows(MemoryScopeKind.Public));

        // Nothing but the exact secret opens it, and the secret itself is nowhere in the store.
        Assert.Null(await keys.AuthenticateAsync(issue.Secret[..^1] + (issue.Secret[^1] == 'A' ? 'B' : 'A'), Ct));
        Assert.Null(await keys.AuthenticateAsync("skm_" + issue.Key.Id, Ct));
        Assert.Null(await keys.AuthenticateAsync("Bearer " + issue.Secret, Ct));
        Assert.Null(await keys.AuthenticateAsync(string.Empty, Ct));
        var secretPart = issue.Secret[(5 + issue.Key.Id.Length)..];
        Assert.Empty(await QuerySqlAsync(store, "SELECT id FROM {s}memory_api_keys WHERE secret_hash LIKE @p OR label LIKE @p", ("p", "%" + secretPart + "%")));

        var other = await keys.CreateAsync(new MemoryApiKeyRequest { Tenant = NewTenant(), Actor = MemoryActor.User("bo") }, Ct);
        Assert.Equal([issue.Key.Id], (await keys.ListAsync(tenant, Ct)).Select(k => k.Id));
        Assert.Contains(other.Key.Id, (await keys.ListAsync(cancellationToken: Ct)).Select(k => k.Id));

        Assert.True(await keys.RevokeAsync(issue.Key.Id, Ct));
        Assert.False(await keys.RevokeAsync(issue.Key.Id, Ct));
        Assert.Null(await keys.AuthenticateAsync(issue.Secret, Ct));
        Assert.NotNull(Assert.Single(await keys.ListAsync(tenant, Ct)).RevokedAt);
        Assert.NotNull(await keys.AuthenticateAsync(other.Secret, Ct));
    }

    [Fact]
    public virtual async Task ApiKeys_StoreOwnerOrUnknownRole_IsRefused()
    {
        var store = await NewStoreAsync();
        var keys = Assert.IsAssignableFrom<IMemoryApiKeyStore>(store.GetService(typeof(IMemoryApiKeyStore)));

        var owner = await Assert.ThrowsAsync<MemoryValidationException>(() => keys.CreateAsync(new MemoryApiKeyRequest { Tenant = NewTenant(), Actor = MemoryActor.User("root"), Roles = [MemoryRoles.StoreOwner] }, Ct));
        Assert.Equal("roles", owner.Field);
        Assert.Contains("one tenant", owner.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MemoryValidationException>(() => keys.CreateAsync(new MemoryApiKeyRequest { Tenant = NewTenant(), Actor = MemoryActor.User("x"), Roles = ["memory.superuser"] }, Ct));
        await Assert.ThrowsAsync<MemoryValidationException>(() => keys.CreateAsync(new MemoryApiKeyRequest { Tenant = "", Actor = MemoryActor.User("x") }, Ct));
        Assert.Empty(await keys.ListAsync(cancellationToken: Ct));
    }
}
