using SkMemory.Capture;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests.Capture;

/// <summary>The evolve step against the real embedded store: each decision, as events with reasons, nothing destroyed.</summary>
public sealed class MemoryEvolverTests : IAsyncLifetime
{
    private const string Tenant = "acme";
    private static readonly DateTimeOffset Start = new(2023, 5, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Start.AddDays(30));
    private readonly TemporarySqliteStore _sqlite;
    private SqliteMemoryStore _store = null!;

    public MemoryEvolverTests() => _sqlite = new TemporarySqliteStore("skmemory-evolve-", clock: _clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await _sqlite.OpenAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _sqlite.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_new_statement_is_added_with_its_evidence_key_and_reason()
    {
        var evolver = new MemoryEvolver(_store);

        var outcome = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana's shipping address is Rua Augusta 1, Lisbon", "m1", Start, MemoryTypes.Asset, "asset:shipping_address"), new Dictionary<string, string> { ["capture.job"] = "ing_1" }, Ct);

        Assert.Equal(MemoryEvolveAction.Add, outcome.Decision.Action);
        Assert.Equal("nothing related is stored", outcome.Decision.Reason);
        var record = outcome.Record;
        Assert.Equal(["m1"], record.Provenance.MessageIds);
        Assert.Equal(Start, record.ValidFrom);
        Assert.Equal(0.6, record.Confidence);
        Assert.Equal(MemoryActor.Agent("skmemory-capture"), record.Actor);
        Assert.Equal("asset:shipping_address", record.Metadata[MemoryEvolver.KeyMetadata]);
        Assert.Equal("test", record.Metadata[MemoryEvolver.ExtractorMetadata]);
        Assert.Equal("ing_1", record.Metadata["capture.job"]);
        Assert.Equal("capture (rules): nothing related is stored", Assert.Single(await _store.GetHistoryAsync(Tenant, record.Id, Ct)).Reason);
    }

    [Fact]
    public async Task A_changed_address_supersedes_leaving_one_active_address_and_the_old_one_in_history()
    {
        var evolver = new MemoryEvolver(_store);
        var first = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana's shipping address is Rua Augusta 1, Lisbon", "m1", Start, MemoryTypes.Asset, "asset:shipping_address"), cancellationToken: Ct)).Record;

        var outcome = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana's shipping address is 22 Baker Street, London", "m9", Start.AddDays(10), MemoryTypes.Asset, "asset:shipping_address"), cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Supersede, outcome.Decision.Action);
        Assert.Equal(first.Id, outcome.Previous?.Id);
        Assert.Equal("a new value for asset:shipping_address replaces \"Ana's shipping address is Rua Augusta 1, Lisbon\"", outcome.Decision.Reason);
        var active = (await _store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = "ana", Types = [MemoryTypes.Asset] }, Ct)).Items;
        Assert.Equal("Ana's shipping address is 22 Baker Street, London", Assert.Single(active).Value.Text);
        var old = await _store.GetAsync(Tenant, first.Id, Ct);
        Assert.Equal(MemoryStatus.Superseded, old!.Status);
        Assert.Equal(Start.AddDays(10), old.ValidTo);
        Assert.Equal(outcome.Record.Id, old.SupersededBy);
        Assert.Equal(first.Id, outcome.Record.Supersedes);
        Assert.Equal(["m9"], outcome.Record.Provenance.MessageIds);
        Assert.Equal("asset:shipping_address", outcome.Record.Metadata[MemoryEvolver.KeyMetadata]);

        // As of a date before the move, the old address is the one that was true.
        var asOf = (await _store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = "ana", ValidAt = Start.AddDays(5) }, Ct)).Items;
        Assert.Equal(first.Id, Assert.Single(asOf).Id);
        var history = await _store.GetHistoryAsync(Tenant, first.Id, Ct);
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Superseded], history.Select(e => e.EventType));
        Assert.StartsWith("capture (rules): a new value for asset:shipping_address", history[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_contradicting_transition_supersedes_the_value_it_names()
    {
        var evolver = new MemoryEvolver(_store);
        var almond = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers almond milk", "m1", Start), cancellationToken: Ct)).Record;

        var outcome = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers oat milk", "m5", Start.AddDays(7)) with { Replaces = "almond milk" }, cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Supersede, outcome.Decision.Action);
        Assert.Equal(almond.Id, outcome.Previous?.Id);
        Assert.Contains("changed from \"almond milk\"", outcome.Decision.Reason, StringComparison.Ordinal);
        Assert.Equal(MemoryStatus.Superseded, (await _store.GetAsync(Tenant, almond.Id, Ct))!.Status);
    }

    [Fact]
    public async Task A_change_said_later_supersedes_even_when_its_date_names_an_earlier_start()
    {
        var evolver = new MemoryEvolver(_store);
        var saidInMarch = new DateTimeOffset(2024, 3, 4, 9, 0, 0, TimeSpan.Zero);
        var saidInApril = new DateTimeOffset(2024, 4, 15, 9, 0, 0, TimeSpan.Zero);
        var almond = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana always takes almond milk", "m1", saidInMarch), cancellationToken: Ct)).Record;

        // "I switched from almond to oat milk last month", said on 2024-04-15: the month starts on 2024-03-01.
        var outcome = await evolver.EvolveAsync(
            Tenant,
            MemoryScope.Personal,
            Candidate("Ana prefers oat milk", "m9", saidInApril) with { Replaces = "almond milk", ValidFrom = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero) },
            cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Supersede, outcome.Decision.Action);
        Assert.Equal(almond.Id, outcome.Previous?.Id);

        // The new value cannot start before the one it replaces: it starts when it was said.
        Assert.Equal(saidInApril, outcome.Record.ValidFrom);
        Assert.Equal(saidInApril, (await _store.GetAsync(Tenant, almond.Id, Ct))!.ValidTo);

        // The same change said before the almond statement would not have replaced it.
        var stale = await new RuleBasedMemoryConflictResolver().ResolveAsync(
            Candidate("Ana prefers rice milk", "m0", saidInMarch.AddDays(-1)) with { Replaces = "oat milk" },
            [new MemoryRelatedRecord(outcome.Record, 0.8, SameKey: false)],
            Ct);
        Assert.Equal(MemoryEvolveAction.NoOp, stale.Action);
        Assert.Equal("the change from \"oat milk\" was said earlier (2024-03-03) than the memory it would replace (2024-04-15)", stale.Reason);
    }

    [Fact]
    public async Task The_same_statement_with_new_evidence_merges_and_the_merge_is_reversible_from_the_log()
    {
        var evolver = new MemoryEvolver(_store);
        var first = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana is allergic to peanuts", "m1", Start, type: MemoryTypes.Constraint) with { Salience = 0.9 }, cancellationToken: Ct)).Record;

        var outcome = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana is allergic to peanuts.", "m7", Start.AddDays(3), type: MemoryTypes.Constraint) with { Confidence = 0.5 }, cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Merge, outcome.Decision.Action);
        Assert.Equal(first.Id, outcome.Record.Id);
        Assert.Equal(0.8, outcome.Record.Confidence, 10);
        Assert.Equal(0.9, outcome.Record.Salience);
        Assert.Equal(["m1", "m7"], outcome.Record.Provenance.MessageIds);
        var merge = (await _store.GetHistoryAsync(Tenant, first.Id, Ct))[^1];
        Assert.Equal(MemoryEventType.Merged, merge.EventType);
        Assert.Equal("capture (rules): corroborates: states the same with new evidence", merge.Reason);

        var undone = await _store.UnmergeAsync(new MemoryUnmergeRequest { Tenant = Tenant, Id = first.Id, MergeEventId = merge.EventId, Actor = MemoryActor.User("reviewer"), Reason = "m7 was about someone else" }, Ct);
        Assert.Equal(first.Confidence, undone.Confidence, 10);
        Assert.Equal(first.Provenance, undone.Provenance);
    }

    [Fact]
    public async Task A_near_identical_statement_merges_at_the_configured_similarity()
    {
        var evolver = new MemoryEvolver(_store, new RuleBasedMemoryConflictResolver(duplicateSimilarity: 0.85));
        var first = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers oat milk", "m1", Start), cancellationToken: Ct)).Record;

        var outcome = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana really prefers oat milk", "m2", Start.AddDays(1)), cancellationToken: Ct);
        var unrelated = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers aisle seats", "m3", Start.AddDays(1)), cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Merge, outcome.Decision.Action);
        Assert.Equal(first.Id, outcome.Record.Id);
        Assert.StartsWith("corroborates: restates it (similarity 0.89)", outcome.Decision.Reason, StringComparison.Ordinal);
        Assert.Equal(MemoryEvolveAction.Add, unrelated.Decision.Action);
        Assert.StartsWith("new: the closest memory is only", unrelated.Decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_or_a_stale_value_changes_nothing()
    {
        var evolver = new MemoryEvolver(_store);
        var lisbon = Candidate("Ana lives in Lisbon", "m4", Start.AddDays(10), type: MemoryTypes.Fact, key: "fact:home_city");
        var first = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, lisbon, cancellationToken: Ct)).Record;
        var events = (await _store.VerifyAsync(Tenant, Ct)).EventCount;

        var again = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, lisbon, cancellationToken: Ct);
        var older = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana lives in Porto", "m1", Start, type: MemoryTypes.Fact, key: "fact:home_city"), cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.NoOp, again.Decision.Action);
        Assert.Equal("duplicate: states the same, and its evidence is already recorded", again.Decision.Reason);
        Assert.Equal(first.Id, again.Record.Id);
        Assert.Equal(MemoryEvolveAction.NoOp, older.Decision.Action);
        Assert.Equal("said earlier (2023-05-01) than the current value of fact:home_city (2023-05-11), which stands", older.Decision.Reason);
        Assert.Equal(events, (await _store.VerifyAsync(Tenant, Ct)).EventCount);
        Assert.Equal(first, await _store.GetAsync(Tenant, first.Id, Ct));
    }

    [Fact]
    public async Task Memories_of_another_subject_type_or_scope_are_not_related()
    {
        var evolver = new MemoryEvolver(_store);
        var ana = (await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Likes jazz", "m1", Start), cancellationToken: Ct)).Record;

        var ben = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Likes jazz", "m2", Start) with { Subject = "ben" }, cancellationToken: Ct);
        var fact = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Likes jazz", "m3", Start, type: MemoryTypes.Fact), cancellationToken: Ct);
        var team = await evolver.EvolveAsync(Tenant, MemoryScope.ForTeam("music"), Candidate("Likes jazz", "m4", Start), cancellationToken: Ct);

        Assert.All([ben, fact, team], o => Assert.Equal(MemoryEvolveAction.Add, o.Decision.Action));
        Assert.Equal(4, new[] { ana.Id, ben.Record.Id, fact.Record.Id, team.Record.Id }.Distinct().Count());
    }

    [Fact]
    public async Task Memories_narrowed_to_another_agent_or_session_are_not_related()
    {
        var evolver = new MemoryEvolver(_store);
        var scope = MemoryScope.Personal with { Agent = "planner" };
        var planner = (await evolver.EvolveAsync(Tenant, scope, Candidate("Ana prefers oat milk", "m1", Start), cancellationToken: Ct)).Record;

        var writer = await evolver.EvolveAsync(Tenant, scope with { Agent = "writer" }, Candidate("Ana prefers oat milk", "m2", Start), cancellationToken: Ct);
        var session = await evolver.EvolveAsync(Tenant, scope with { Session = "s2" }, Candidate("Ana prefers oat milk", "m3", Start), cancellationToken: Ct);
        var unnarrowed = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers oat milk", "m4", Start), cancellationToken: Ct);
        var changed = await evolver.EvolveAsync(Tenant, MemoryScope.Personal with { Agent = "writer" }, Candidate("Ana prefers soy milk", "m5", Start.AddDays(1)) with { Replaces = "oat milk" }, cancellationToken: Ct);

        Assert.All([writer, session, unnarrowed], o => Assert.Equal(MemoryEvolveAction.Add, o.Decision.Action));
        Assert.Equal([scope with { Agent = "writer" }, scope with { Session = "s2" }, MemoryScope.Personal], [writer.Record.Scope, session.Record.Scope, unnarrowed.Record.Scope]);
        Assert.Equal(4, new[] { planner.Id, writer.Record.Id, session.Record.Id, unnarrowed.Record.Id }.Distinct().Count());

        // A change of value in the writer's scope supersedes the writer's memory, never the planner's.
        Assert.Equal(MemoryEvolveAction.Supersede, changed.Decision.Action);
        Assert.Equal(writer.Record.Id, changed.Previous?.Id);
        Assert.Equal(MemoryStatus.Active, (await _store.GetAsync(Tenant, planner.Id, Ct))!.Status);
    }

    [Fact]
    public async Task A_change_that_loses_a_race_is_decided_again_on_fresh_state()
    {
        var first = (await new MemoryEvolver(_store).EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers oat milk", "m1", Start), cancellationToken: Ct)).Record;
        var racing = new RacingResolver(_store);
        var evolver = new MemoryEvolver(_store, racing);

        var outcome = await evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers oat milk", "m2", Start.AddDays(1)), cancellationToken: Ct);

        Assert.Equal(2, racing.Calls);
        Assert.Equal(MemoryEvolveAction.Merge, outcome.Decision.Action);
        Assert.Equal(3, outcome.Record.Version);
        Assert.Equal(0.99, outcome.Record.Salience);
        Assert.Equal(["m1", "m2"], outcome.Record.Provenance.MessageIds);
        Assert.Equal(first.Id, outcome.Record.Id);
    }

    [Fact]
    public async Task A_resolver_that_names_no_related_target_is_an_error()
    {
        var evolver = new MemoryEvolver(_store, new FixedResolver(new MemoryEvolveDecision(MemoryEvolveAction.Merge, "because", Guid.CreateVersion7())));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => evolver.EvolveAsync(Tenant, MemoryScope.Personal, Candidate("Ana prefers oat milk", "m1", Start), cancellationToken: Ct));

        Assert.Contains("fixed decided merge without naming one of the related memories", error.Message, StringComparison.Ordinal);
    }

    private static MemoryCandidate Candidate(string text, string messageId, DateTimeOffset observedAt, string type = MemoryTypes.Preference, string? key = null) => new()
    {
        Type = type,
        Subject = "ana",
        Value = text,
        Confidence = 0.6,
        Salience = 0.5,
        Key = key,
        Extractor = "test",
        Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = [messageId], ObservedAt = observedAt },
    };

    /// <summary>Changes the target behind the evolver's back on the first call, so the merge it asks for meets a newer version.</summary>
    private sealed class RacingResolver(IMemoryStore store) : IMemoryConflictResolver
    {
        public int Calls { get; private set; }

        public string Name => "racing";

        public async Task<MemoryEvolveDecision> ResolveAsync(MemoryCandidate candidate, IReadOnlyList<MemoryRelatedRecord> related, CancellationToken cancellationToken = default)
        {
            Calls++;
            var target = related[0].Record;
            if (Calls == 1)
            {
                await store.UpdateAsync(new MemoryUpdateRequest { Tenant = Tenant, Id = target.Id, ExpectedVersion = target.Version, Actor = MemoryActor.User("ana"), Salience = 0.99 }, cancellationToken);
            }

            return new MemoryEvolveDecision(MemoryEvolveAction.Merge, "corroborates", target.Id);
        }
    }

    private sealed class FixedResolver(MemoryEvolveDecision decision) : IMemoryConflictResolver
    {
        public string Name => "fixed";

        public Task<MemoryEvolveDecision> ResolveAsync(MemoryCandidate candidate, IReadOnlyList<MemoryRelatedRecord> related, CancellationToken cancellationToken = default) =>
            Task.FromResult(decision);
    }
}
