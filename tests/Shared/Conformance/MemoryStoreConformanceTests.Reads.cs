using System.Text;

namespace SkMemory.Tests.Conformance;

/// <summary>Reads: get by id, filters, expiry, paging and isolation between tenants and subjects.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task GetAsync_UnknownId_ReturnsNull()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "Ana speaks Portuguese");

        Assert.Null(await store.GetAsync(tenant, Guid.CreateVersion7(), Ct));
        Assert.Null(await store.GetAsync(NewTenant(), Guid.CreateVersion7(), Ct));
    }

    [Fact]
    public virtual async Task ReadAsync_Ids_ReturnsOnlyListedIdsThatMatchTheRestOfTheFilter()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var tea = await CreateAsync(store, tenant, "Ana likes tea");
        var coffee = await CreateAsync(store, tenant, "Ana likes coffee");
        var deleted = await CreateAsync(store, tenant, "Ana has a locker at the gym");
        await CreateAsync(store, tenant, "Ana speaks Portuguese");
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = deleted.Id, Reason = "outdated", Actor = MemoryActor.User("ana") }, Ct);

        var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant, Ids = [tea.Id, coffee.Id, deleted.Id, Guid.CreateVersion7()] }, Ct);
        Assert.Equal(new[] { tea.Id, coffee.Id }.Order(), page.Items.Select(r => r.Id).Order());

        Assert.Empty((await store.ReadAsync(new MemoryQuery { Tenant = tenant, Ids = [] }, Ct)).Items);
        Assert.Empty((await store.ReadAsync(new MemoryQuery { Tenant = NewTenant(), Ids = [tea.Id] }, Ct)).Items);
        var tooMany = await Assert.ThrowsAsync<MemoryValidationException>(() => store.ReadAsync(new MemoryQuery { Tenant = tenant, Ids = [.. Enumerable.Range(0, MemoryFilter.MaxIds + 1).Select(_ => Guid.NewGuid())] }, Ct));
        Assert.Equal("ids", tooMany.Field);
    }

    [Fact]
    public virtual async Task GetAsync_AnyStatus_ReturnsDeletedAndSupersededRecords()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var toDelete = await CreateAsync(store, tenant, "Ana has a locker at the gym");
        var toSupersede = await CreateAsync(store, tenant, "Ana drives a Civic");
        var deleted = await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = toDelete.Id, Reason = "outdated", Actor = MemoryActor.User("ana") }, Ct);
        var superseded = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = toSupersede.Id, Actor = MemoryActor.User("ana"), Value = "Ana drives a Golf" }, Ct);

        Assert.Equal(deleted, await store.GetAsync(tenant, toDelete.Id, Ct));
        Assert.Equal(MemoryStatus.Deleted, (await store.GetAsync(tenant, toDelete.Id, Ct))!.Status);
        Assert.Equal(superseded.Previous, await store.GetAsync(tenant, toSupersede.Id, Ct));
        Assert.Equal(superseded.Current, await store.GetAsync(tenant, superseded.Current.Id, Ct));
    }

    [Fact]
    public virtual async Task ReadAsync_Default_ReturnsActiveRecordsInIdOrder()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var written = new List<MemoryRecord>();
        for (var i = 0; i < 6; i++)
        {
            written.Add(await CreateAsync(store, tenant, $"note number {i}"));
        }

        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = written[2].Id, Reason = "wrong", Actor = MemoryActor.User("ana") }, Ct);

        var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct);

        Assert.Null(page.NextCursor);
        Assert.Equal(written.Where((_, i) => i != 2), page.Items);
        Assert.Equal(page.Items.Select(r => r.Id).Order(), page.Items.Select(r => r.Id));
        Assert.All(page.Items, r => Assert.Equal(MemoryStatus.Active, r.Status));
    }

    [Fact]
    public virtual async Task ReadAsync_SubjectFilter_ReturnsOnlyThatSubject()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var x = await CreateAsync(store, tenant, "likes jazz", subject: "x");
        await CreateAsync(store, tenant, "likes rock", subject: "y");
        var x2 = await CreateAsync(store, tenant, "likes blues", subject: "x");

        Assert.Equal([x.Id, x2.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Subject = "x" }));
        Assert.All(await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, Subject = "y" }), r => Assert.Equal("y", r.Subject));
        Assert.Empty(await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, Subject = "z" }));
    }

    [Fact]
    public virtual async Task ReadAsync_ScopeFilters_MatchKindTeamAgentAndSession()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var personal = await CreateAsync(store, Note(tenant, "personal note"));
        var publicNote = await CreateAsync(store, Note(tenant, "public note") with { Scope = MemoryScope.Public });
        var support = await CreateAsync(store, Note(tenant, "support team note") with { Scope = MemoryScope.ForTeam("support") });
        var sales = await CreateAsync(store, Note(tenant, "sales team note") with { Scope = MemoryScope.ForTeam("sales") });
        var agent = await CreateAsync(store, Note(tenant, "planner agent note") with { Scope = MemoryScope.Personal with { Agent = "planner" } });
        var session = await CreateAsync(store, Note(tenant, "session note") with { Scope = MemoryScope.Personal with { Agent = "planner", Session = "s-1" } });

        Assert.Equal([personal.Id, agent.Id, session.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ScopeKinds = [MemoryScopeKind.Personal] }));
        Assert.Equal([publicNote.Id, support.Id, sales.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ScopeKinds = [MemoryScopeKind.Public, MemoryScopeKind.Team] }));
        Assert.Equal([support.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Team = "support" }));
        Assert.Equal([sales.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, ScopeKinds = [MemoryScopeKind.Team], Team = "sales" }));
        Assert.Equal([agent.Id, session.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Agent = "planner" }));
        Assert.Equal([session.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Session = "s-1" }));
        Assert.Empty(await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Agent = "planner", Session = "s-2" }));
    }

    [Fact]
    public virtual async Task ReadAsync_TypesFilter_ReturnsOnlyThoseTypes()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var fact = await CreateAsync(store, Note(tenant, "Ana is a nurse", type: MemoryTypes.Fact));
        var preference = await CreateAsync(store, Note(tenant, "Ana prefers tea", type: MemoryTypes.Preference));
        var skill = await CreateAsync(store, Note(tenant, "Ana speaks Greek", type: MemoryTypes.Skill));

        Assert.Equal([preference.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Types = [MemoryTypes.Preference] }));
        Assert.Equal([fact.Id, skill.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Types = [MemoryTypes.Skill, MemoryTypes.Fact] }));
        Assert.Empty(await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Types = [MemoryTypes.Constraint] }));
    }

    [Fact]
    public virtual async Task ReadAsync_StatusesFilter_SelectsDeletedAndSuperseded()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var active = await CreateAsync(store, tenant, "active note");
        var doomed = await CreateAsync(store, tenant, "deleted note");
        var old = await CreateAsync(store, tenant, "old note");
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = doomed.Id, Reason = "not true", Actor = MemoryActor.User("ana") }, Ct);
        var replaced = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, Actor = MemoryActor.User("ana"), Value = "new note" }, Ct);

        Assert.Equal([active.Id, replaced.Current.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant }));
        var deleted = Assert.Single(await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Deleted] }));
        Assert.Equal(doomed.Id, deleted.Id);
        Assert.Equal(MemoryStatus.Deleted, deleted.Status);
        Assert.Equal([old.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Superseded] }));
        Assert.Equal([active.Id, doomed.Id, replaced.Current.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Active, MemoryStatus.Deleted] }));
        Assert.Equal(4, (await ReadAllAsync(store, AllStatuses(tenant))).Count);
    }

    [Fact]
    public virtual async Task ReadAsync_CreatedRange_IsFromInclusiveToExclusive()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var first = await CreateAsync(store, tenant, "first");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await CreateAsync(store, tenant, "second");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await CreateAsync(store, tenant, "third");

        Assert.Equal([second.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, CreatedFrom = second.CreatedAt, CreatedTo = third.CreatedAt }));
        Assert.Equal([second.Id, third.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, CreatedFrom = second.CreatedAt }));
        Assert.Equal([first.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, CreatedTo = second.CreatedAt }));
        Assert.Equal([third.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, CreatedFrom = second.CreatedAt.AddTicks(10) }));
    }

    [Fact]
    public virtual async Task ReadAsync_UpdatedRange_IsFromInclusiveToExclusive()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var untouched = await CreateAsync(store, tenant, "untouched");
        var touched = await CreateAsync(store, tenant, "touched");
        Clock.Advance(TimeSpan.FromHours(1));
        var updated = await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = touched.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Confidence = 0.5 }, Ct);
        Assert.Equal(MemoryEventChain.TruncateToMicroseconds(Clock.GetUtcNow()), updated.UpdatedAt);

        Assert.Equal([touched.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, UpdatedFrom = updated.UpdatedAt }));
        Assert.Equal([untouched.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, UpdatedTo = updated.UpdatedAt }));
        Assert.Equal([untouched.Id, touched.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, UpdatedFrom = untouched.UpdatedAt, UpdatedTo = updated.UpdatedAt.AddTicks(10) }));
    }

    [Fact]
    public virtual async Task ReadAsync_MetadataFilter_RequiresEveryEntryToMatchExactly()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var both = await CreateAsync(store, Note(tenant, "both") with { Metadata = new Dictionary<string, string> { ["project"] = "apollo", ["lang"] = "en" } });
        var projectOnly = await CreateAsync(store, Note(tenant, "project only") with { Metadata = new Dictionary<string, string> { ["project"] = "apollo" } });
        await CreateAsync(store, Note(tenant, "other project") with { Metadata = new Dictionary<string, string> { ["project"] = "Apollo", ["lang"] = "en" } });
        await CreateAsync(store, tenant, "none");

        Assert.Equal([both.Id, projectOnly.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Metadata = new Dictionary<string, string> { ["project"] = "apollo" } }));
        Assert.Equal([both.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Metadata = new Dictionary<string, string> { ["project"] = "apollo", ["lang"] = "en" } }));
        Assert.Empty(await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Metadata = new Dictionary<string, string> { ["project"] = "apoll" } }));
        Assert.Empty(await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Metadata = new Dictionary<string, string> { ["missing"] = "x" } }));
    }

    [Fact]
    public virtual async Task ReadAsync_ExpiredRecords_AreExcludedUnlessIncludeExpired()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var lasting = await CreateAsync(store, tenant, "lasting");
        var expiring = await CreateAsync(store, Note(tenant, "parked on level 3") with { Ttl = TimeSpan.FromHours(1) });

        Clock.UtcNow = expiring.ValidFrom + TimeSpan.FromMinutes(59);
        Assert.Equal([lasting.Id, expiring.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant }));

        Clock.UtcNow = expiring.ValidFrom + TimeSpan.FromHours(1);
        Assert.Equal([lasting.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant }));
        Assert.Equal([lasting.Id, expiring.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, IncludeExpired = true }));
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, expiring.Id, Ct))!.Status);
    }

    [Fact]
    public virtual async Task ReadAsync_Paging_PagesConcatenateToAllMatchesWithoutDuplicates()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var written = new List<Guid>();
        for (var i = 0; i < 23; i++)
        {
            written.Add((await CreateAsync(store, tenant, $"paged note {i}")).Id);
        }

        var pages = new List<MemoryPage>();
        string? cursor = null;
        do
        {
            var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant, PageSize = 5, Cursor = cursor }, Ct);
            pages.Add(page);
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 10);

        Assert.Equal([5, 5, 5, 5, 3], pages.Select(p => p.Items.Count));
        Assert.All(pages.SkipLast(1), p => Assert.NotNull(p.NextCursor));
        Assert.Null(pages[^1].NextCursor);
        Assert.Equal(written, pages.SelectMany(p => p.Items).Select(r => r.Id));

        var exact = await store.ReadAsync(new MemoryQuery { Tenant = tenant, PageSize = 23 }, Ct);
        Assert.Equal(23, exact.Items.Count);
        Assert.Null(exact.NextCursor);
        Assert.Equal(written, await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, PageSize = 1 }));

        var empty = await store.ReadAsync(new MemoryQuery { Tenant = NewTenant() }, Ct);
        Assert.Empty(empty.Items);
        Assert.Null(empty.NextCursor);
    }

    [Fact]
    public virtual async Task ReadAsync_PageSizeOutOfRange_ThrowsPageSize()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "a note");

        foreach (var size in new[] { 0, -1, MemoryQuery.MaxPageSize + 1 })
        {
            var error = await Assert.ThrowsAsync<MemoryValidationException>(() => store.ReadAsync(new MemoryQuery { Tenant = tenant, PageSize = size }, Ct));
            Assert.Equal("page_size", error.Field);
        }

        Assert.Single((await store.ReadAsync(new MemoryQuery { Tenant = tenant, PageSize = MemoryQuery.MaxPageSize }, Ct)).Items);
    }

    [Fact]
    public virtual async Task ReadAsync_GarbageCursor_ThrowsCursor()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        await CreateAsync(store, tenant, "a note");

        foreach (var cursor in new[] { "not a cursor", "!!!", "djF8bm90LWEtZ3VpZA", Guid.NewGuid().ToString() })
        {
            var error = await Assert.ThrowsAsync<MemoryValidationException>(() => store.ReadAsync(new MemoryQuery { Tenant = tenant, Cursor = cursor }, Ct));
            Assert.Equal("cursor", error.Field);
        }
    }

    [Fact]
    public virtual async Task ScopeIsolation_AnotherTenant_SeesNothing()
    {
        var store = await NewStoreAsync();
        var owner = NewTenant();
        var stranger = NewTenant();
        var secret = await CreateAsync(store, owner, "Ana keeps the spare key under the blue flowerpot");
        var visible = await CreateAsync(store, stranger, "Bob likes hiking");

        Assert.Null(await store.GetAsync(stranger, secret.Id, Ct));
        Assert.Equal([visible.Id], await ReadIdsAsync(store, AllStatuses(stranger)));
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = stranger, Text = "spare key blue flowerpot", Mode = mode }, Ct);
            Assert.DoesNotContain(hits, h => h.Record.Id == secret.Id);
            Assert.All(hits, h => Assert.Equal(stranger, h.Record.Tenant));
        }

        Assert.Empty(await store.GetHistoryAsync(stranger, secret.Id, Ct));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.UpdateAsync(new MemoryUpdateRequest { Tenant = stranger, Id = secret.Id, ExpectedVersion = 1, Actor = MemoryActor.User("bob"), Confidence = 0.1 }, Ct));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.DeleteAsync(new MemoryDeleteRequest { Tenant = stranger, Id = secret.Id, Reason = "mine now", Actor = MemoryActor.User("bob") }, Ct));

        var (bytes, result) = await ExportBytesAsync(store, stranger);
        var items = await ParseExportAsync(bytes);
        Assert.Equal(1, result.Events);
        Assert.Equal(1, result.Objects);
        Assert.Equal([stranger], result.Tenants);
        Assert.All(items.Where(i => i.Event is not null), i => Assert.Equal(stranger, i.Event!.Tenant));
        Assert.All(items.Where(i => i.Record is not null), i => Assert.Equal(visible.Id, i.Record!.Id));
        Assert.DoesNotContain("flowerpot", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(secret, await store.GetAsync(owner, secret.Id, Ct));
    }

    [Fact]
    public virtual async Task ScopeIsolation_SubjectFilter_NeverReturnsAnotherSubjectsMemories()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var others = new[]
        {
            (await CreateAsync(store, tenant, "allergic to peanuts", subject: "x")).Id,
            (await CreateAsync(store, tenant, "allergic to shellfish and peanuts", subject: "x")).Id,
        };
        var walks = await CreateAsync(store, tenant, "likes long walks", subject: "y");
        var allergy = await CreateAsync(store, tenant, "mildly allergic to peanuts", subject: "y");

        Assert.Equal([walks.Id, allergy.Id], await ReadIdsAsync(store, new MemoryQuery { Tenant = tenant, Subject = "y" }));
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            // x's memories match the query better than y's; only y's may come back, its matching memory first.
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Subject = "y", Text = "allergic to peanuts", Mode = mode }, Ct);
            Assert.Equal(allergy.Id, hits[0].Record.Id);
            Assert.All(hits, h => Assert.Equal("y", h.Record.Subject));
            Assert.DoesNotContain(hits, h => others.Contains(h.Record.Id));

            // It shares no word with the query: it may come back as a neighbour or by meaning, never as a text match.
            Assert.All(hits.Where(h => h.Record.Id == walks.Id), h => Assert.Null(h.Breakdown.LexicalRank));
        }
    }
}
