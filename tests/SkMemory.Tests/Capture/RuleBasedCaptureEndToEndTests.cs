using SkMemory.Capture;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests.Capture;

/// <summary>
/// The offline capture pipeline (rule extractor, gate, evolver) on the real embedded store, for the phrasings it once
/// lost: a move said beside a hypothetical one, and one value told in other words across sessions.
/// </summary>
public sealed class RuleBasedCaptureEndToEndTests : IAsyncLifetime
{
    private const string Tenant = "acme";
    private static readonly DateTimeOffset Monday = new(2023, 5, 8, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Monday.AddDays(60));
    private readonly TemporarySqliteStore _sqlite;
    private SqliteMemoryStore _store = null!;

    public RuleBasedCaptureEndToEndTests() => _sqlite = new TemporarySqliteStore("skmemory-capture-e2e-", clock: _clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await _sqlite.OpenAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _sqlite.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("I moved to Valencia from Toronto.")]
    [InlineData("I've relocated from Toronto to Valencia.")]
    [InlineData("We relocated to Valencia.")]
    [InlineData("I just moved from Toronto to Valencia.")]
    public async Task A_move_said_beside_a_hypothetical_one_supersedes_the_old_city(string move)
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync(Request(Say("m1", "I'm based in Toronto.", Monday)), cancellationToken: Ct);

        var job = await pipeline.IngestAsync(
            Request(
                Say("m2", move, Monday.AddDays(30)),
                Say("m3", "Thanks, I've updated that.", Monday.AddDays(30), MemoryMessageRole.Assistant),
                Say("m4", "What if I moved to Valencia next year?", Monday.AddDays(30))),
            cancellationToken: Ct);

        var superseded = Assert.Single(job.Decisions, d => d.Action == MemoryEvolveAction.Supersede);
        Assert.Equal(["m2"], superseded.Evidence!.MessageIds);
        Assert.Contains(job.Rejections, r => r.Reason == MemoryRejectionReason.Hypothetical);
        var facts = await ActiveAsync(MemoryTypes.Fact);
        Assert.Equal("Ana lives in Valencia", Assert.Single(facts, f => f.Metadata[MemoryEvolver.KeyMetadata] == "fact:home_city").Value.Text);
        Assert.DoesNotContain(facts, f => f.Value.Text.Contains("Toronto", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("I drive a Honda Civic.", "I've got a Honda Civic.")]
    [InlineData("I've got a Ford Ranger.", "I own a Ford Ranger.")]
    [InlineData("I have a dog named Rex.", "I've got a dog called Rex.")]
    [InlineData("I live in Lisbon.", "I'm based in Lisbon.")]
    public async Task A_value_restated_in_other_words_corroborates_the_memory_instead_of_duplicating_it(string first, string restated)
    {
        var pipeline = Pipeline();
        var added = await pipeline.IngestAsync(Request(Say("m1", first, Monday)), cancellationToken: Ct);
        var memory = Assert.Single(added.Decisions, d => d.Action == MemoryEvolveAction.Add).MemoryId;

        var job = await pipeline.IngestAsync(Request(Say("m2", restated, Monday.AddDays(7))), cancellationToken: Ct);

        var decision = Assert.Single(job.Decisions);
        Assert.Equal(MemoryEvolveAction.Merge, decision.Action);
        Assert.Equal(memory, decision.MemoryId);
        Assert.StartsWith("corroborates", decision.Reason, StringComparison.Ordinal);
        var record = await _store.GetAsync(Tenant, memory, Ct);
        Assert.Equal(MemoryStatus.Active, record!.Status);
        Assert.Equal(["m1", "m2"], record.Provenance.MessageIds);
    }

    [Fact]
    public async Task A_new_value_in_the_same_slot_still_supersedes()
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync(Request(Say("m1", "I've got a Honda Civic.", Monday)), cancellationToken: Ct);

        var job = await pipeline.IngestAsync(Request(Say("m2", "I've got a Ford Ranger.", Monday.AddDays(7))), cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Supersede, Assert.Single(job.Decisions).Action);
        Assert.Equal("Ana has a Ford Ranger", Assert.Single(await ActiveAsync(MemoryTypes.Asset)).Value.Text);
    }

    [Theory]
    [InlineData("I have an iPhone 15.", "I've got a Galaxy Watch.")]
    [InlineData("I have a ThinkPad laptop.", "I have a Dell monitor.")]
    [InlineData("I drive a Toyota Corolla.", "I've got a Honda generator.")]
    public async Task A_make_of_another_thing_is_added_beside_the_asset_instead_of_replacing_it(string first, string then)
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync(Request(Say("m1", first, Monday)), cancellationToken: Ct);

        var job = await pipeline.IngestAsync(Request(Say("m2", then, Monday.AddDays(7))), cancellationToken: Ct);

        Assert.Equal(MemoryEvolveAction.Add, Assert.Single(job.Decisions).Action);
        Assert.Equal(2, (await ActiveAsync(MemoryTypes.Asset)).Count);
    }

    [Theory]
    [InlineData("My birthday is 03/04.", "My birthday is 04/03.", "04/03")]
    [InlineData("My phone number is 555 5555.", "My phone number is 555 555 5555.", "555 555 5555")]
    [InlineData("My email is ana.smith@example.com.", "My email is smith.ana@example.com.", "smith.ana@example.com")]
    public async Task A_new_date_phone_or_email_keeps_the_new_value(string first, string then, string kept)
    {
        var pipeline = Pipeline();
        await pipeline.IngestAsync(Request(Say("m1", first, Monday)), cancellationToken: Ct);

        var job = await pipeline.IngestAsync(Request(Say("m2", then, Monday.AddDays(7))), cancellationToken: Ct);

        Assert.DoesNotContain(job.Decisions, d => d.Action is MemoryEvolveAction.Merge or MemoryEvolveAction.NoOp);
        var all = (await _store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = "Ana" }, Ct)).Items;
        Assert.Contains(all, r => r.Value.Text.Contains(kept, StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<MemoryRecord>> ActiveAsync(string type) =>
        (await _store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = "Ana", Types = [type] }, Ct)).Items;

    private MemoryCapturePipeline Pipeline() => new(_store, new RuleBasedMemoryExtractor(), new MemoryCaptureOptions { TimeProvider = _clock });

    private static MemoryExtractionRequest Request(params MemoryMessage[] messages) => new() { Tenant = Tenant, Messages = messages };

    private static MemoryMessage Say(string id, string text, DateTimeOffset at, MemoryMessageRole role = MemoryMessageRole.User) =>
        new() { Id = id, Speaker = role == MemoryMessageRole.User ? "Ana" : "assistant", Role = role, Text = text, ObservedAt = at };
}
