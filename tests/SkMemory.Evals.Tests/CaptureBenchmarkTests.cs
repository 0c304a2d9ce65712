using SkMemory.Tests;

namespace SkMemory.Evals.Tests;

/// <summary>
/// The capture benchmark's set, scoring and report. The pipeline is the real one (SQLite store, gate, evolve) with a
/// scripted extractor, so every number below follows from the script and can be asserted exactly.
/// </summary>
public sealed class CaptureBenchmarkTests
{
    /// <summary>
    /// One user and an assistant over two sessions. Expected: a milk preference that changes, a home city restated, a skill
    /// the script misses, an event with a relative date; rejections for the assistant's guess, a hurry and a question.
    /// </summary>
    private const string TinySet =
        """
        {
          "name": "tiny",
          "conversations": [
            {
              "id": "ana",
              "subject": "ana",
              "sessions": [
                {
                  "id": "s1",
                  "at": "2024-01-10T09:00:00Z",
                  "messages": [
                    { "id": "m1", "speaker": "ana", "text": "I take almond milk." },
                    { "id": "m2", "speaker": "assistant", "role": "assistant", "text": "You're probably vegan." },
                    { "id": "m3", "speaker": "ana", "text": "I'm in a hurry today." },
                    { "id": "m4", "speaker": "ana", "text": "I live in Lisbon." }
                  ]
                },
                {
                  "id": "s2",
                  "at": "2024-02-02T09:00:00Z",
                  "messages": [
                    { "id": "m5", "speaker": "ana", "text": "I switched to oat milk." },
                    { "id": "m6", "speaker": "ana", "text": "Still in Lisbon, still happy." },
                    { "id": "m7", "speaker": "ana", "text": "I speak Portuguese." },
                    { "id": "m8", "speaker": "ana", "text": "Should I learn Go?" },
                    { "id": "m9", "speaker": "ana", "text": "It's raining again." },
                    { "id": "m10", "speaker": "ana", "text": "I ran a 10K yesterday." }
                  ]
                }
              ],
              "memories": [
                { "type": "preference", "subject": "ana", "evidence": ["m1"], "key": "milk", "status": "superseded", "text": "almond milk" },
                { "type": "preference", "subject": "ana", "evidence": ["m5"], "key": "milk", "status": "active", "text": "oat milk" },
                { "type": "fact", "subject": "ana", "evidence": ["m4", "m6"], "key": "home_city", "text": "lives in Lisbon" },
                { "type": "skill", "subject": "ana", "evidence": ["m7"], "text": "speaks Portuguese" },
                { "type": "event", "subject": "ana", "evidence": ["m10"], "text": "ran a 10K", "valid_from": { "earliest": "2024-02-01", "latest": "2024-02-01" } }
              ],
              "rejections": [
                { "message": "m2", "reason": "assistant_speculation", "why": "a guess" },
                { "message": "m3", "reason": "transient", "why": "a hurry" },
                { "message": "m8", "reason": "hypothetical", "why": "a question" }
              ]
            }
          ]
        }
        """;

    private static readonly Dictionary<string, Script> Scripts = new(StringComparer.Ordinal)
    {
        ["m1"] = new(MemoryTypes.Preference, "Ana takes almond milk", "milk"),
        ["m2"] = new(MemoryTypes.Fact, "Ana is vegan"),
        ["m3"] = new(MemoryTypes.Fact, "Ana is in a hurry", Signals: [MemoryCandidateSignal.Transient]),
        ["m4"] = new(MemoryTypes.Fact, "Ana lives in Lisbon", "home_city"),
        ["m5"] = new(MemoryTypes.Preference, "Ana takes oat milk", "milk"),
        ["m6"] = new(MemoryTypes.Fact, "Ana lives in Lisbon", "home_city"),
        ["m9"] = new(MemoryTypes.Preference, "Ana likes rain"),
        ["m10"] = new(MemoryTypes.Event, "Ana ran a 10K", ValidFrom: new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero)),

        // LoCoMo turns (TinyLoCoMo): two covered observations of Ben's, one of Ana's, and a memory no observation cites.
        ["D1:1"] = new(MemoryTypes.Fact, "Ana has a golden retriever named Biscuit"),
        ["D1:2"] = new(MemoryTypes.Skill, "Ben is learning the violin"),
        ["D2:7"] = new(MemoryTypes.Skill, "Ben practises scales before work"),
        ["D3:8"] = new(MemoryTypes.Event, "Ana signed up for a pottery class"),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_seeded_set_loads_and_its_labels_cite_turns_that_exist()
    {
        var set = await CaptureSetLoader.LoadSeededAsync(Ct);

        Assert.Equal(CaptureSetLoader.SeededName, set.Name);
        Assert.InRange(set.Conversations.Count, 8, 10);
        Assert.InRange(set.MessageCount, 90, 110);
        Assert.All(set.Conversations, c => Assert.True(c.Sessions.Count >= 2, $"{c.Id} has one session"));

        // Both kinds of conversation: one user with an assistant (a fixed subject), and two people (each the subject of what they say).
        Assert.Contains(set.Conversations, c => c.Subject is not null && c.Messages.Any(m => m.Role == MemoryMessageRole.Assistant));
        Assert.Contains(set.Conversations, c => c.Subject is null && c.Messages.Select(m => m.Speaker).Distinct().Count() == 2);

        foreach (var conversation in set.Conversations)
        {
            var messages = conversation.Messages.ToDictionary(m => m.Id, StringComparer.Ordinal);
            var subjects = conversation.Subject is { } s ? [s] : messages.Values.Select(m => m.Speaker).ToHashSet(StringComparer.Ordinal);
            Assert.All(conversation.Memories, l => Assert.All(l.Evidence, id => Assert.Equal(MemoryMessageRole.User, messages[id].Role)));
            Assert.All(conversation.Memories, l => Assert.Contains(l.Subject, subjects));
            Assert.All(conversation.Rejections, r => Assert.True(messages.ContainsKey(r.MessageId), $"{conversation.Id}: {r.MessageId}"));

            // Turns are ordered in time inside and across sessions.
            var times = conversation.Messages.Select(m => m.ObservedAt).ToList();
            Assert.Equal(times.Order(), times);
        }

        // What the set must cover: every built-in type, changing slots (old value superseded), restatements, event dates,
        // and every contamination reason.
        var labels = set.Conversations.SelectMany(c => c.Memories).ToList();
        Assert.Equal(MemoryTypes.BuiltIn.Order(StringComparer.Ordinal), labels.Select(l => l.Type).Distinct().Order(StringComparer.Ordinal));
        var superseded = labels.Where(l => l.Status == MemoryStatus.Superseded).ToList();
        Assert.Equal(["email", "home_city", "home_city", "milk", "phone", "shipping_address"], superseded.Select(l => l.Key!).Order(StringComparer.Ordinal));
        Assert.All(superseded, old => Assert.Contains(labels, l => l.Key == old.Key && l.Subject == old.Subject && l.Status == MemoryStatus.Active));
        Assert.True(labels.Count(l => l.Evidence.Count > 1) >= 5);
        Assert.All(labels.Where(l => l.Type == MemoryTypes.Event), l => Assert.NotNull(l.ValidFrom));
        var reasons = set.Conversations.SelectMany(c => c.Rejections).Select(r => r.Reason).ToHashSet();
        Assert.Equal(
            [MemoryRejectionReason.Transient, MemoryRejectionReason.CodeSnippet, MemoryRejectionReason.AssistantSpeculation, MemoryRejectionReason.ExternalContent, MemoryRejectionReason.Hypothetical],
            reasons.Order());
    }

    [Theory]
    [InlineData("\"evidence\": [\"m1\"], \"key\": \"milk\", \"status\": \"superseded\"", "\"evidence\": [\"m99\"], \"key\": \"milk\", \"status\": \"superseded\"", "cites message 'm99', which is not in the conversation")]
    [InlineData("\"evidence\": [\"m1\"], \"key\": \"milk\", \"status\": \"superseded\"", "\"evidence\": [\"m2\"], \"key\": \"milk\", \"status\": \"superseded\"", "cites message 'm2', which is not a user's turn")]
    [InlineData("{ \"message\": \"m8\", \"reason\": \"hypothetical\"", "{ \"message\": \"m80\", \"reason\": \"hypothetical\"", "a rejection cites message 'm80'")]
    [InlineData("{ \"message\": \"m8\", \"reason\": \"hypothetical\"", "{ \"message\": \"m8\", \"reason\": \"rude\"", "has reason 'rude'")]
    [InlineData("{ \"message\": \"m8\", \"reason\": \"hypothetical\"", "{ \"message\": \"m7\", \"reason\": \"hypothetical\"", "'m7' is both a memory's evidence and an expected rejection")]
    [InlineData("\"type\": \"skill\", \"subject\": \"ana\"", "\"type\": \"skill\", \"subject\": \"bob\"", "subject 'bob' is neither")]
    [InlineData("\"type\": \"skill\"", "\"type\": \"hobby\"", "type 'hobby' is not a built-in type")]
    [InlineData("\"status\": \"superseded\"", "\"status\": \"deleted\"", "status 'deleted'")]
    public void A_label_that_cites_nothing_real_fails_the_load(string find, string replace, string message)
    {
        Assert.Contains(find, TinySet, StringComparison.Ordinal);

        var error = Assert.Throws<FormatException>(() => CaptureSetLoader.Parse(TinySet.Replace(find, replace, StringComparison.Ordinal)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_benchmark_scores_a_scripted_run_exactly()
    {
        using var embeddings = new TestEmbeddingGenerator();

        var result = await CaptureBenchmark.RunAsync(null, null, Options(embeddings), Ct);

        var seeded = result.Seeded;
        var conversation = Assert.Single(seeded.Conversations);
        Assert.Equal(("ana", 2, 10), (conversation.Id, conversation.Sessions, conversation.Messages));

        // Session 1: four candidates, the assistant's guess and the hurry rejected, two added. Session 2: oat milk supersedes
        // almond, Lisbon again merges, the rain and the 10K are added.
        var counts = seeded.Counts;
        Assert.Equal(
            (2, 0, 10, 0, 8, 6, 2, 4, 1, 1, 0, 0),
            (counts.Jobs, counts.FailedJobs, counts.Items, counts.Replayed, counts.Candidates, counts.Accepted, counts.Rejected, counts.Added, counts.Merged, counts.Superseded, counts.NoOp, counts.Errors));
        Assert.Equal(
            new Dictionary<MemoryRejectionReason, int> { [MemoryRejectionReason.AssistantSpeculation] = 1, [MemoryRejectionReason.Transient] = 1 },
            counts.RejectedByReason);

        // Five memories: almond (superseded), oat, Lisbon (citing both turns), rain (no label), 10K.
        Assert.Equal(5, conversation.Memories.Count);
        Assert.Equal(
            ["Ana likes rain|active|m9|False", "Ana lives in Lisbon|active|m4,m6|True", "Ana ran a 10K|active|m10|True", "Ana takes almond milk|superseded|m1|True", "Ana takes oat milk|active|m5|True"],
            conversation.Memories.Select(m => $"{m.Text}|{MemoryJson.EnumName(m.Status)}|{string.Join(",", m.MessageIds)}|{m.MatchesLabel}").Order(StringComparer.Ordinal));

        // Recall 4/5 (the skill was never proposed), precision 4/5 (the rain); per type.
        Assert.Equal(
            ["preference 2 2 3 2", "skill 1 0 0 0", "fact 1 1 1 1", "event 1 1 1 1", "all 5 4 5 4"],
            seeded.Types.Select(t => $"{t.Type} {t.Labels} {t.Found} {t.Memories} {t.Correct}"));
        Assert.Equal((0.8, 0.8), (seeded.All.Recall, seeded.All.Precision));
        Assert.Equal(2.0 / 3, seeded.Types[0].Precision, 10);

        // Rejections: two right, the question never proposed (kept out all the same).
        Assert.Equal(
            [CaptureRejectionOutcome.RightReason, CaptureRejectionOutcome.RightReason, CaptureRejectionOutcome.NotProposed],
            seeded.Rejections.Select(r => r.Outcome));
        Assert.Equal((2.0 / 3, 1.0), (seeded.RejectionAccuracy, seeded.KeptOut));

        // End state, corroboration, the event's day, slot keys.
        Assert.Equal(1.0, seeded.EndStateAccuracy);
        var labels = conversation.Labels;
        Assert.Equal([MemoryStatus.Superseded, MemoryStatus.Active, MemoryStatus.Active, null, MemoryStatus.Active], labels.Select(l => l.EndStatus));
        Assert.Equal([false, false, true, false, false], labels.Select(l => l.Corroborated));
        Assert.Equal([null, null, null, null, true], labels.Select(l => l.DateGrounded));
        Assert.Equal([true, true, true, null, null], labels.Select(l => l.KeyMatched));
        Assert.All(labels, l => Assert.Equal(0, l.ActiveDuplicates));

        Assert.Equal(
            [MemoryEvolveAction.Add, MemoryEvolveAction.Add, MemoryEvolveAction.Supersede, MemoryEvolveAction.Merge, MemoryEvolveAction.Add, MemoryEvolveAction.Add],
            conversation.Decisions.Select(d => d.Action));

        // The replay recognizes every turn and appends nothing.
        Assert.Equal(new CaptureReplay(10, 10, 0, 0, conversation.Replay.Time), conversation.Replay);
        Assert.Empty(conversation.Errors);
        Assert.Null(result.LoCoMo);
        Assert.Equal(("scripted", "rules", TestEmbeddingGenerator.ModelId), (result.Extractor, result.Resolver, result.EmbeddingModel));
    }

    [Fact]
    public void LoCoMo_observations_are_parsed_with_their_evidence_normalized()
    {
        var conversation = LoCoMoLoader.Parse("conv-tiny", TinyLoCoMo.Json);

        // The observation citing D9:9 (no such turn) is dropped; "D:2:7" is repaired; a list keeps both turns.
        Assert.Equal(
            [
                new LoCoMoObservation(1, "Ana", "Ana adopted a golden retriever puppy named Biscuit.", ["D1:1"]),
                new LoCoMoObservation(1, "Ana", "Ana grows tomatoes and basil on her balcony.", ["D1:7"]),
                new LoCoMoObservation(1, "Ben", "Ben is learning the violin.", ["D1:2", "D2:1"]),
                new LoCoMoObservation(2, "Ana", "Biscuit learned to fetch at the beach.", ["D2:2"]),
                new LoCoMoObservation(2, "Ben", "Ben practises scales before work.", ["D2:7"]),
            ],
            conversation.Observations,
            new ObservationComparer());
    }

    [Fact]
    public async Task The_LoCoMo_run_scores_observation_coverage_and_replays_to_nothing()
    {
        using var tiny = new TinyLoCoMo();
        using var embeddings = new TestEmbeddingGenerator();

        var result = await CaptureBenchmark.RunAsync(tiny.Folder, null, Options(embeddings), Ct);

        var locomo = Assert.IsType<CaptureLoCoMoResult>(result.LoCoMo);
        var conversation = Assert.Single(locomo.Conversations);
        Assert.Equal(("conv-tiny", 3, 30, 5), (conversation.Id, conversation.Sessions, conversation.Turns, conversation.Observations));
        Assert.Equal((3, 30, 4, 4, 0, 4), (conversation.Counts.Jobs, conversation.Counts.Items, conversation.Counts.Candidates, conversation.Counts.Accepted, conversation.Counts.Rejected, conversation.Counts.Added));

        // Covered: Ana's puppy (D1:1), Ben's violin (D1:2 of D1:2/D2:1), Ben's scales (D2:7); not Ana's balcony or Biscuit's fetch.
        Assert.Equal((3, 0.6), (conversation.ObservationsCovered, conversation.Coverage));

        // Three of the four memories cite an observation's turn; the pottery class cites none.
        Assert.Equal((4, 3, 0.75), (conversation.Memories, conversation.MemoriesCitingEvidence, conversation.EvidencePrecision));
        Assert.Equal(new Dictionary<string, int> { ["fact"] = 1, ["skill"] = 2, ["event"] = 1 }, conversation.MemoriesByType);
        Assert.Equal((30, 30, 0, 0L), (conversation.Replay.Items, conversation.Replay.Replayed, conversation.Replay.Candidates, conversation.Replay.EventsAdded));
        Assert.Equal((0.6, 0.75), (locomo.Coverage, locomo.EvidencePrecision));
        Assert.NotNull(result.LoCoMoTime);
    }

    [Fact]
    public void Turns_of_a_LoCoMo_session_become_one_request_with_each_speaker_as_subject()
    {
        var session = LoCoMoLoader.Parse("conv-tiny", TinyLoCoMo.Json).Sessions[0];

        var request = CaptureBenchmark.ToRequest(session);

        Assert.Null(request.Subject);
        Assert.Equal(CaptureBenchmark.LoCoMoTenant, request.Tenant);
        Assert.Equal(12, request.Messages.Count);
        var photo = request.Messages[2];
        Assert.Equal(("D1:3", "Ana", "Here is my garden.", MemoryMessageRole.User, "session_1"), (photo.Id, photo.Speaker, photo.Text, photo.Role, photo.Session));
        Assert.All(request.Messages, m => Assert.Equal(session.DateTime, m.ObservedAt));
        Assert.Equal("Ben", request.SubjectOf(request.Messages[1]));
    }

    [Fact]
    public async Task The_report_renders_the_numbers_and_the_examples()
    {
        using var tiny = new TinyLoCoMo();
        using var embeddings = new TestEmbeddingGenerator();
        var result = await CaptureBenchmark.RunAsync(tiny.Folder, null, Options(embeddings), Ct);

        var md = CaptureReport.ToMarkdown(result, "skmem bench capture --data <folder>");

        Assert.StartsWith(CaptureReport.BeginMarker + "\n## Capture\n", md.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith(CaptureReport.EndMarker + Environment.NewLine, md, StringComparison.Ordinal);
        Assert.Contains("Generated by `skmem bench capture --data <folder>`", md, StringComparison.Ordinal);
        Assert.Contains("Extractor: `scripted`; evolve resolver: `rules`", md, StringComparison.Ordinal);
        Assert.Contains("| preference | 2 | 2 | 1.000 | 3 | 2 | 0.667 |", md, StringComparison.Ordinal);
        Assert.Contains("| skill | 1 | 0 | 0.000 | 0 | 0 | 0.000 |", md, StringComparison.Ordinal);
        Assert.Contains("| **all** | 5 | 4 | **0.800** | 5 | 4 | **0.800** |", md, StringComparison.Ordinal);
        Assert.Contains("Rejection accuracy: **0.667** (2/3); kept out: 1.000", md, StringComparison.Ordinal);
        Assert.Contains("End state: **1.000** (4/4 found labels; expected superseded and superseded: 1/1)", md, StringComparison.Ordinal);
        Assert.Contains("- Corroborations (one memory cites every restatement): 1/1", md, StringComparison.Ordinal);
        Assert.Contains("event dates grounded (valid-from on the day the relative date names): 1/1 found", md, StringComparison.Ordinal);
        Assert.Contains("| hypothetical | 1 | 0 | 0 | 1 | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("- `ana` skill (m7): speaks Portuguese (nothing stored or rejected from its turns)", md, StringComparison.Ordinal);
        Assert.Contains("Accepted candidates that changed nothing (no-op): none.", md, StringComparison.Ordinal);
        Assert.Contains("Events found with a valid-from off the labelled days: none.", md, StringComparison.Ordinal);
        Assert.Contains("- `ana` preference about ana (m9, active): \"Ana likes rain\"", md, StringComparison.Ordinal);
        Assert.Contains("10/10 turns recognized, 0 candidates, 0 events added", md, StringComparison.Ordinal);
        Assert.Contains("Observation evidence coverage: **0.600** (3/5); memories citing observation evidence: **0.750** (3/4)", md, StringComparison.Ordinal);
        Assert.Contains("| conv-tiny | 3 | 30 | 5 | 4 | 4 | 0 | 4 | 0 | 0 | 0 | 0 | 4 | 0.600 | 0.750 | 0 |", md, StringComparison.Ordinal);

        var table = CaptureReport.ToTable(result);
        Assert.Contains("tiny: 1 conversations, 10 turns, 5 expected memories, 3 expected rejections", table, StringComparison.Ordinal);
        Assert.Contains("observation evidence coverage 0.600 (3/5)", table, StringComparison.Ordinal);

        // The section goes between its markers and leaves the other sections alone.
        var document = LoCoMoReport.UpdateDocument(null, $"{LoCoMoReport.BeginMarker}\nlocomo\n{LoCoMoReport.EndMarker}\n");
        var updated = CaptureReport.UpdateDocument(CaptureReport.UpdateDocument(document, $"{CaptureReport.BeginMarker}\nold\n{CaptureReport.EndMarker}\n"), md);
        Assert.Contains("locomo", updated, StringComparison.Ordinal);
        Assert.DoesNotContain("\nold\n", updated, StringComparison.Ordinal);
        Assert.Single(updated.Split(CaptureReport.BeginMarker)[1..]);
    }

    private static CaptureBenchmarkOptions Options(TestEmbeddingGenerator embeddings) => new()
    {
        EmbeddingGenerator = embeddings,
        Extractor = new ScriptedExtractor(),
        Set = CaptureSetLoader.Parse(TinySet),
    };

    /// <summary>What the script proposes for one turn.</summary>
    private sealed record Script(string Type, string Text, string? Key = null, DateTimeOffset? ValidFrom = null, MemoryCandidateSignal[]? Signals = null);

    /// <summary>Proposes exactly what <see cref="Scripts"/> says for each turn it names, citing that turn.</summary>
    private sealed class ScriptedExtractor : IMemoryExtractor
    {
        public string Name => "scripted";

        public Task<MemoryExtractionResult> ExtractAsync(MemoryExtractionRequest request, CancellationToken cancellationToken = default)
        {
            var candidates = request.Messages
                .Where(m => Scripts.ContainsKey(m.Id))
                .Select(m => (Message: m, Script: Scripts[m.Id]))
                .Select(x => new MemoryCandidate
                {
                    Type = x.Script.Type,
                    Subject = request.SubjectOf(x.Message),
                    Value = x.Script.Text,
                    Key = x.Script.Key,
                    ValidFrom = x.Script.ValidFrom,
                    Signals = x.Script.Signals ?? [],
                    Confidence = 0.8,
                    Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = [x.Message.Id], ObservedAt = x.Message.ObservedAt },
                    Extractor = Name,
                })
                .ToList();
            return Task.FromResult(new MemoryExtractionResult(candidates, []));
        }
    }

    /// <summary>Records compare their evidence lists by reference; observations are equal when their evidence says the same.</summary>
    private sealed class ObservationComparer : IEqualityComparer<LoCoMoObservation>
    {
        public bool Equals(LoCoMoObservation? x, LoCoMoObservation? y) =>
            x is not null && y is not null && (x.Session, x.Speaker, x.Text) == (y.Session, y.Speaker, y.Text) && x.Evidence.SequenceEqual(y.Evidence);

        public int GetHashCode(LoCoMoObservation obj) => HashCode.Combine(obj.Session, obj.Speaker, obj.Text);
    }
}
