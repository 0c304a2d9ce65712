using SkMemory.Governance;

namespace SkMemory.Tests.Conformance;

/// <summary>
/// The access policy, enforced in the store's own queries: no memory crosses a tenant or a subject through any operation,
/// denials are specific and audited, every read is recorded, and lineage answers "why does the agent know this?".
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task Access_ReadsAndSearches_ReturnOnlyWhatTheCallerMayRead_InEveryMode()
    {
        var (store, world) = await NewGovernedWorldAsync();
        foreach (var (caller, expected) in new[]
        {
            (world.Alice, new[] { world.AlicePersonal.Id, world.Public.Id }),
            (world.Bob, [world.BobPersonal.Id, world.Public.Id]),
            (world.AliceAgent, [world.AlicePersonal.Id, world.Public.Id]),
            (world.Carol, [world.CarolPersonal.Id, world.Team.Id, world.Public.Id]),
            (world.Auditor, [world.AlicePersonal.Id, world.BobPersonal.Id, world.CarolPersonal.Id, world.Team.Id, world.Public.Id]),
        })
        {
            var governed = As(store, caller);
            var read = await ReadAllAsync(governed, AllStatuses(world.Tenant));
            Assert.Equal(expected.Order(), read.Select(r => r.Id).Order());

            // "likes" is in every memory, so whatever the ranking, only readable ones can come back.
            foreach (var mode in Enum.GetValues<MemorySearchMode>())
            {
                var found = await governed.SearchAsync(new MemorySearchRequest { Tenant = world.Tenant, Text = "likes", Top = 50, Mode = mode }, Ct);
                Assert.Equal(expected.Order(), found.Select(r => r.Record.Id).Order());
            }

            // Asking for another subject by name narrows, it does not widen.
            var aboutAlice = await ReadAllAsync(governed, AllStatuses(world.Tenant) with { Subject = "alice" });
            Assert.All(aboutAlice, r => Assert.Contains(r.Id, expected));
        }
    }

    [Fact]
    public virtual async Task Access_GetAndHistoryOfAnotherSubjectOrTeam_AreDeniedSpecificallyAndAudited()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var bob = As(store, world.Bob);

        var personal = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => bob.GetAsync(world.Tenant, world.AlicePersonal.Id, Ct));
        Assert.Equal(MemoryErrorCode.AccessDenied, personal.Code);
        Assert.Equal(MemoryAccessDenialReason.NotSubject, personal.Denial.Reason);
        Assert.Contains("subject 'alice'", personal.Message, StringComparison.Ordinal);

        var team = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => bob.GetAsync(world.Tenant, world.Team.Id, Ct));
        Assert.Equal(MemoryAccessDenialReason.NotTeamMember, team.Denial.Reason);

        var history = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => bob.GetHistoryAsync(world.Tenant, world.AlicePersonal.Id, Ct));
        Assert.Equal("history", history.Denial.Operation);

        var denials = await Audit(store).GetDenialsAsync(world.Tenant, cancellationToken: Ct);
        Assert.Equal(3, denials.Count);
        Assert.All(denials, d => Assert.Equal(world.Bob.Actor, d.Actor));
        Assert.Equal(["history", "get", "get"], denials.Select(d => d.Operation));
        Assert.Equal(world.AlicePersonal.Id, denials[0].MemoryId);
        Assert.Equal("personal", denials[0].Scope);

        // The agent acting for Alice, and Alice herself, may.
        Assert.NotNull(await As(store, world.AliceAgent).GetAsync(world.Tenant, world.AlicePersonal.Id, Ct));
        Assert.Equal(world.Team.Id, (await As(store, world.Carol).GetAsync(world.Tenant, world.Team.Id, Ct))!.Id);
    }

    [Fact]
    public virtual async Task Access_EveryChangeToAnotherSubjectsMemory_IsDeniedAndChangesNothing()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var bob = As(store, world.Bob);
        var id = world.AlicePersonal.Id;
        var tenant = world.Tenant;
        var actor = world.Bob.Actor;
        var attempts = new (string Operation, Func<Task> Call)[]
        {
            ("update", () => bob.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = id, ExpectedVersion = 1, Actor = actor, Value = "alice likes coffee" }, Ct)),
            ("supersede", () => bob.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = id, Actor = actor, Value = "alice likes coffee" }, Ct)),
            ("merge", () => bob.MergeAsync(new MemoryMergeRequest { Tenant = tenant, Id = id, Actor = actor, Reason = "corroborated", Evidence = MemoryProvenance.Manual }, Ct)),
            ("unmerge", () => bob.UnmergeAsync(new MemoryUnmergeRequest { Tenant = tenant, Id = id, MergeEventId = Guid.NewGuid(), Actor = actor, Reason = "undo" }, Ct)),
            ("delete", () => bob.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = id, Actor = actor, Reason = "spite" }, Ct)),
            ("expire", () => bob.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = id, Actor = actor, Reason = "spite" }, Ct)),
            ("purge", () => bob.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [id], Actor = actor, Reason = "spite" }, Ct)),
            ("purge", () => bob.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Subject = "alice", Actor = actor, Reason = "spite" }, Ct)),
        };

        foreach (var (operation, call) in attempts)
        {
            var denied = await Assert.ThrowsAsync<MemoryAccessDeniedException>(call);
            Assert.Equal(operation, denied.Denial.Operation);
        }

        var after = await store.GetAsync(tenant, id, Ct);
        Assert.Equal(world.AlicePersonal, after);
        Assert.Single(await store.GetHistoryAsync(tenant, id, Ct));
        Assert.Equal(attempts.Length, (await Audit(store).GetDenialsAsync(tenant, cancellationToken: Ct)).Count);
    }

    [Fact]
    public virtual async Task Access_Writes_NeedTheSubjectMembershipAndRoleOfTheirScope_AndTheCallersOwnActor()
    {
        var (store, world) = await NewGovernedWorldAsync();
        MemoryWriteRequest Write(MemoryCaller caller, string subject, MemoryScope scope) =>
            Note(world.Tenant, $"{caller.Actor.Id} notes something new about {subject} in {scope}", subject) with { Actor = caller.Actor, Scope = scope };

        async Task<MemoryAccessDenialReason> DeniedAsync(MemoryCaller caller, MemoryWriteRequest request) =>
            (await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => As(store, caller).WriteAsync(request, Ct))).Denial.Reason;

        var eng = MemoryScope.ForTeam("eng");
        Assert.Equal(MemoryAccessDenialReason.NotSubject, await DeniedAsync(world.Bob, Write(world.Bob, "alice", MemoryScope.Personal)));
        Assert.Equal(MemoryAccessDenialReason.NotTeamMember, await DeniedAsync(world.Bob, Write(world.Bob, "bob", eng)));
        Assert.Equal(MemoryAccessDenialReason.MissingRole, await DeniedAsync(world.Dave, Write(world.Dave, "dave", eng)));
        Assert.Equal(MemoryAccessDenialReason.MissingRole, await DeniedAsync(world.Bob, Write(world.Bob, "bob", MemoryScope.Public)));
        Assert.Equal(MemoryAccessDenialReason.MissingRole, await DeniedAsync(world.Bob, Write(world.Bob, "bob", MemoryScope.Personal) with { Actor = MemoryActor.User("alice") }));

        Assert.Equal(MemoryWriteOutcome.Created, (await As(store, world.Bob).WriteAsync(Write(world.Bob, "bob", MemoryScope.Personal), Ct)).Outcome);
        Assert.Equal(MemoryWriteOutcome.Created, (await As(store, world.AliceAgent).WriteAsync(Write(world.AliceAgent, "alice", MemoryScope.Personal), Ct)).Outcome);
        Assert.Equal(MemoryWriteOutcome.Created, (await As(store, world.Carol).WriteAsync(Write(world.Carol, "carol", eng), Ct)).Outcome);
        Assert.Equal(MemoryWriteOutcome.Created, (await As(store, world.Admin).WriteAsync(Write(world.Admin, "alice", MemoryScope.Public) with { Actor = MemoryActor.Agent("capture") }, Ct)).Outcome);
        Assert.Equal(5, (await Audit(store).GetDenialsAsync(world.Tenant, cancellationToken: Ct)).Count);
    }

    [Fact]
    public virtual async Task Access_AnotherTenant_IsDeniedThroughEveryOperation_IncludingExportAndVerify()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var otherTenant = NewTenant();
        var eve = MemoryCaller.Service(otherTenant, "eve", MemoryRoles.Admin);
        var governed = As(store, eve);
        var id = world.AlicePersonal.Id;
        var attempts = new Func<Task>[]
        {
            () => governed.GetAsync(world.Tenant, id, Ct),
            () => governed.ReadAsync(AllStatuses(world.Tenant), Ct),
            () => governed.SearchAsync(new MemorySearchRequest { Tenant = world.Tenant, Text = "likes" }, Ct),
            () => governed.WriteAsync(Note(world.Tenant, "eve was here") with { Actor = eve.Actor }, Ct),
            () => governed.GetHistoryAsync(world.Tenant, id, Ct),
            () => governed.DeleteAsync(new MemoryDeleteRequest { Tenant = world.Tenant, Id = id, Actor = eve.Actor, Reason = "x" }, Ct),
            () => governed.ExportAsync(new MemoryStream(), new MemoryExportOptions { Tenant = world.Tenant }, Ct),
            () => governed.VerifyAsync(world.Tenant, Ct),
        };
        foreach (var attempt in attempts)
        {
            var denied = await Assert.ThrowsAsync<MemoryAccessDeniedException>(attempt);
            Assert.Equal(MemoryAccessDenialReason.CrossTenant, denied.Denial.Reason);
            Assert.Equal(otherTenant, denied.Denial.Tenant);
        }

        Assert.Equal(attempts.Length, (await Audit(store).GetDenialsAsync(otherTenant, cancellationToken: Ct)).Count);
        Assert.Empty(await Audit(store).GetDenialsAsync(world.Tenant, cancellationToken: Ct));

        // An operator's export and verify cover its own tenant only, even when it asks for all.
        await CreateAsync(store, Note(otherTenant, "eve likes secrets", "eve"));
        using var export = new MemoryStream();
        var exported = await As(store, world.Admin).ExportAsync(export, null, Ct);
        Assert.Equal(5, exported.Objects);
        var text = System.Text.Encoding.UTF8.GetString(export.ToArray());
        Assert.DoesNotContain("eve likes secrets", text, StringComparison.Ordinal);
        Assert.DoesNotContain(otherTenant, text, StringComparison.Ordinal);
        Assert.Equal(1, (await As(store, world.Admin).VerifyAsync(null, Ct)).TenantCount);

        // Export of the whole tenant needs the operator role.
        var plain = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => As(store, world.Alice).ExportAsync(new MemoryStream(), null, Ct));
        Assert.Equal(MemoryAccessDenialReason.MissingRole, plain.Denial.Reason);
        var import = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => As(store, world.Alice).ImportAsync(new MemoryStream(export.ToArray()), null, Ct));
        Assert.Equal(MemoryAccessDenialReason.MissingRole, import.Denial.Reason);
        var adminImport = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => As(store, world.Admin).ImportAsync(new MemoryStream(export.ToArray()), null, Ct));
        Assert.Contains(MemoryRoles.StoreOwner, adminImport.Message, StringComparison.Ordinal);

        // The store owner (the holder of the database credentials) crosses tenants, and is audited in each.
        var owner = As(store, MemoryCaller.Service(world.Tenant, "dba", MemoryRoles.StoreOwner, MemoryRoles.Admin));
        Assert.NotNull(await owner.GetAsync(otherTenant, (await ReadAllAsync(store, AllStatuses(otherTenant))).Single().Id, Ct));
        using var all = new MemoryStream();
        var everything = await owner.ExportAsync(all, null, Ct);
        Assert.Contains(otherTenant, everything.Tenants);
        Assert.Contains(world.Tenant, everything.Tenants);
        Assert.True((await owner.VerifyAsync(null, Ct)).TenantCount >= 2);
        var eveMemory = (await ReadAllAsync(store, AllStatuses(otherTenant))).Single().Id;
        Assert.Equal(["get", "export"], (await Audit(store).GetReadsAsync(otherTenant, eveMemory, cancellationToken: Ct)).Select(r => r.Operation));
    }

    [Fact]
    public virtual async Task Access_WithoutACaller_EverythingIsDeniedAsNoCaller()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var governed = new AccessControlledMemoryStore(store, new MemoryCallerAccessor());
        var denied = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => governed.GetAsync(world.Tenant, world.Public.Id, Ct));
        Assert.Equal(MemoryAccessDenialReason.NoCaller, denied.Denial.Reason);
        Assert.Contains("IMemoryCallerAccessor", denied.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => governed.SearchAsync(new MemorySearchRequest { Tenant = world.Tenant, Text = "likes" }, Ct));
        Assert.Equal(2, (await Audit(store).GetDenialsAsync(world.Tenant, cancellationToken: Ct)).Count);
    }

    [Fact]
    public virtual async Task Access_TheAccessorFlowsPerAsyncContext_SoConcurrentCallersSeeOnlyTheirOwn()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var accessor = new MemoryCallerAccessor();
        var governed = new AccessControlledMemoryStore(store, accessor);
        async Task<List<Guid>> AsAsync(MemoryCaller caller)
        {
            accessor.Caller = caller;
            await Task.Yield();
            return [.. (await ReadAllAsync(governed, AllStatuses(world.Tenant))).Select(r => r.Id).Order()];
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => AsAsync(i % 2 == 0 ? world.Alice : world.Bob), Ct)));
        for (var i = 0; i < results.Length; i++)
        {
            var own = i % 2 == 0 ? world.AlicePersonal.Id : world.BobPersonal.Id;
            Assert.Equal(new[] { own, world.Public.Id }.Order(), results[i]);
        }
    }

    [Fact]
    public virtual async Task Audit_EveryReadIsRecorded_WithReaderOperationTaskScoreAndInjection_AndLineageExplainsTheMemory()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var agent = As(store, world.AliceAgent with { Task = "plan alice's morning" });
        var found = await agent.SearchAsync(new MemorySearchRequest { Tenant = world.Tenant, Text = "what does alice like", Top = 5 }, Ct);
        Assert.Contains(found, r => r.Record.Id == world.AlicePersonal.Id);
        await agent.GetAsync(world.Tenant, world.AlicePersonal.Id, Ct);
        await ReadAllAsync(agent, AllStatuses(world.Tenant) with { Subject = "alice" });
        var packet = new SkMemory.Packing.MemoryPacketBuilder(new SkMemory.Packing.MemoryPacketOptions { TokenBudget = 400 }).Build(found);
        await agent.RecordInjectionAsync(packet, found, Ct);

        var reads = await Audit(store).GetReadsAsync(world.Tenant, world.AlicePersonal.Id, cancellationToken: Ct);
        Assert.Equal(["search", "get", "read", "inject"], reads.Select(r => r.Operation));
        Assert.All(reads, r => Assert.Equal(world.AliceAgent.Actor, r.Reader));
        Assert.All(reads, r => Assert.Equal("plan alice's morning", r.Task));
        var score = found.Single(r => r.Record.Id == world.AlicePersonal.Id).Score;
        Assert.Equal(score, reads[0].Score!.Value, 9);
        Assert.Equal(score, reads[3].Score!.Value, 9);
        Assert.Null(reads[1].Score);
        Assert.Equal([false, false, false, true], reads.Select(r => r.Injected));

        // Lineage: the subject may ask; so may an auditor; another user may not.
        var superseded = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = world.Tenant, Id = world.AlicePersonal.Id, Actor = MemoryActor.User("alice"), Value = "alice likes green tea", Reason = "she said so" }, Ct);
        var lineage = await As(store, world.Alice).GetLineageAsync(world.Tenant, superseded.Current.Id, Ct);
        Assert.Equal(superseded.Current.Id, lineage.Record.Id);
        Assert.Equal([MemoryEventType.Created], lineage.Writes.Select(e => e.EventType));
        Assert.Equal(world.AlicePersonal.Id, Assert.Single(lineage.Supersedes).Id);
        var auditorView = await As(store, world.Auditor).GetLineageAsync(world.Tenant, world.AlicePersonal.Id, Ct);
        Assert.Equal(["search", "get", "read", "inject"], auditorView.Reads.Select(r => r.Operation));
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Superseded], auditorView.Writes.Select(e => e.EventType));
        await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => As(store, world.Bob).GetLineageAsync(world.Tenant, world.AlicePersonal.Id, Ct));
        var teamLineage = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => As(store, world.Carol).GetLineageAsync(world.Tenant, world.Team.Id, Ct));
        Assert.Equal(MemoryAccessDenialReason.MissingRole, teamLineage.Denial.Reason);
    }

    [Fact]
    public virtual async Task Consent_RevokedStopsReadsAtOnceAndRefusesWrites_RegrantRestores_RequiredConsentGatesWrites()
    {
        var (store, world) = await NewGovernedWorldAsync();
        var consents = Assert.IsAssignableFrom<IMemoryConsentStore>(store.GetService(typeof(IMemoryConsentStore)));
        MemoryConsent Consent(string subject, MemoryConsentState state, DateTimeOffset? expires = null) => new()
        {
            Tenant = world.Tenant,
            Subject = subject,
            Scope = MemoryScopeKind.Personal,
            State = state,
            Purpose = "personalization",
            ExpiresAt = expires,
            ChangedAt = Clock.GetUtcNow(),
            ChangedBy = MemoryActor.User(subject),
        };

        await consents.SetAsync(Consent("alice", MemoryConsentState.Revoked), Ct);
        var agent = As(store, world.AliceAgent);
        Assert.Equal([world.Public.Id], (await ReadAllAsync(agent, AllStatuses(world.Tenant))).Select(r => r.Id));
        Assert.Equal([world.Public.Id], (await agent.SearchAsync(new MemorySearchRequest { Tenant = world.Tenant, Text = "likes", Top = 50 }, Ct)).Select(r => r.Record.Id));
        Assert.Empty(await ReadAllAsync(As(store, world.Auditor), AllStatuses(world.Tenant) with { Subject = "alice" }));
        var get = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => agent.GetAsync(world.Tenant, world.AlicePersonal.Id, Ct));
        Assert.Equal(MemoryErrorCode.ConsentRequired, get.Code);
        Assert.Equal(MemoryAccessDenialReason.ConsentRevoked, get.Denial.Reason);
        var write = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => agent.WriteAsync(Note(world.Tenant, "alice likes jasmine", "alice") with { Actor = world.AliceAgent.Actor }, Ct));
        Assert.Equal(MemoryAccessDenialReason.ConsentRevoked, write.Denial.Reason);

        // Deleting stays possible: a subject who withdrew consent may still have memories removed.
        await agent.DeleteAsync(new MemoryDeleteRequest { Tenant = world.Tenant, Id = world.AlicePersonal.Id, Actor = world.AliceAgent.Actor, Reason = "consent withdrawn" }, Ct);

        await consents.SetAsync(Consent("alice", MemoryConsentState.Granted, Clock.GetUtcNow().AddDays(30)), Ct);
        Assert.Equal(MemoryWriteOutcome.Created, (await agent.WriteAsync(Note(world.Tenant, "alice likes jasmine", "alice") with { Actor = world.AliceAgent.Actor }, Ct)).Outcome);
        Assert.Equal(2, (await ReadAllAsync(agent, AllStatuses(world.Tenant))).Count(r => r.Status == MemoryStatus.Active));

        // A lapsed grant is a revocation.
        Clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal([world.Public.Id], (await ReadAllAsync(agent, new MemoryQuery { Tenant = world.Tenant })).Select(r => r.Id));

        // Where consent is required, a subject who never decided cannot be written about.
        var strict = new AccessControlledMemoryStore(store, MemoryCallerAccessor.Fixed(world.Bob), new MemoryAccessOptions { ConsentRequiredScopes = [MemoryScopeKind.Personal], TimeProvider = Clock });
        var missing = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => strict.WriteAsync(Note(world.Tenant, "bob likes rain", "bob") with { Actor = world.Bob.Actor }, Ct));
        Assert.Equal(MemoryAccessDenialReason.ConsentMissing, missing.Denial.Reason);
        Assert.Contains("skmem consent grant", missing.Message, StringComparison.Ordinal);
        await consents.SetAsync(Consent("bob", MemoryConsentState.Granted), Ct);
        Assert.Equal(MemoryWriteOutcome.Created, (await strict.WriteAsync(Note(world.Tenant, "bob likes rain", "bob") with { Actor = world.Bob.Actor }, Ct)).Outcome);
    }

    /// <summary>A store with one memory per scope and the callers that exercise the policy.</summary>
    private async Task<(IMemoryStore Store, GovernedWorld World)> NewGovernedWorldAsync()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var world = new GovernedWorld
        {
            Tenant = tenant,
            AlicePersonal = await CreateAsync(store, Note(tenant, "alice likes oolong tea", "alice") with { Actor = MemoryActor.User("alice") }),
            BobPersonal = await CreateAsync(store, Note(tenant, "bob likes espresso", "bob") with { Actor = MemoryActor.User("bob") }),
            CarolPersonal = await CreateAsync(store, Note(tenant, "carol likes hiking", "carol") with { Actor = MemoryActor.User("carol") }),
            Team = await CreateAsync(store, Note(tenant, "the eng team likes deploying on tuesdays", "eng") with { Actor = MemoryActor.User("carol"), Scope = MemoryScope.ForTeam("eng") }),
            Public = await CreateAsync(store, Note(tenant, "everyone likes the office closing at six", "office") with { Actor = MemoryActor.System, Scope = MemoryScope.Public }),
            Alice = new MemoryCaller { Tenant = tenant, Actor = MemoryActor.User("alice") },
            Bob = new MemoryCaller { Tenant = tenant, Actor = MemoryActor.User("bob") },
            AliceAgent = new MemoryCaller { Tenant = tenant, Actor = MemoryActor.Agent("concierge"), ActingFor = ["alice"] },
            Carol = new MemoryCaller { Tenant = tenant, Actor = MemoryActor.User("carol"), Teams = ["eng"], Roles = [MemoryRoles.TeamWriter] },
            Dave = new MemoryCaller { Tenant = tenant, Actor = MemoryActor.User("dave"), Teams = ["eng"] },
            Auditor = new MemoryCaller { Tenant = tenant, Actor = MemoryActor.User("auditor"), Roles = [MemoryRoles.ReadAll, MemoryRoles.Auditor] },
            Admin = MemoryCaller.Service(tenant, "ops", MemoryRoles.Admin),
        };
        return (store, world);
    }

    private AccessControlledMemoryStore As(IMemoryStore store, MemoryCaller caller) =>
        new(store, MemoryCallerAccessor.Fixed(caller), new MemoryAccessOptions { TimeProvider = Clock });

    private static IMemoryAuditLog Audit(IMemoryStore store) => Assert.IsAssignableFrom<IMemoryAuditLog>(store.GetService(typeof(IMemoryAuditLog)));

    private sealed record GovernedWorld
    {
        public required string Tenant { get; init; }

        public required MemoryRecord AlicePersonal { get; init; }

        public required MemoryRecord BobPersonal { get; init; }

        public required MemoryRecord CarolPersonal { get; init; }

        public required MemoryRecord Team { get; init; }

        public required MemoryRecord Public { get; init; }

        public required MemoryCaller Alice { get; init; }

        public required MemoryCaller Bob { get; init; }

        public required MemoryCaller AliceAgent { get; init; }

        public required MemoryCaller Carol { get; init; }

        public required MemoryCaller Dave { get; init; }

        public required MemoryCaller Auditor { get; init; }

        public required MemoryCaller Admin { get; init; }
    }
}
