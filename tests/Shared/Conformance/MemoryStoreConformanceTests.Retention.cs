using SkMemory.Governance.Retention;

namespace SkMemory.Tests.Conformance;

/// <summary>
/// The retention sweeper against the store: each rule fires exactly when due (the suite's clock decides), purges follow
/// their delay, revoked consent is purged after its grace, legal holds are skipped and counted, failed extractions lose
/// their raw input, a dry run changes nothing and a second sweep at the same time does nothing.
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    private const string PreferencePolicy = """
        {
          "version": 1,
          "rules": [ { "type": "preference", "expireAfterDays": 365, "anchor": "last_touch", "purgeAfterDays": 30 } ]
        }
        """;

    [Fact]
    public virtual async Task Sweep_TypeRule_ExpiresExactlyWhenDueAndPurgesAfterTheDelay()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var preference = await CreateAsync(store, Note(tenant, "Ana prefers window seats", type: MemoryTypes.Preference));
        var fact = await CreateAsync(store, Note(tenant, "Ana lives in Lisbon"));
        var sweeper = Sweeper(store, PreferencePolicy);

        Clock.UtcNow = preference.UpdatedAt.AddDays(364);
        var early = await SweepAsync(sweeper, tenant);
        Assert.True(early.IsEmpty);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, preference.Id, Ct))!.Status);

        Clock.UtcNow = preference.UpdatedAt.AddDays(365);
        var due = await SweepAsync(sweeper, tenant);
        Assert.Equal((1, 0), (Row(due, "preference").Expired, due.TotalPurged));
        var expired = (await store.GetAsync(tenant, preference.Id, Ct))!;
        Assert.Equal(MemoryStatus.Expired, expired.Status);
        Assert.Equal(preference.Value, expired.Value);
        var expiry = (await store.GetHistoryAsync(tenant, preference.Id, Ct))[^1];
        Assert.Equal((MemoryEventType.Expired, "retention: preference 365d after last_touch"), (expiry.EventType, expiry.Reason));
        Assert.Equal(MemoryRetentionSweepOptions.DefaultActor, expiry.Actor);

        Clock.UtcNow = expired.UpdatedAt.AddDays(30).AddTicks(-10);
        Assert.True((await SweepAsync(sweeper, tenant)).IsEmpty);
        Assert.Equal(preference.Value, (await store.GetAsync(tenant, preference.Id, Ct))!.Value);

        Clock.UtcNow = expired.UpdatedAt.AddDays(30);
        var purge = await SweepAsync(sweeper, tenant);
        Assert.Equal((0, 1), (purge.TotalExpired, Row(purge, "preference").Purged));
        Assert.Single(purge.AttestationIds);
        var tombstone = (await store.GetAsync(tenant, preference.Id, Ct))!;
        Assert.Equal(MemoryStatus.Deleted, tombstone.Status);
        Assert.Equal(string.Empty, tombstone.Value.Text);
        Assert.Equal("retention: preference purged 30d after expiry", (await store.GetHistoryAsync(tenant, preference.Id, Ct))[^1].Reason);

        // Facts have no rule in this policy: the default keeps them.
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, fact.Id, Ct))!.Status);
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
    }

    [Fact]
    public virtual async Task Sweep_MetadataAnchor_CountsFromTheDateInTheMemory()
    {
        var store = await NewStoreAsync(RegisterAddressType);
        var tenant = NewTenant();
        var shippedAt = ClockStart.AddDays(10);
        var shipped = await CreateAsync(store, Address(tenant, """{"street":"Rua A 1","city":"Lisbon"}""") with { Metadata = new Dictionary<string, string> { ["shipped_at"] = shippedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) } });
        var notShipped = await CreateAsync(store, Address(tenant, """{"street":"Rua B 2","city":"Porto"}""") with { Subject = "bob" });
        var badDate = await CreateAsync(store, Address(tenant, """{"street":"Rua C 3","city":"Faro"}""") with { Subject = "carl", Metadata = new Dictionary<string, string> { ["shipped_at"] = "last week" } });
        var sweeper = Sweeper(store, """
            { "version": 1, "rules": [ { "type": "address", "expireAfterDays": 90, "anchor": "metadata:shipped_at", "purgeAfterDays": 0 } ] }
            """);

        Clock.UtcNow = shippedAt.AddDays(90).AddTicks(-10);
        var early = await SweepAsync(sweeper, tenant);
        Assert.True(early.IsEmpty);
        Assert.Equal(1, early.TotalErrors);
        Assert.Contains(badDate.Id.ToString(), Assert.Single(early.ErrorMessages), StringComparison.Ordinal);

        Clock.UtcNow = shippedAt.AddDays(90);
        var due = await SweepAsync(sweeper, tenant);

        // Purge after 0 days: expired and purged in the same sweep.
        Assert.Equal((1, 1), (Row(due, "address").Expired, Row(due, "address").Purged));
        Assert.True(IsTombstone((await store.GetAsync(tenant, shipped.Id, Ct))!));
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, notShipped.Id, Ct))!.Status);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, badDate.Id, Ct))!.Status);
    }

    [Fact]
    public virtual async Task Sweep_ScopeRule_OverridesItsTypeRule()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var personal = await CreateAsync(store, Note(tenant, "Ana's team lunch is on Fridays"));
        var team = await CreateAsync(store, Note(tenant, "The eng team deploys on Tuesdays") with { Scope = MemoryScope.ForTeam("eng") });
        var published = await CreateAsync(store, Note(tenant, "The office opens at 8") with { Scope = MemoryScope.Public });
        var sweeper = Sweeper(store, """
            {
              "version": 1,
              "rules": [
                { "type": "fact", "expireAfterDays": 30, "purgeAfterDays": 30 },
                { "type": "fact", "scope": "public" },
                { "type": "fact", "scope": "team", "expireAfterDays": 60, "anchor": "created" }
              ]
            }
            """);

        Clock.UtcNow = team.CreatedAt.AddDays(30);
        var first = await SweepAsync(sweeper, tenant);
        Clock.UtcNow = team.CreatedAt.AddDays(60);
        var second = await SweepAsync(sweeper, tenant);

        Assert.Equal((1, 0, 0), (Row(first, "fact").Expired, Row(first, "fact@team").Expired, Row(first, "fact@public").Expired));
        Assert.Equal((1, 1), (Row(first, "fact@team").Examined, Row(first, "fact@public").Examined));
        Assert.Equal(1, Row(second, "fact@team").Expired);

        // The personal fact expired at day 30 and its rule purges 30 days later; the team rule names no purge delay and
        // the policy's default keeps content, so the team fact stays expired.
        Assert.Equal(1, Row(second, "fact").Purged);
        Assert.True(IsTombstone((await store.GetAsync(tenant, personal.Id, Ct))!));
        Assert.Equal(MemoryStatus.Expired, (await store.GetAsync(tenant, team.Id, Ct))!.Status);
        Assert.Equal("retention: fact@team 60d after created", (await store.GetHistoryAsync(tenant, team.Id, Ct))[^1].Reason);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, published.Id, Ct))!.Status);
    }

    [Fact]
    public virtual async Task Sweep_OwnTimeToLive_ExpiresAndTheDefaultPurges()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var parking = await CreateAsync(store, Note(tenant, "Ana parked on level 3") with { Ttl = TimeSpan.FromDays(1) });
        var sweeper = Sweeper(store, """{ "version": 1, "default": { "purgeAfterDays": 7 } }""");

        Clock.UtcNow = parking.ExpiresAt!.Value.AddTicks(-10);
        Assert.True((await SweepAsync(sweeper, tenant)).IsEmpty);
        Clock.UtcNow = parking.ExpiresAt!.Value;
        var expired = await SweepAsync(sweeper, tenant);
        Clock.UtcNow = parking.ExpiresAt!.Value.AddDays(7);
        var purged = await SweepAsync(sweeper, tenant);

        Assert.Equal(1, Row(expired, "default").Expired);
        Assert.Equal(1, Row(purged, "default").Purged);
        var history = await store.GetHistoryAsync(tenant, parking.Id, Ct);
        Assert.Equal(["retention: time to live elapsed", "retention: default purged 7d after expiry"], history.Skip(1).Select(e => e.Reason));
    }

    [Fact]
    public virtual async Task Sweep_ConsentRevoked_PurgesTheSubjectsMemoriesInThatScopeAfterTheGrace()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var personal = await CreateAsync(store, Note(tenant, "Ana is allergic to peanuts"));
        var old = await CreateAsync(store, Note(tenant, "Ana drinks almond milk", type: MemoryTypes.Preference));
        var superseded = await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, ExpectedVersion = old.Version, Value = "Ana drinks oat milk", Actor = MemoryActor.User("ana"), Reason = "changed her mind" }, Ct);
        var team = await CreateAsync(store, Note(tenant, "Ana leads the eng team") with { Scope = MemoryScope.ForTeam("eng") });
        var bob = await CreateAsync(store, Note(tenant, "Bob is allergic to shellfish", subject: "bob"));
        var consents = ConsentsOf(store);
        await consents.SetAsync(Consent(tenant, "bob", MemoryScopeKind.Personal, MemoryConsentState.Granted, "personalization"), Ct);
        var revokedAt = Clock.UtcNow;
        await consents.SetAsync(Consent(tenant, "ana", MemoryScopeKind.Personal, MemoryConsentState.Revoked, "personalization"), Ct);
        var sweeper = Sweeper(store, """{ "version": 1, "consentRevoked": { "purgeAfterDays": 30 } }""");

        Clock.UtcNow = revokedAt.AddDays(30).AddTicks(-10);
        Assert.True((await SweepAsync(sweeper, tenant)).IsEmpty);
        Assert.Equal(personal.Value, (await store.GetAsync(tenant, personal.Id, Ct))!.Value);

        Clock.UtcNow = revokedAt.AddDays(30);
        var report = await SweepAsync(sweeper, tenant);

        Assert.Equal(3, Row(report, "consent_revoked").Purged);
        foreach (var id in new[] { personal.Id, old.Id, superseded.Current.Id })
        {
            Assert.True(IsTombstone((await store.GetAsync(tenant, id, Ct))!), $"memory {id} was not purged");
        }

        Assert.Equal("retention: consent revoked for personal scope, purged 30d after", (await store.GetHistoryAsync(tenant, personal.Id, Ct))[^1].Reason);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, team.Id, Ct))!.Status);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, bob.Id, Ct))!.Status);
        Assert.True((await SweepAsync(sweeper, tenant)).IsEmpty);
    }

    [Fact]
    public virtual async Task Sweep_LegalHold_SkipsAndCountsUntilReleasedThenSweeps()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var ana = await CreateAsync(store, Note(tenant, "Ana prefers aisle seats", subject: "ana", type: MemoryTypes.Preference));
        var bob = await CreateAsync(store, Note(tenant, "Bob prefers aisle seats", subject: "bob", type: MemoryTypes.Preference));
        var carl = await CreateAsync(store, Note(tenant, "Carl prefers aisle seats", subject: "carl", type: MemoryTypes.Preference));
        var holds = HoldsOf(store);
        await holds.PlaceAsync(Hold(tenant, "matter-1", subject: "ana"), Ct);
        await holds.PlaceAsync(Hold(tenant, "matter-2", memoryId: bob.Id), Ct);
        var sweeper = Sweeper(store, PreferencePolicy);

        Clock.UtcNow = carl.UpdatedAt.AddDays(365);
        var held = await SweepAsync(sweeper, tenant);
        Assert.Equal((1, 2), (Row(held, "preference").Expired, Row(held, "preference").Held));
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, ana.Id, Ct))!.Status);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, bob.Id, Ct))!.Status);

        // Still held: the next sweep skips them again, changing nothing.
        Assert.Equal(2, (await SweepAsync(sweeper, tenant)).TotalHeld);

        await holds.ReleaseAsync(tenant, "matter-1", MemoryActor.User("counsel"), Ct);
        await holds.ReleaseAsync(tenant, "matter-2", MemoryActor.User("counsel"), Ct);
        var released = await SweepAsync(sweeper, tenant);

        Assert.Equal((2, 0), (Row(released, "preference").Expired, released.TotalHeld));
        Assert.Equal(MemoryStatus.Expired, (await store.GetAsync(tenant, ana.Id, Ct))!.Status);
        Assert.Equal(MemoryStatus.Expired, (await store.GetAsync(tenant, bob.Id, Ct))!.Status);
    }

    [Fact]
    public virtual async Task Sweep_FailedExtraction_LosesItsRawInputAndKeepsItsRecord()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var jobs = Jobs(store);
        var failed = FullJob(tenant, "ing_failed", Clock.UtcNow);
        var pending = EmptyJob(tenant, "ing_pending", Clock.UtcNow);
        await jobs.CreateJobAsync(failed, Ct);
        await jobs.CreateJobAsync(pending, Ct);
        var sweeper = Sweeper(store, """{ "version": 1, "failedExtractions": { "purgeAfterDays": 0 } }""");
        Clock.UtcNow = failed.UpdatedAt;

        var report = await SweepAsync(sweeper, tenant);

        Assert.Equal((1, 1), (Row(report, "failed_extractions").Examined, Row(report, "failed_extractions").Purged));
        var scrubbed = (await jobs.GetJobAsync(tenant, failed.Id, Ct))!;
        Assert.Equal(MemoryIngestionJobState.Failed, scrubbed.State);
        Assert.Equal((0, 0, 0, (string?)null), (scrubbed.Input.Messages.Count, scrubbed.Input.ToolOutputs.Count, scrubbed.Input.Documents.Count, scrubbed.Input.Instructions));
        Assert.All(scrubbed.Rejections, r => Assert.Null(r.Candidate));
        Assert.Equal(failed.Counts, scrubbed.Counts);
        Assert.Equal(failed.Stages.Count, scrubbed.Stages.Count);
        Assert.Contains(scrubbed.Errors, e => e.StartsWith("retention:", StringComparison.Ordinal));
        Assert.Single((await jobs.GetJobAsync(tenant, pending.Id, Ct))!.Input.Messages);
        Assert.True((await SweepAsync(sweeper, tenant)).IsEmpty);
    }

    [Fact]
    public virtual async Task Sweep_DryRun_ReportsWhatWouldChangeAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var (tenant, sweeper) = await SeedDueEverythingAsync(store);
        var events = await EventCountAsync(store);
        var before = await ReadAllAsync(store, AllStatuses(tenant));
        var job = await Jobs(store).GetJobAsync(tenant, "ing_failed", Ct);

        var dry = await sweeper.SweepAsync(new MemoryRetentionSweepOptions { Tenant = tenant, DryRun = true }, cancellationToken: Ct);

        Assert.True(dry.DryRun);
        Assert.Equal((2, 5, 1), (dry.TotalExpired, dry.TotalPurged, dry.TotalHeld));
        Assert.Empty(dry.AttestationIds);
        Assert.Equal(events, await EventCountAsync(store));
        Assert.Equal(before, await ReadAllAsync(store, AllStatuses(tenant)));
        Assert.Equal(job!.Input.Messages.Count, (await Jobs(store).GetJobAsync(tenant, "ing_failed", Ct))!.Input.Messages.Count);

        // The real sweep does what the dry run said.
        var real = await SweepAsync(sweeper, tenant);
        Assert.Equal(dry.Rules.Select(r => (r.Rule, r.Expired, r.Purged, r.Held)), real.Rules.Select(r => (r.Rule, r.Expired, r.Purged, r.Held)));
    }

    [Fact]
    public virtual async Task Sweep_Twice_SecondSweepReportsZerosAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var (tenant, sweeper) = await SeedDueEverythingAsync(store);
        var progress = new List<MemoryRetentionProgress>();

        var first = await sweeper.SweepAsync(new MemoryRetentionSweepOptions { Tenant = tenant, PageSize = 2 }, new SyncProgress(progress), Ct);
        var events = await EventCountAsync(store);
        var state = await ReadAllAsync(store, AllStatuses(tenant));
        var second = await SweepAsync(sweeper, tenant);

        Assert.Equal((2, 5), (first.TotalExpired, first.TotalPurged));
        Assert.Equal(3, first.AttestationIds.Count);
        Assert.NotEmpty(progress);
        Assert.Equal(first.TotalPurged, progress[^1].Purged);
        Assert.True(second.IsEmpty);
        Assert.Equal((0, 0, 0), (second.TotalExpired, second.TotalPurged, second.TotalErrors));
        Assert.Empty(second.AttestationIds);
        Assert.Equal(1, second.TotalHeld);
        Assert.Equal(events, await EventCountAsync(store));
        Assert.Equal(state, await ReadAllAsync(store, AllStatuses(tenant)));
    }

    [Fact]
    public virtual async Task Sweep_AllTenants_SweepsEveryTenantOfTheStore()
    {
        var store = await NewStoreAsync();
        var a = NewTenant();
        var b = NewTenant();
        var first = await CreateAsync(store, Note(a, "Ana prefers tea", type: MemoryTypes.Preference));
        await CreateAsync(store, Note(b, "Bob prefers coffee", subject: "bob", type: MemoryTypes.Preference));
        var sweeper = Sweeper(store, PreferencePolicy);
        Clock.UtcNow = first.UpdatedAt.AddDays(366);

        var report = await sweeper.SweepAsync(cancellationToken: Ct);

        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), report.Tenants);
        Assert.Equal(2, Row(report, "preference").Expired);
    }

    /// <summary>
    /// Seeds a tenant where, at the returned sweeper's clock, two preferences are due to expire (one then purged at once),
    /// one expired fact is due to purge, one memory is held, a revoked subject has one memory past the grace, and one
    /// failed job has input: 2 expiries and 5 purges (3 memories, 1 consent, 1 job input).
    /// </summary>
    private async Task<(string Tenant, MemoryRetentionSweeper Sweeper)> SeedDueEverythingAsync(IMemoryStore store)
    {
        var tenant = NewTenant();
        var prefs = new[]
        {
            await CreateAsync(store, Note(tenant, "Ana prefers tea", type: MemoryTypes.Preference)),
            await CreateAsync(store, Note(tenant, "Ana prefers aisle seats", type: MemoryTypes.Preference)),
            await CreateAsync(store, Note(tenant, "Ana prefers jazz", type: MemoryTypes.Preference) with { Subject = "held" }),
        };
        var fact = await CreateAsync(store, Note(tenant, "Ana's old phone was a Nokia"));
        await store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = fact.Id, Reason = "a person expired it", Actor = MemoryActor.User("ana") }, Ct);
        await CreateAsync(store, Note(tenant, "Dan likes hiking", subject: "dan"));
        await ConsentsOf(store).SetAsync(Consent(tenant, "dan", MemoryScopeKind.Personal, MemoryConsentState.Revoked, "personalization"), Ct);
        await HoldsOf(store).PlaceAsync(Hold(tenant, "matter-held", subject: "held"), Ct);
        await Jobs(store).CreateJobAsync(FullJob(tenant, "ing_failed", Clock.UtcNow), Ct);
        var sweeper = Sweeper(store, """
            {
              "version": 1,
              "rules": [
                { "type": "preference", "expireAfterDays": 365, "purgeAfterDays": 0 },
                { "type": "fact", "purgeAfterDays": 10 }
              ],
              "consentRevoked": { "purgeAfterDays": 30 },
              "failedExtractions": { "purgeAfterDays": 0 }
            }
            """);
        Clock.UtcNow = prefs[^1].UpdatedAt.AddDays(365);
        return (tenant, sweeper);
    }

    private MemoryRetentionSweeper Sweeper(IMemoryStore store, string policyJson) =>
        new(store, MemoryRetentionPolicy.Parse(policyJson, "test policy", store.GetService(typeof(MemoryTypeRegistry)) as MemoryTypeRegistry), Clock);

    private static Task<MemoryRetentionReport> SweepAsync(MemoryRetentionSweeper sweeper, string tenant) =>
        sweeper.SweepAsync(new MemoryRetentionSweepOptions { Tenant = tenant }, cancellationToken: Ct);

    private static MemoryRetentionRuleReport Row(MemoryRetentionReport report, string rule) => report.Rules.Single(r => r.Rule == rule);

    private static bool IsTombstone(MemoryRecord record) => record.Status == MemoryStatus.Deleted && record.Value.Text.Length == 0;

    /// <summary>Records progress on the reporting thread (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class SyncProgress(List<MemoryRetentionProgress> reports) : IProgress<MemoryRetentionProgress>
    {
        public void Report(MemoryRetentionProgress value) => reports.Add(value);
    }
}
