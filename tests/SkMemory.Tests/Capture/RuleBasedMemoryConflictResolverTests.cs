using SkMemory.Capture;

namespace SkMemory.Tests.Capture;

/// <summary>
/// The rule resolver's paraphrase merge: a value restated with other relating words corroborates the memory, but a value
/// whose words differ in order or count, or whose dates, phone numbers or emails differ, is a new value and must not be
/// merged away (a wrong merge loses it).
/// </summary>
public sealed class RuleBasedMemoryConflictResolverTests
{
    private static readonly DateTimeOffset Monday = new(2024, 5, 6, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Ana's birthday is 03/04", "Ana's birthday is 04/03", "identifier:birthday")]
    [InlineData("Ana's phone number is 555 5555", "Ana's phone number is 555 555 5555", "identifier:phone")]
    [InlineData("Ana's email is ana.smith@x.com", "Ana's email is smith.ana@x.com", "identifier:email")]
    [InlineData("Ana's phone number is 555-0100", "Ana's phone number is 555-0010", "identifier:phone")]
    public async Task A_different_date_phone_or_email_in_the_same_slot_supersedes_instead_of_merging(string stored, string said, string key)
    {
        var decision = await Resolve(Candidate(said, key), Record(stored), sameKey: true);

        Assert.Equal(MemoryEvolveAction.Supersede, decision.Action);
        Assert.StartsWith("a new value for " + key, decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ana's birthday is 03/04", "Ana's birthday is 04/03")]
    [InlineData("Ana's phone number is 555 5555", "Ana's phone number is 555 555 5555")]
    [InlineData("Ana has ana.smith@x.com", "Ana has smith.ana@x.com")]
    [InlineData("Ana has a red blue car", "Ana has a blue red car")]
    [InlineData("Ana has a car", "Ana has a car car")]
    public async Task A_value_differing_in_order_or_count_is_added_when_it_has_no_slot(string stored, string said)
    {
        // Similarity below the duplicate threshold: only the paraphrase rule could merge these.
        var decision = await Resolve(Candidate(said, key: null), Record(stored), sameKey: false);

        Assert.Equal(MemoryEvolveAction.Add, decision.Action);
    }

    [Theory]
    [InlineData("Ana drives a Honda Civic", "Ana has got a Honda Civic", true)]
    [InlineData("Ana has a dog named Rex", "Ana has a dog called Rex", false)]
    [InlineData("Ana lives in Lisbon", "Ana is based in Lisbon", true)]
    [InlineData("Ana's phone number is 555 555 5555", "Ana's phone number is 555 555 5555.", true)]
    public async Task The_same_value_in_other_words_still_corroborates(string stored, string said, bool sameKey)
    {
        var record = Record(stored);

        var decision = await Resolve(Candidate(said, sameKey ? "k" : null), record, sameKey);

        Assert.Equal(MemoryEvolveAction.Merge, decision.Action);
        Assert.Equal(record.Id, decision.TargetId);
        Assert.StartsWith("corroborates", decision.Reason, StringComparison.Ordinal);
    }

    private static Task<MemoryEvolveDecision> Resolve(MemoryCandidate candidate, MemoryRecord record, bool sameKey) =>
        new RuleBasedMemoryConflictResolver().ResolveAsync(candidate, [new MemoryRelatedRecord(record, 0.5, sameKey)], Ct);

    private static MemoryCandidate Candidate(string text, string? key) => new()
    {
        Type = MemoryTypes.Identifier,
        Subject = "Ana",
        Value = text,
        Confidence = 0.8,
        Salience = 0.5,
        Key = key,
        Extractor = "test",
        Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m2"], ObservedAt = Monday.AddDays(7) },
    };

    private static MemoryRecord Record(string text) => new()
    {
        Id = Guid.CreateVersion7(),
        Tenant = "acme",
        Type = MemoryTypes.Identifier,
        Scope = MemoryScope.Personal,
        Subject = "Ana",
        Actor = MemoryActor.User("ana"),
        Value = text,
        Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1"], ObservedAt = Monday },
        CreatedAt = Monday,
        UpdatedAt = Monday,
        ValidFrom = Monday,
        ContentHash = "test",
    };
}
