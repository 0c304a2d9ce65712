namespace SkMemory.Tests.Conformance;

/// <summary>
/// Consent as data and legal holds, kept beside the memories in the store's own database (<see cref="IMemoryConsentStore"/>
/// and <see cref="IMemoryLegalHoldStore"/> through <see cref="IMemoryStore.GetService"/>).
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task Consent_GrantRevokeRegrant_CurrentIsTheLatestAndHistoryKeepsEveryChangeInOrder()
    {
        var store = await NewStoreAsync();
        var consents = ConsentsOf(store);
        var tenant = NewTenant();
        Assert.Null(await consents.GetAsync(tenant, "ana", MemoryScopeKind.Personal, Ct));

        var granted = Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Granted, "personalization");
        await consents.SetAsync(granted, Ct);
        var afterGrant = await consents.GetAsync(tenant, "ana", MemoryScopeKind.Personal, Ct);
        Assert.Equal(granted, afterGrant);
        Assert.True(afterGrant!.IsInForce(Clock.UtcNow));

        Clock.Advance(TimeSpan.FromHours(1));
        var revoked = Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Revoked, "personalization") with { Reason = "asked to be forgotten" };
        await consents.SetAsync(revoked, Ct);
        var afterRevoke = await consents.GetAsync(tenant, "ana", MemoryScopeKind.Personal, Ct);
        Assert.Equal(revoked, afterRevoke);
        Assert.False(afterRevoke!.IsInForce(Clock.UtcNow));

        Clock.Advance(TimeSpan.FromHours(1));
        var regranted = Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Granted, "support history");
        await consents.SetAsync(regranted, Ct);

        Assert.Equal(regranted, await consents.GetAsync(tenant, "ana", MemoryScopeKind.Personal, Ct));
        Assert.Equal([granted, revoked, regranted], await consents.GetHistoryAsync(tenant, "ana", Ct));
        Assert.Single(await consents.ListAsync(tenant, cancellationToken: Ct));
    }

    [Fact]
    public virtual async Task Consent_WithExpiry_IsInForceUntilItLapses()
    {
        var store = await NewStoreAsync();
        var consents = ConsentsOf(store);
        var tenant = NewTenant();
        var expires = Clock.UtcNow.AddDays(30);
        await consents.SetAsync(Consent(tenant, "ana", MemoryScopeKind.Team, MemoryConsentState.Granted, "team notes") with { ExpiresAt = expires }, Ct);

        var stored = await consents.GetAsync(tenant, "ana", MemoryScopeKind.Team, Ct);

        Assert.Equal(expires, stored!.ExpiresAt);
        Assert.True(stored.IsInForce(expires.AddTicks(-10)));
        Assert.False(stored.IsInForce(expires));
        Assert.Null(await consents.GetAsync(tenant, "ana", MemoryScopeKind.Personal, Ct));
    }

    [Fact]
    public virtual async Task Consent_ListAndHistory_StayInsideTheirTenantAndSubject()
    {
        var store = await NewStoreAsync();
        var consents = ConsentsOf(store);
        var tenant = NewTenant();
        var other = NewTenant();
        await consents.SetAsync(Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Granted, "personalization"), Ct);
        await consents.SetAsync(Consent(tenant, "ana", MemoryScopeKind.Public, MemoryConsentState.Revoked, "tenant knowledge"), Ct);
        await consents.SetAsync(Consent(tenant, "bob", MemoryScopeKind.Personal, MemoryConsentState.Granted, "personalization"), Ct);
        await consents.SetAsync(Consent(other, "ana", MemoryScopeKind.Personal, MemoryConsentState.Revoked, "personalization"), Ct);

        var all = await consents.ListAsync(tenant, cancellationToken: Ct);
        var ana = await consents.ListAsync(tenant, "ana", Ct);

        Assert.Equal(3, all.Count);
        Assert.All(all, c => Assert.Equal(tenant, c.Tenant));
        Assert.Equal([MemoryScopeKind.Personal, MemoryScopeKind.Public], ana.Select(c => c.Scope).Order().ToList());
        Assert.Equal(2, (await consents.GetHistoryAsync(tenant, "ana", Ct)).Count);
        Assert.Equal(MemoryConsentState.Granted, (await consents.GetAsync(tenant, "ana", MemoryScopeKind.Personal, Ct))!.State);
        Assert.Equal(MemoryConsentState.Revoked, (await consents.GetAsync(other, "ana", MemoryScopeKind.Personal, Ct))!.State);
        Assert.Empty(await consents.ListAsync(NewTenant(), cancellationToken: Ct));
    }

    [Fact]
    public virtual async Task Consent_InvalidChanges_AreRefusedNamingTheFieldAndStoreNothing()
    {
        var store = await NewStoreAsync();
        var consents = ConsentsOf(store);
        var tenant = NewTenant();
        var valid = Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Granted, "personalization");

        var errors = new List<MemoryValidationException>
        {
            await Assert.ThrowsAsync<MemoryValidationException>(() => consents.SetAsync(valid with { Tenant = " " }, Ct)),
            await Assert.ThrowsAsync<MemoryValidationException>(() => consents.SetAsync(valid with { Subject = "" }, Ct)),
            await Assert.ThrowsAsync<MemoryValidationException>(() => consents.SetAsync(valid with { Purpose = "  " }, Ct)),
            await Assert.ThrowsAsync<MemoryValidationException>(() => consents.SetAsync(valid with { Scope = (MemoryScopeKind)9 }, Ct)),
            await Assert.ThrowsAsync<MemoryValidationException>(() => consents.SetAsync(valid with { ExpiresAt = Clock.UtcNow.AddSeconds(-1) }, Ct)),
            await Assert.ThrowsAsync<MemoryValidationException>(() => consents.SetAsync(valid with { State = MemoryConsentState.Revoked, ExpiresAt = Clock.UtcNow.AddDays(1) }, Ct)),
        };

        Assert.Equal(["tenant", "subject", "purpose", "scope", "expires_at", "expires_at"], errors.Select(e => e.Field).ToList());
        Assert.Contains("after now", errors[4].Message, StringComparison.Ordinal);
        Assert.Empty(await consents.ListAsync(tenant, cancellationToken: Ct));
        Assert.Empty(await consents.GetHistoryAsync(tenant, "ana", Ct));
    }

    [Fact]
    public virtual async Task Consent_RevokeOrLapse_StopsFilteredReadsAtOnceAndRegrantRestoresThem()
    {
        var store = await NewStoreAsync();
        var consents = ConsentsOf(store);
        var tenant = NewTenant();
        var personal = await CreateAsync(store, Note(tenant, "Ana is allergic to peanuts"));
        var team = await CreateAsync(store, Note(tenant, "Ana leads the eng team") with { Scope = MemoryScope.ForTeam("eng") });
        var readable = new MemoryQuery { Tenant = tenant, Access = new MemoryAccessScope { AllScopes = true } };
        async Task<List<Guid>> VisibleAsync() => await ReadIdsAsync(store, readable);
        Assert.Equal([personal.Id, team.Id], await VisibleAsync());

        await consents.SetAsync(Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Revoked, "personalization"), Ct);
        Assert.Equal([team.Id], await VisibleAsync());

        await consents.SetAsync(Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Granted, "personalization") with { ExpiresAt = Clock.UtcNow.AddDays(1) }, Ct);
        Assert.Equal([personal.Id, team.Id], await VisibleAsync());

        Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal([team.Id], await VisibleAsync());

        // Unfiltered (trusted) reads still see everything: retention purges, reads do not delete.
        Assert.Equal(2, (await ReadAllAsync(store, new MemoryQuery { Tenant = tenant })).Count);
    }

    [Fact]
    public virtual async Task LegalHolds_PlaceReleaseList_KeepWhoAndWhen()
    {
        var store = await NewStoreAsync();
        var holds = HoldsOf(store);
        var tenant = NewTenant();
        var memory = await CreateAsync(store, tenant, "Ana's order history is evidence");
        var onSubject = Hold(tenant, "matter-1", subject: "ana");
        var onMemory = Hold(tenant, "matter-2", memoryId: memory.Id);
        await holds.PlaceAsync(onSubject, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await holds.PlaceAsync(onMemory with { PlacedAt = Clock.UtcNow }, Ct);
        Assert.Equal(["matter-1", "matter-2"], (await holds.ListAsync(tenant, cancellationToken: Ct)).Select(h => h.Id).ToList());

        Clock.Advance(TimeSpan.FromDays(1));
        var released = await holds.ReleaseAsync(tenant, "matter-1", MemoryActor.User("counsel"), Ct);

        Assert.Equal(Clock.UtcNow, released.ReleasedAt);
        Assert.Equal(MemoryActor.User("counsel"), released.ReleasedBy);
        Assert.Equal(onSubject with { ReleasedAt = Clock.UtcNow, ReleasedBy = MemoryActor.User("counsel") }, released);
        var active = Assert.Single(await holds.ListAsync(tenant, cancellationToken: Ct));
        Assert.Equal(memory.Id, active.MemoryId);
        Assert.Null(active.Subject);
        var everything = await holds.ListAsync(tenant, includeReleased: true, Ct);
        Assert.Equal(released, everything.Single(h => h.Id == "matter-1"));
        Assert.Empty(await holds.ListAsync(NewTenant(), includeReleased: true, Ct));
    }

    [Fact]
    public virtual async Task LegalHolds_ReleaseTwiceOrUnknownOrDuplicate_AreClearErrors()
    {
        var store = await NewStoreAsync();
        var holds = HoldsOf(store);
        var tenant = NewTenant();
        await holds.PlaceAsync(Hold(tenant, "matter-1", subject: "ana"), Ct);
        await holds.ReleaseAsync(tenant, "matter-1", MemoryActor.User("counsel"), Ct);

        var twice = await Assert.ThrowsAsync<MemoryException>(() => holds.ReleaseAsync(tenant, "matter-1", MemoryActor.User("counsel"), Ct));
        var unknown = await Assert.ThrowsAsync<MemoryException>(() => holds.ReleaseAsync(tenant, "matter-9", MemoryActor.User("counsel"), Ct));
        var foreign = await Assert.ThrowsAsync<MemoryException>(() => holds.ReleaseAsync(NewTenant(), "matter-1", MemoryActor.User("counsel"), Ct));
        var duplicate = await Assert.ThrowsAsync<MemoryException>(() => holds.PlaceAsync(Hold(tenant, "matter-1", subject: "bob"), Ct));

        Assert.Equal(MemoryErrorCode.InvalidState, twice.Code);
        Assert.Contains("already released", twice.Message, StringComparison.Ordinal);
        Assert.Contains("Place a new hold", twice.Message, StringComparison.Ordinal);
        Assert.Equal((MemoryErrorCode.NotFound, MemoryErrorCode.NotFound), (unknown.Code, foreign.Code));
        Assert.Equal(MemoryErrorCode.DuplicateContent, duplicate.Code);
        var stored = Assert.Single(await holds.ListAsync(tenant, includeReleased: true, Ct));
        Assert.Equal("ana", stored.Subject);
    }

    [Fact]
    public virtual async Task LegalHolds_InvalidHolds_AreRefusedNamingTheField()
    {
        var store = await NewStoreAsync();
        var holds = HoldsOf(store);
        var tenant = NewTenant();

        var both = await Assert.ThrowsAsync<MemoryValidationException>(() => holds.PlaceAsync(Hold(tenant, "h1", subject: "ana") with { MemoryId = Guid.CreateVersion7() }, Ct));
        var neither = await Assert.ThrowsAsync<MemoryValidationException>(() => holds.PlaceAsync(Hold(tenant, "h2", subject: "ana") with { Subject = null }, Ct));
        var noReason = await Assert.ThrowsAsync<MemoryValidationException>(() => holds.PlaceAsync(Hold(tenant, "h3", subject: "ana") with { Reason = " " }, Ct));
        var noId = await Assert.ThrowsAsync<MemoryValidationException>(() => holds.PlaceAsync(Hold(tenant, " ", subject: "ana"), Ct));
        var released = await Assert.ThrowsAsync<MemoryValidationException>(() => holds.PlaceAsync(Hold(tenant, "h4", subject: "ana") with { ReleasedAt = Clock.UtcNow }, Ct));

        Assert.Equal(["subject", "subject", "reason", "id", "released_at"], new[] { both, neither, noReason, noId, released }.Select(e => e.Field).ToList());
        Assert.Empty(await holds.ListAsync(tenant, includeReleased: true, Ct));
    }

    /// <summary>Gets a store's consent store.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The consent store.</returns>
    protected static IMemoryConsentStore ConsentsOf(IMemoryStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Assert.IsAssignableFrom<IMemoryConsentStore>(store.GetService(typeof(IMemoryConsentStore)));
    }

    /// <summary>Gets a store's legal hold store.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The legal hold store.</returns>
    protected static IMemoryLegalHoldStore HoldsOf(IMemoryStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Assert.IsAssignableFrom<IMemoryLegalHoldStore>(store.GetService(typeof(IMemoryLegalHoldStore)));
    }

    /// <summary>A consent change made now by the subject.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="scope">The scope kind.</param>
    /// <param name="state">The state.</param>
    /// <param name="purpose">The purpose.</param>
    /// <returns>The consent.</returns>
    protected MemoryConsent Consent(string tenant, string subject, MemoryScopeKind scope, MemoryConsentState state, string purpose) => new()
    {
        Tenant = tenant,
        Subject = subject,
        Scope = scope,
        State = state,
        Purpose = purpose,
        ChangedAt = Clock.UtcNow,
        ChangedBy = MemoryActor.User(subject),
    };

    /// <summary>A hold placed now by counsel.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The hold id.</param>
    /// <param name="subject">The subject held.</param>
    /// <param name="memoryId">The memory held.</param>
    /// <returns>The hold.</returns>
    protected MemoryLegalHold Hold(string tenant, string id, string? subject = null, Guid? memoryId = null) => new()
    {
        Tenant = tenant,
        Id = id,
        Subject = subject,
        MemoryId = memoryId,
        Reason = "litigation hold " + id,
        PlacedBy = MemoryActor.User("counsel"),
        PlacedAt = Clock.UtcNow,
    };
}
