using System.Text.Json;
using System.Text.Json.Serialization;
using SkMemory.Capture;

namespace SkMemory.Tests.Capture;

/// <summary>The deterministic offline extractor: what each pattern family proposes, the evidence it cites, and attribution.</summary>
public sealed class RuleBasedMemoryExtractorTests
{
    /// <summary>Monday 8 May 2023, 13:56 UTC.</summary>
    private static readonly DateTimeOffset Monday = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions ConversationJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    [Fact]
    public void Name_IsRules()
    {
        Assert.Equal("rules", new RuleBasedMemoryExtractor().Name);
    }

    [Fact]
    public async Task ExtractAsync_NullRequest_Throws()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("request", () => new RuleBasedMemoryExtractor().ExtractAsync(null!, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ExtractAsync_CanceledToken_Throws()
    {
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new RuleBasedMemoryExtractor().ExtractAsync(Request(Say("m1", "Ana", "I love tea.")), canceled.Token));
    }

    public static TheoryData<string, string, string, string?> Statements() => new()
    {
        // Preferences.
        { "I love pottery, especially landscapes.", MemoryTypes.Preference, "Ana loves pottery", null },
        { "I really like sushi.", MemoryTypes.Preference, "Ana likes sushi", null },
        { "I prefer window seats.", MemoryTypes.Preference, "Ana prefers window seats", "preference:seat" },
        { "My favorite color is blue.", MemoryTypes.Preference, "Ana's favorite color is blue", "preference:favorite_color" },
        { "I can't stand loud music.", MemoryTypes.Preference, "Ana cannot stand loud music", null },
        { "I'm a big fan of Taylor Swift.", MemoryTypes.Preference, "Ana is a big fan of Taylor Swift", null },
        { "I usually drink black coffee in the morning.", MemoryTypes.Preference, "Ana usually drinks black coffee in the morning", "preference:coffee" },

        // Identifiers.
        { "My email is ana@example.org", MemoryTypes.Identifier, "Ana's email is ana@example.org", "identifier:email" },
        { "You can reach me at ana@x.org if needed.", MemoryTypes.Identifier, "Ana's email is ana@x.org", "identifier:email" },
        { "My GitHub handle is @ana-dev.", MemoryTypes.Identifier, "Ana's GitHub handle is @ana-dev", "identifier:github" },
        { "Follow me on Twitter @ana_codes", MemoryTypes.Identifier, "Ana's Twitter handle is @ana_codes", "identifier:twitter" },
        { "My customer ID is C-10442.", MemoryTypes.Identifier, "Ana's customer ID is C-10442", "identifier:customer_id" },
        { "Call me at +351 912 345 678.", MemoryTypes.Identifier, "Ana's phone number is +351 912 345 678", "identifier:phone" },

        // Assets.
        { "I drive a 2019 Honda Civic.", MemoryTypes.Asset, "Ana drives a 2019 Honda Civic", "asset:car" },
        { "My laptop is a ThinkPad X1 Carbon.", MemoryTypes.Asset, "Ana's laptop is a ThinkPad X1 Carbon", "asset:laptop" },
        { "I have a dog named Rex.", MemoryTypes.Asset, "Ana has a dog named Rex", null },
        { "I adopted a golden retriever puppy named Biscuit.", MemoryTypes.Asset, "Ana has a golden retriever puppy named Biscuit", null },
        { "My shipping address is 12 Rua Augusta, 1100-048 Lisbon.", MemoryTypes.Asset, "Ana's shipping address is 12 Rua Augusta, 1100-048 Lisbon", "asset:shipping_address" },

        // Skills.
        { "I'm fluent in Portuguese.", MemoryTypes.Skill, "Ana is fluent in Portuguese", null },
        { "I can speak French.", MemoryTypes.Skill, "Ana can speak French", null },
        { "I know Python and Go.", MemoryTypes.Skill, "Ana knows Python and Go", null },
        { "I'm learning sign language.", MemoryTypes.Skill, "Ana is learning sign language", null },
        { "I've been playing guitar for 10 years.", MemoryTypes.Skill, "Ana has been playing guitar for 10 years", null },

        // Constraints.
        { "I'm allergic to peanuts, so no satay for me.", MemoryTypes.Constraint, "Ana is allergic to peanuts", null },
        { "I'm severely allergic to shellfish.", MemoryTypes.Constraint, "Ana is severely allergic to shellfish", null },
        { "I'm vegetarian.", MemoryTypes.Constraint, "Ana is vegetarian", "constraint:diet" },
        { "Never call me before 9am.", MemoryTypes.Constraint, "Never call Ana before 9am", null },
        { "I don't eat pork.", MemoryTypes.Constraint, "Ana does not eat pork", null },
        { "I can't eat gluten.", MemoryTypes.Constraint, "Ana cannot eat gluten", null },
        { "My budget is $500.", MemoryTypes.Constraint, "Ana's budget is $500", "constraint:budget" },

        // Facts.
        { "I live in Lisbon with my husband.", MemoryTypes.Fact, "Ana lives in Lisbon", "fact:home_city" },
        { "I've lived in Lisbon for years.", MemoryTypes.Fact, "Ana lives in Lisbon", "fact:home_city" },
        { "I work at Contoso.", MemoryTypes.Fact, "Ana works at Contoso", "fact:employer" },
        { "I work as a nurse.", MemoryTypes.Fact, "Ana works as a nurse", "fact:job_title" },
        { "I'm a software engineer.", MemoryTypes.Fact, "Ana works as a software engineer", "fact:job_title" },
        { "My birthday is May 7.", MemoryTypes.Fact, "Ana's birthday is May 7", "fact:birthday" },
        { "I'm married to John.", MemoryTypes.Fact, "Ana is married to John", "fact:marital_status" },
        { "I have two kids.", MemoryTypes.Fact, "Ana has two kids", "fact:children" },
        { "I'm from Brazil.", MemoryTypes.Fact, "Ana is from Brazil", "fact:hometown" },

        // Events, dated against Monday 2023-05-08.
        { "I went to an LGBTQ support group yesterday and it was so powerful.", MemoryTypes.Event, "Ana went to an LGBTQ support group on 2023-05-07", null },
        { "I ran a charity race last Saturday.", MemoryTypes.Event, "Ana ran a charity race on 2023-05-06", null },
        { "I visited my parents last week.", MemoryTypes.Event, "Ana visited their parents in the week of 2023-05-01", null },
        { "I graduated from MIT in 2019.", MemoryTypes.Event, "Ana graduated from MIT in 2019", null },
        { "Two days ago I attended a pottery workshop.", MemoryTypes.Event, "Ana attended a pottery workshop on 2023-05-06", null },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task ExtractAsync_Statement_ProposesOneTypedMemoryWithVerbatimEvidence(string text, string type, string expected, string? key)
    {
        var message = Say("m1", "Ana", text);

        var candidate = Assert.Single(await ExtractAsync(Request(message)));

        Assert.Equal(type, candidate.Type);
        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal(key, candidate.Key);
        Assert.Equal("Ana", candidate.Subject);
        Assert.Equal("Ana", candidate.Source);
        Assert.Equal("rules", candidate.Extractor);
        Assert.Equal(MemorySourceKind.Message, candidate.Evidence.SourceKind);
        Assert.Equal(["m1"], candidate.Evidence.MessageIds);
        Assert.Equal(Monday, candidate.Evidence.ObservedAt);
        var span = Assert.Single(candidate.Evidence.QuotedSpans);
        Assert.Contains(span, text, StringComparison.Ordinal);
        Assert.InRange(candidate.Confidence, 0.6, 1);
        Assert.Empty(candidate.Signals);
    }

    [Fact]
    public async Task ExtractAsync_Identifier_CarriesKindAndValue()
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Caroline", "My email is caroline@example.org if you want the photos."))));

        Assert.Equal("Caroline's email is caroline@example.org", candidate.Value.Text);
        Assert.Equal("""{"kind":"email","value":"caroline@example.org"}""", candidate.Value.Structured!.Value.GetRawText());
        Assert.Equal(0.9, candidate.Confidence);
    }

    [Fact]
    public async Task ExtractAsync_SeveralClauses_QuotesEachClauseVerbatim()
    {
        const string Text = "I live in Lisbon and work at Contoso. Also, my email is ana@example.org!";

        var candidates = await ExtractAsync(Request(Say("m7", "Ana", Text)));

        Assert.Equal(["Ana lives in Lisbon", "Ana works at Contoso", "Ana's email is ana@example.org"], candidates.Select(c => c.Value.Text));
        Assert.Equal(["I live in Lisbon", "work at Contoso", "Also, my email is ana@example.org!"], candidates.Select(c => Assert.Single(c.Evidence.QuotedSpans)));
        Assert.All(candidates, c => Assert.Equal(["m7"], c.Evidence.MessageIds));
    }

    [Fact]
    public async Task ExtractAsync_TwoSpeakers_AttributesEachMemoryToItsSpeaker()
    {
        var request = Request(
            Say("c1", "Caroline", "I love hiking."),
            Say("m1", "Melanie", "I love painting and my email is mel@example.org."),
            Say("c2", "Caroline", "I'm a counselor."));

        var candidates = await ExtractAsync(request);

        Assert.Equal(
            [
                ("Caroline", "Caroline loves hiking", "c1"),
                ("Melanie", "Melanie loves painting", "m1"),
                ("Melanie", "Melanie's email is mel@example.org", "m1"),
                ("Caroline", "Caroline works as a counselor", "c2"),
            ],
            candidates.Select(c => (c.Subject, c.Value.Text, Assert.Single(c.Evidence.MessageIds))));
        Assert.All(candidates, c => Assert.Equal(c.Subject, c.Source));
    }

    [Fact]
    public async Task ExtractAsync_FixedSubject_AttributesEveryMemoryToIt()
    {
        var request = Request(
            Say("m1", "Ana", "I prefer tea."),
            Say("m2", "assistant", "You probably like green tea too.", MemoryMessageRole.Assistant)) with { Subject = "user-42" };

        var candidates = await ExtractAsync(request);

        Assert.Equal(["user-42 prefers tea", "user-42 likes green tea"], candidates.Select(c => c.Value.Text));
        Assert.All(candidates, c => Assert.Equal("user-42", c.Subject));
        Assert.Equal(["Ana", "assistant"], candidates.Select(c => c.Source));
    }

    [Fact]
    public async Task ExtractAsync_AssistantGuess_IsProposedForTheUserAndFlagged()
    {
        var request = Request(
            Say("m1", "Ana", "Book me a flight to Porto."),
            Say("m2", "assistant", "Sure. You probably prefer window seats.", MemoryMessageRole.Assistant));

        var candidate = Assert.Single(await ExtractAsync(request));

        Assert.Equal(MemoryTypes.Preference, candidate.Type);
        Assert.Equal("Ana prefers window seats", candidate.Value.Text);
        Assert.Equal("Ana", candidate.Subject);
        Assert.Equal("assistant", candidate.Source);
        Assert.Equal(["m2"], candidate.Evidence.MessageIds);
        Assert.Equal(["You probably prefer window seats"], candidate.Evidence.QuotedSpans);
        Assert.Equal([MemoryCandidateSignal.AssistantSpeculation], candidate.Signals);
        Assert.Equal(0.5, candidate.Confidence);
    }

    [Fact]
    public async Task ExtractAsync_PassingState_IsProposedAndFlaggedTransient()
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Ana", "I'm in a hurry today, keep it short."))));

        Assert.Equal(MemoryTypes.Fact, candidate.Type);
        Assert.Equal("Ana is in a hurry", candidate.Value.Text);
        Assert.Equal([MemoryCandidateSignal.Transient], candidate.Signals);
        Assert.Equal("I'm in a hurry today, keep it short", Assert.Single(candidate.Evidence.QuotedSpans));
    }

    [Fact]
    public async Task ExtractAsync_QuestionAndCode_AreProposedAndFlagged()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "Should I switch from almond milk to oat milk?"),
            Say("m2", "Ana", "Here's my config:\n```\nmy email is bot@example.com\n```")));

        Assert.Equal(["Ana prefers oat milk", "Ana's email is bot@example.com"], candidates.Select(c => c.Value.Text));
        Assert.Equal([MemoryCandidateSignal.Hypothetical], candidates[0].Signals);
        Assert.Equal([MemoryCandidateSignal.CodeSnippet], candidates[1].Signals);
    }

    [Fact]
    public async Task ExtractAsync_HedgedStatement_HasLowerConfidence()
    {
        var candidates = await ExtractAsync(Request(Say("m1", "Ana", "I think I like jazz."), Say("m2", "Ana", "I like blues.")));

        Assert.Equal(["Ana likes jazz", "Ana likes blues"], candidates.Select(c => c.Value.Text));
        Assert.Equal([0.5, 0.75], candidates.Select(c => c.Confidence));
    }

    [Fact]
    public async Task ExtractAsync_Constraints_AreMoreSalientThanPreferences()
    {
        var candidates = await ExtractAsync(Request(Say("m1", "Ana", "I'm allergic to peanuts and I love jazz.")));

        Assert.Equal([MemoryTypes.Constraint, MemoryTypes.Preference], candidates.Select(c => c.Type));
        Assert.Equal([0.95, 0.5], candidates.Select(c => c.Salience));
    }

    public static TheoryData<string, string, string, string?, string?> Transitions() => new()
    {
        { "I switched from almond milk to oat milk last week.", MemoryTypes.Preference, "Ana prefers oat milk", "preference:milk", "almond milk" },
        { "I switched from almond to oat milk.", MemoryTypes.Preference, "Ana prefers oat milk", "preference:milk", "almond" },
        { "I moved from Porto to Lisbon last year.", MemoryTypes.Fact, "Ana lives in Lisbon", "fact:home_city", "Porto" },
        { "I changed my email from ana@old.example to ana@new.example.", MemoryTypes.Identifier, "Ana's email is ana@new.example", "identifier:email", "ana@old.example" },
        { "I changed my shipping address to 5 Main St, Porto.", MemoryTypes.Asset, "Ana's shipping address is 5 Main St, Porto", "asset:shipping_address", null },
        { "I went from vegetarian to vegan in March.", MemoryTypes.Constraint, "Ana is vegan", "constraint:diet", "vegetarian" },
        { "I no longer eat meat.", MemoryTypes.Constraint, "Ana no longer eats meat", "constraint:diet", "meat" },
        { "I don't drink coffee anymore.", MemoryTypes.Constraint, "Ana no longer drinks coffee", null, "coffee" },
        { "I no longer live in Porto.", MemoryTypes.Fact, "Ana no longer lives in Porto", "fact:home_city", "Porto" },
        { "I quit my job at Contoso.", MemoryTypes.Fact, "Ana no longer works at Contoso", "fact:employer", "Contoso" },
        { "I'm not vegetarian anymore.", MemoryTypes.Constraint, "Ana is no longer vegetarian", "constraint:diet", "vegetarian" },
        { "These days I prefer tea over coffee.", MemoryTypes.Preference, "Ana prefers tea over coffee", null, "coffee" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public async Task ExtractAsync_Change_ProposesTheNewValueWithWhatItReplaces(string text, string type, string expected, string? key, string? replaces)
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Ana", text))));

        Assert.Equal(type, candidate.Type);
        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal(key, candidate.Key);
        Assert.Equal(replaces, candidate.Replaces);
    }

    [Fact]
    public async Task ExtractAsync_Change_IsDatedByItsTimeExpression()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "I switched from almond milk to oat milk last week."),
            Say("m2", "Ana", "I moved from Porto to Lisbon last year.")));

        Assert.Equal([new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero)], candidates.Select(c => c.ValidFrom));
    }

    [Fact]
    public async Task ExtractAsync_LastWeekOnMonday2023_05_08_GroundsToTheWeekOf2023_05_01()
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Caroline", "I went to a pottery class last week."))));

        Assert.Equal(MemoryTypes.Event, candidate.Type);
        Assert.Equal("Caroline went to a pottery class in the week of 2023-05-01", candidate.Value.Text);
        Assert.Equal(new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero), candidate.ValidFrom);
    }

    [Fact]
    public async Task ExtractAsync_EventDate_IsGroundedInTheMessagesOwnOffset()
    {
        var lisbonEvening = new DateTimeOffset(2023, 5, 8, 23, 30, 0, TimeSpan.FromHours(1));
        var message = Say("m1", "Ana", "I ran a half marathon yesterday.") with { ObservedAt = lisbonEvening };

        var candidate = Assert.Single(await ExtractAsync(Request(message)));

        Assert.Equal("Ana ran a half marathon on 2023-05-07", candidate.Value.Text);
        Assert.Equal(new DateTimeOffset(2023, 5, 7, 0, 0, 0, TimeSpan.FromHours(1)), candidate.ValidFrom);
        Assert.Equal(lisbonEvening, candidate.Evidence.ObservedAt);
    }

    [Fact]
    public async Task ExtractAsync_SentenceDate_DatesEventsButNotOtherClauses()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "Last week I went to Paris and I visited the Louvre."),
            Say("m2", "Ana", "I live in Lisbon and I went to Porto yesterday."),
            Say("m3", "Ana", "I'm allergic to peanuts, so no satay for me tonight.")));

        Assert.Equal(
            [
                ("Ana went to Paris in the week of 2023-05-01", (DateTimeOffset?)new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero)),
                ("Ana visited the Louvre in the week of 2023-05-01", new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero)),
                ("Ana lives in Lisbon", null),
                ("Ana went to Porto on 2023-05-07", new DateTimeOffset(2023, 5, 7, 0, 0, 0, TimeSpan.Zero)),
                ("Ana is allergic to peanuts", null),
            ],
            candidates.Select(c => (c.Value.Text, c.ValidFrom)));
    }

    [Fact]
    public async Task ExtractAsync_PlannedEvent_IsDatedForward()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "I'm flying to Berlin on Friday."),
            Say("m2", "Ana", "I have a dentist appointment tomorrow."),
            Say("m3", "Ana", "I'm going to try yoga.")));

        Assert.Equal(["Ana is flying to Berlin on 2023-05-12", "Ana has a dentist appointment on 2023-05-09"], candidates.Select(c => c.Value.Text));
        Assert.All(candidates, c => Assert.Equal(MemoryTypes.Event, c.Type));
    }

    [Theory]
    [InlineData("hi, how are you?")]
    [InlineData("Hey Mel! Good to see you! How have you been?")]
    [InlineData("Sounds great, see you soon!")]
    [InlineData("Thanks, I appreciate it.")]
    [InlineData("I'm good, thanks!")]
    [InlineData("I love you!")]
    [InlineData("I can't believe it!")]
    [InlineData("I have to go now.")]
    [InlineData("My sister lives in Paris and works at Google.")]
    public async Task ExtractAsync_SmallTalk_ProposesNothing(string text)
    {
        Assert.Empty(await ExtractAsync(Request(Say("m1", "Ana", text))));
    }

    [Fact]
    public async Task ExtractAsync_RepeatedStatement_IsProposedOnceCitingEveryMessage()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "I love pottery."),
            Say("m2", "Ana", "I love hiking."),
            Say("m3", "Ana", "Did I say I LOVE POTTERY? I love pottery!")));

        Assert.Equal(["Ana loves pottery", "Ana loves hiking"], candidates.Select(c => c.Value.Text));
        Assert.Equal(["m1", "m3"], candidates[0].Evidence.MessageIds);

        // The question repeats the words but is no statement: citing it would make the gate reject the memory as a hypothetical.
        Assert.Equal(["I love pottery", "I love pottery!"], candidates[0].Evidence.QuotedSpans);
        Assert.Empty(candidates[0].Signals);
    }

    [Fact]
    public async Task ExtractAsync_SameWordsForAnotherSpeaker_AreKeptApart()
    {
        var candidates = await ExtractAsync(Request(Say("c1", "Caroline", "I love pottery."), Say("m1", "Melanie", "I love pottery.")));

        Assert.Equal(["Caroline loves pottery", "Melanie loves pottery"], candidates.Select(c => c.Value.Text));
    }

    [Fact]
    public async Task ExtractAsync_ToolOutputJson_CitesTheToolCallAndTheField()
    {
        const string Output = """{"tier":"gold","city":"Lisbon","email":"ana@example.org","last_order":"A-991"}""";
        var request = new MemoryExtractionRequest
        {
            Tenant = "acme",
            Subject = "Ana",
            ToolOutputs = [new MemoryToolOutput { ToolCallId = "call-1", ToolName = "crm.lookup", Text = Output, ObservedAt = Monday }],
        };

        var candidates = await ExtractAsync(request);

        Assert.Equal(["Ana's tier is gold", "Ana lives in Lisbon", "Ana's email is ana@example.org"], candidates.Select(c => c.Value.Text));
        Assert.Equal([MemoryTypes.Fact, MemoryTypes.Fact, MemoryTypes.Identifier], candidates.Select(c => c.Type));
        Assert.Equal(["fact:tier", "fact:home_city", "identifier:email"], candidates.Select(c => c.Key));
        Assert.Equal(["\"tier\":\"gold\"", "\"city\":\"Lisbon\"", "\"email\":\"ana@example.org\""], candidates.Select(c => Assert.Single(c.Evidence.QuotedSpans)));
        Assert.All(candidates, c =>
        {
            Assert.Equal(MemorySourceKind.Tool, c.Evidence.SourceKind);
            Assert.Equal(["call-1"], c.Evidence.ToolCallIds);
            Assert.Empty(c.Evidence.MessageIds);
            Assert.Equal("crm.lookup", c.Source);
            Assert.Contains(c.Evidence.QuotedSpans[0], Output, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ExtractAsync_ToolOutputWithoutSubject_IsAboutTheRecordsName()
    {
        var request = new MemoryExtractionRequest
        {
            Tenant = "acme",
            ToolOutputs = [new MemoryToolOutput { ToolCallId = "call-2", ToolName = "crm.lookup", Text = """{"name": "Ana Silva", "customer_id": "C-1042"}""", ObservedAt = Monday }],
        };

        var candidate = Assert.Single(await ExtractAsync(request));

        Assert.Equal("Ana Silva", candidate.Subject);
        Assert.Equal("Ana Silva's customer ID is C-1042", candidate.Value.Text);
        Assert.Equal("identifier:customer_id", candidate.Key);
    }

    [Fact]
    public async Task ExtractAsync_Document_CitesItsHashAndReadsThirdPersonStatements()
    {
        var document = new MemoryDocument { Name = "profile.md", Text = "Ana is fluent in Portuguese and Spanish. She lives in Porto. Bob lives in Paris.", ObservedAt = Monday };
        var request = new MemoryExtractionRequest { Tenant = "acme", Documents = [document] };

        var candidates = await ExtractAsync(request);

        Assert.Equal(
            [("Ana", "Ana is fluent in Portuguese and Spanish"), ("Ana", "Ana lives in Porto"), ("Bob", "Bob lives in Paris")],
            candidates.Select(c => (c.Subject, c.Value.Text)));
        Assert.Equal(["Ana is fluent in Portuguese and Spanish", "She lives in Porto", "Bob lives in Paris"], candidates.Select(c => Assert.Single(c.Evidence.QuotedSpans)));
        Assert.All(candidates, c =>
        {
            Assert.Equal(MemorySourceKind.Document, c.Evidence.SourceKind);
            Assert.Equal([document.ContentHash], c.Evidence.FileHashes);
            Assert.StartsWith("sha256:", c.Evidence.FileHashes[0], StringComparison.Ordinal);
            Assert.Equal("profile.md", c.Source);
            Assert.Empty(c.Signals);
        });
    }

    [Fact]
    public async Task ExtractAsync_DocumentWithSubject_ReadsFirstPersonAndFieldLinesAndOnlyThatPerson()
    {
        var document = new MemoryDocument
        {
            Name = "notes.txt",
            Text = "About me: I'm a nurse.\nEmail: ana@work.example\nThe user is vegan and works at Fabrikam. Bob is vegan.",
            ObservedAt = Monday,
        };
        var request = new MemoryExtractionRequest { Tenant = "acme", Subject = "Ana", Documents = [document] };

        var candidates = await ExtractAsync(request);

        Assert.Equal(
            ["Ana's email is ana@work.example", "Ana works as a nurse", "Ana is vegan", "Ana works at Fabrikam"],
            candidates.Select(c => c.Value.Text));
        Assert.Equal(["Email: ana@work.example", "About me: I'm a nurse", "The user is vegan", "works at Fabrikam"], candidates.Select(c => c.Evidence.QuotedSpans[0]));
        Assert.All(candidates, c => Assert.Equal("Ana", c.Subject));
    }

    [Fact]
    public async Task ExtractAsync_ExternalDocument_FlagsEveryCandidate()
    {
        var document = new MemoryDocument { Name = "https://example.org/milk", Text = "Ana prefers oat milk. Oat milk is popular in Europe.", ObservedAt = Monday, External = true };

        var candidate = Assert.Single(await ExtractAsync(new MemoryExtractionRequest { Tenant = "acme", Documents = [document] }));

        Assert.Equal("Ana prefers oat milk", candidate.Value.Text);
        Assert.Equal([MemoryCandidateSignal.ExternalContent], candidate.Signals);
        Assert.Equal([document.ContentHash], candidate.Evidence.FileHashes);
    }

    [Fact]
    public async Task ExtractAsync_SameRequestTwice_GivesEqualOutput()
    {
        var request = LoadConversation("caroline-melanie.json");
        var extractor = new RuleBasedMemoryExtractor();

        var first = await extractor.ExtractAsync(request, TestContext.Current.CancellationToken);
        var second = await extractor.ExtractAsync(request, TestContext.Current.CancellationToken);

        Assert.NotEmpty(first.Candidates);
        Assert.Equal(first.Candidates.Select(Serialize), second.Candidates.Select(Serialize));
        Assert.Empty(first.Rejections);
    }

    public static TheoryData<string, (string Message, string Type, string Subject, string Text)[]> Conversations() => new()
    {
        {
            "caroline-melanie.json",
            [
                ("m1", MemoryTypes.Event, "Melanie", "Melanie ran a charity race for mental health on 2023-05-06"),
                ("c2", MemoryTypes.Event, "Caroline", "Caroline went to an LGBTQ support group on 2023-05-07"),
                ("m2", MemoryTypes.Preference, "Melanie", "Melanie loves painting"),
                ("c3", MemoryTypes.Fact, "Caroline", "Caroline works as a counselor"),
                ("c3", MemoryTypes.Skill, "Caroline", "Caroline is learning sign language"),
                ("m3", MemoryTypes.Constraint, "Melanie", "Melanie is allergic to peanuts"),
                ("c4", MemoryTypes.Identifier, "Caroline", "Caroline's email is caroline@example.org"),
                ("m4", MemoryTypes.Fact, "Melanie", "Melanie has two kids"),
                ("m4", MemoryTypes.Asset, "Melanie", "Melanie has a dog named Oscar"),
                ("c5", MemoryTypes.Fact, "Caroline", "Caroline lives in Portland"),
            ]
        },
        {
            "ana-assistant.json",
            [
                ("a1", MemoryTypes.Preference, "Ana", "Ana prefers oat milk"),
                ("b1", MemoryTypes.Preference, "Ana", "Ana prefers oat milk in their lattes"),
                ("a2", MemoryTypes.Constraint, "Ana", "Ana is vegetarian"),
                ("a2", MemoryTypes.Identifier, "Ana", "Ana's GitHub handle is @ana-dev"),
                ("a3", MemoryTypes.Fact, "Ana", "Ana is in a hurry"),
                ("a4", MemoryTypes.Asset, "Ana", "Ana drives a 2019 Honda Civic"),
                ("a6", MemoryTypes.Asset, "Ana", "Ana's shipping address is 12 Rua Augusta, Lisbon"),
                ("a7", MemoryTypes.Event, "Ana", "Ana hiked Sintra with their sister on 2024-01-28"),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Conversations))]
    public async Task ExtractAsync_Conversation_ProposesTheExpectedMemoriesFromTheRightTurns(string file, (string Message, string Type, string Subject, string Text)[] expected)
    {
        var request = LoadConversation(file);

        var candidates = await ExtractAsync(request);

        Assert.Equal(expected, candidates.Select(c => (Assert.Single(c.Evidence.MessageIds), c.Type, c.Subject, c.Value.Text)));
        foreach (var candidate in candidates)
        {
            // Every quoted span is a verbatim substring of the turn it cites, and the turn's time is the observation time.
            var turn = request.Messages.Single(m => m.Id == candidate.Evidence.MessageIds[0]);
            Assert.Contains(Assert.Single(candidate.Evidence.QuotedSpans), turn.Text, StringComparison.Ordinal);
            Assert.Equal(turn.ObservedAt, candidate.Evidence.ObservedAt);
            Assert.Equal(turn.Speaker, candidate.Source);
        }
    }

    [Fact]
    public async Task ExtractAsync_AnaConversation_KeysChangesAndSignals()
    {
        var candidates = await ExtractAsync(LoadConversation("ana-assistant.json"));

        var milk = candidates[0];
        Assert.Equal("preference:milk", milk.Key);
        Assert.Equal("almond milk", milk.Replaces);
        Assert.Equal(new DateTimeOffset(2024, 1, 8, 0, 0, 0, TimeSpan.Zero), milk.ValidFrom);
        Assert.Equal([MemoryCandidateSignal.AssistantSpeculation], candidates[1].Signals);
        Assert.Equal("constraint:diet", candidates[2].Key);
        Assert.Equal("identifier:github", candidates[3].Key);
        Assert.Equal([MemoryCandidateSignal.Transient], candidates[4].Signals);
        Assert.Equal("asset:car", candidates[5].Key);
        Assert.Equal("asset:shipping_address", candidates[6].Key);
        Assert.Equal(new DateTimeOffset(2024, 1, 28, 0, 0, 0, TimeSpan.Zero), candidates[7].ValidFrom);
    }

    [Fact]
    public async Task ExtractAsync_Conversations_PassTheGatesEvidenceChecks()
    {
        // The gate (another component) finds every cited turn and quoted span, and rejects only what the signals say.
        var gate = new MemoryGate(new MemoryTypeRegistry());
        foreach (var file in new[] { "caroline-melanie.json", "ana-assistant.json" })
        {
            var request = LoadConversation(file);
            var verdicts = (await ExtractAsync(request)).Select(c => (c.Value.Text, gate.Evaluate(c, request)?.Reason)).ToList();

            Assert.All(verdicts, v => Assert.True(
                v.Reason is null or MemoryRejectionReason.AssistantSpeculation or MemoryRejectionReason.Transient,
                $"{file}: \"{v.Text}\" was rejected for {v.Reason}"));
            if (file == "ana-assistant.json")
            {
                Assert.Equal(MemoryRejectionReason.AssistantSpeculation, verdicts.Single(v => v.Text.Contains("lattes", StringComparison.Ordinal)).Reason);
                Assert.Equal(MemoryRejectionReason.Transient, verdicts.Single(v => v.Text.Contains("hurry", StringComparison.Ordinal)).Reason);
                Assert.Equal(6, verdicts.Count(v => v.Reason is null));
            }
            else
            {
                Assert.All(verdicts, v => Assert.Null(v.Reason));
            }
        }
    }

    [Theory]
    [InlineData("I won't give up on my dreams.")]
    [InlineData("I didn't win, and I won't quit.")]
    [InlineData("I can't say, it isn't up to me.")]
    public async Task ExtractAsync_Contraction_IsNeverReadAsAVerbPlusT(string text)
    {
        // "won't" is not "won", "can't" is not "can".
        Assert.Empty(await ExtractAsync(Request(Say("m1", "Ana", text))));
    }

    [Fact]
    public async Task ExtractAsync_StatementBeforeATrailingQuestion_IsItsOwnClauseAndNotHypothetical()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "I drive a Toyota Corolla, would a bike rack fit?"),
            Say("m2", "Ana", "Guess what, I ran my first 10K - want to hear how it went?")));

        Assert.Equal(["Ana drives a Toyota Corolla", "Ana ran their first 10K"], candidates.Select(c => c.Value.Text));
        Assert.Equal(["I drive a Toyota Corolla", "Guess what, I ran my first 10K"], candidates.Select(c => Assert.Single(c.Evidence.QuotedSpans)));
        Assert.All(candidates, c => Assert.Empty(c.Signals));
        Assert.Equal("asset:car", candidates[0].Key);
    }

    [Theory]
    [InlineData("We can change the world together!")]
    [InlineData("I can make a real difference here.")]
    [InlineData("Honestly, I just like the smell.")]
    [InlineData("The album I bought last week reminds me of home.")]
    public async Task ExtractAsync_EncouragementContentlessLikeOrRelativeClause_ProposesNothing(string text)
    {
        Assert.Empty(await ExtractAsync(Request(Say("m1", "Ana", text))));
    }

    [Fact]
    public async Task ExtractAsync_CutValue_EndsAtAPhraseNotADanglingWord()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "I've been meaning to read this series for a while because everyone loves it."),
            Say("m2", "Ana", "I started running about two years ago.")));

        Assert.Equal(["Ana has been meaning to read this series", "Ana started running in 2021"], candidates.Select(c => c.Value.Text));
        Assert.Equal(MemoryTypes.Preference, candidates[0].Type);
    }

    [Fact]
    public async Task ExtractAsync_DateOfOneClause_DoesNotDateAClauseInAnotherTense()
    {
        // Said on 2023-05-08: "in June" is June 2022, and it does not date the flight "now" (no planned flight is proposed).
        var candidates = await ExtractAsync(Request(Say("m1", "Ana", "I moved to Denver in June, so I'll fly from DEN now.")));

        Assert.Equal(["Ana lives in Denver", "Ana moved to Denver in 2022-06"], candidates.Select(c => c.Value.Text));
        Assert.All(candidates, c => Assert.Equal(new DateTimeOffset(2022, 6, 1, 0, 0, 0, TimeSpan.Zero), c.ValidFrom));
    }

    public static TheoryData<string, string, string, string?> KeyedAndNewPhrasings() => new()
    {
        // Slot keys: the head noun of what is taken, drunk, ordered or preferred; a meatless diet; every key is type:slot.
        { "I normally order soy milk with my tea.", MemoryTypes.Preference, "Ana normally orders soy milk with their tea", "preference:milk" },
        { "I prefer green tea.", MemoryTypes.Preference, "Ana prefers green tea", "preference:tea" },
        { "I don't eat any meat.", MemoryTypes.Constraint, "Ana does not eat any meat", "constraint:diet" },
        { "I own a mountain bike.", MemoryTypes.Asset, "Ana owns a mountain bike", "asset:bike" },

        // Identifiers told after a comma, by shape, for a purpose, as a change, or on a named forum.
        { "Forward it to my personal email, ana.r@mail.example.", MemoryTypes.Identifier, "Ana's email is ana.r@mail.example", "identifier:email" },
        { "Please use ana@new.example going forward.", MemoryTypes.Identifier, "Ana's email is ana@new.example", "identifier:email" },
        { "My email for receipts is r@shop.example.", MemoryTypes.Identifier, "Ana's email is r@shop.example", "identifier:email" },
        { "My Discord handle changed to @ana_plays.", MemoryTypes.Identifier, "Ana's Discord handle is @ana_plays", "identifier:discord" },
        { "My username on the Go forum is gopher_ana.", MemoryTypes.Identifier, "Ana's Go forum username is gopher_ana", "identifier:go_forum" },
        { "I updated my phone, it's 555-0199 now.", MemoryTypes.Identifier, "Ana's phone number is 555-0199", "identifier:phone" },

        // A business run, a trade trained in.
        { "I own a small bookstore.", MemoryTypes.Fact, "Ana owns a small bookstore", null },
        { "I qualified as a nurse in Dublin.", MemoryTypes.Skill, "Ana qualified as a nurse in Dublin", null },
    };

    [Theory]
    [MemberData(nameof(KeyedAndNewPhrasings))]
    public async Task ExtractAsync_KeyedOrNewPhrasing_ProposesOneTypedMemory(string text, string type, string expected, string? key)
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Ana", text))));

        Assert.Equal(type, candidate.Type);
        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal(key, candidate.Key);
        Assert.Null(candidate.Replaces);
    }

    [Fact]
    public async Task ExtractAsync_Restatement_HasTheOriginalsWordsAndCitesBoth()
    {
        var candidate = Assert.Single(await ExtractAsync(Request(
            Say("m1", "Ana", "I'm allergic to walnuts."),
            Say("m2", "Ana", "I'm still allergic to walnuts."),
            Say("m3", "Ana", "Remember, I'm allergic to walnuts."))));

        Assert.Equal("Ana is allergic to walnuts", candidate.Value.Text);
        Assert.Equal(["m1", "m2", "m3"], candidate.Evidence.MessageIds);
    }

    [Fact]
    public async Task ExtractAsync_AssistantGuessPhrasings_AreProposedForTheUserAndFlagged()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "Any tips for my weekend?"),
            Say("m2", "assistant", "You'd probably like hiking.", MemoryMessageRole.Assistant),
            Say("m3", "assistant", "You might want noise-cancelling headphones.", MemoryMessageRole.Assistant),
            Say("m4", "assistant", "I suppose you're vegan.", MemoryMessageRole.Assistant)));

        Assert.Equal(["Ana would like hiking", "Ana might want noise-cancelling headphones", "Ana is vegan"], candidates.Select(c => c.Value.Text));
        Assert.All(candidates, c => Assert.Equal([MemoryCandidateSignal.AssistantSpeculation], c.Signals));
        Assert.All(candidates, c => Assert.Equal("Ana", c.Subject));
    }

    [Fact]
    public async Task ExtractAsync_DatedChange_IsAlsoAnEvent()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "We relocated to Leeds three weeks ago."),
            Say("m2", "Ana", "I got promoted to senior nurse last month!"),
            Say("m3", "Ana", "I rescued a kitten on Saturday, her name is Pip."),
            Say("m4", "Ana", "I moved to Boston.")));

        Assert.Equal(
            [
                (MemoryTypes.Fact, "Ana lives in Leeds"),
                (MemoryTypes.Event, "Ana moved to Leeds in the week of 2023-04-17"),
                (MemoryTypes.Fact, "Ana works as senior nurse"),
                (MemoryTypes.Event, "Ana was promoted to senior nurse in 2023-04"),
                (MemoryTypes.Asset, "Ana has a kitten named Pip"),
                (MemoryTypes.Event, "Ana rescued a kitten on 2023-05-06"),
                (MemoryTypes.Fact, "Ana lives in Boston"),
            ],
            candidates.Select(c => (c.Type, c.Value.Text)));
    }

    [Theory]
    [InlineData("I'm in a call for the next twenty minutes.", "Ana is in a call")]
    [InlineData("I'm running late for my flight!", "Ana is running late")]
    [InlineData("I'm famished right now.", "Ana is famished")]
    public async Task ExtractAsync_PassingSituation_IsProposedAndFlaggedTransient(string text, string expected)
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Ana", text))));

        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal([MemoryCandidateSignal.Transient], candidate.Signals);
    }

    [Theory]
    [InlineData("You're clearly a night owl.", "Ana is a night owl")]
    [InlineData("You seem to prefer short answers, so I'll keep it brief for you.", "Ana prefers short answers")]
    public async Task ExtractAsync_AssistantReading_IsProposedFlagged(string text, string expected)
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Ana", "Hi."), Say("m2", "assistant", text, MemoryMessageRole.Assistant))));

        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal([MemoryCandidateSignal.AssistantSpeculation], candidate.Signals);
    }

    [Fact]
    public async Task ExtractAsync_WhatIfTryingADiet_IsProposedHypothetical()
    {
        var candidate = Assert.Single(await ExtractAsync(Request(Say("m1", "Ana", "What if I tried going pescatarian this year?"))));

        Assert.Equal("Ana is pescatarian", candidate.Value.Text);
        Assert.Equal([MemoryCandidateSignal.Hypothetical], candidate.Signals);
    }

    [Fact]
    public async Task ExtractAsync_DroppedSubject_IsTheSpeaker()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "Lost my wallet on the tram yesterday, so that was fun."),
            Say("m2", "Ana", "Started to learn Korean."),
            Say("m3", "Ana", "Read lots and try out different genres."),
            Say("m4", "Ana", "Got it, thanks.")));

        Assert.Equal(["Ana lost their wallet on the tram on 2023-05-07", "Ana is learning Korean"], candidates.Select(c => c.Value.Text));
        Assert.Equal("Lost my wallet on the tram yesterday, so that was fun", Assert.Single(candidates[0].Evidence.QuotedSpans));
    }

    [Fact]
    public async Task ExtractAsync_NewsWithoutADate_IsAnUndatedEvent()
    {
        var candidates = await ExtractAsync(Request(
            Say("m1", "Ana", "I just joined a choir!"),
            Say("m2", "Ana", "I baked a lemon tart the other day, maybe you'd like the recipe."),
            Say("m3", "Ana", "I had to leave early."),
            Say("m4", "Ana", "I watched a movie."),
            Say("m5", "Ana", "I finally got into the program I applied for!")));

        // The relative clause keeps its preposition ("applied for"), and proposes no "applied for" event of its own.
        Assert.Equal(["Ana joined a choir", "Ana baked a lemon tart", "Ana got into the program they applied for"], candidates.Select(c => c.Value.Text));
        Assert.All(candidates, c => Assert.Null(c.ValidFrom));
    }

    [Fact]
    public async Task ExtractAsync_WeWithMy_IsTheSpeakersHousehold()
    {
        var candidates = await ExtractAsync(Request(Say("m1", "Ana", "We adopted a puppy last week, my kids adore him.")));

        Assert.Equal(
            [(MemoryTypes.Asset, "Ana has a puppy"), (MemoryTypes.Event, "Ana adopted a puppy in the week of 2023-05-01")],
            candidates.Select(c => (c.Type, c.Value.Text)));
    }

    private static MemoryMessage Say(string id, string speaker, string text, MemoryMessageRole role = MemoryMessageRole.User) =>
        new() { Id = id, Speaker = speaker, Role = role, Text = text, ObservedAt = Monday };

    private static MemoryExtractionRequest Request(params MemoryMessage[] messages) => new() { Tenant = "acme", Messages = messages };

    private static async Task<IReadOnlyList<MemoryCandidate>> ExtractAsync(MemoryExtractionRequest request)
    {
        var result = await new RuleBasedMemoryExtractor().ExtractAsync(request, TestContext.Current.CancellationToken);
        Assert.Empty(result.Rejections);
        return result.Candidates;
    }

    private static MemoryExtractionRequest LoadConversation(string file)
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Capture", "Conversations", file));
        var conversation = JsonSerializer.Deserialize<ConversationFile>(json, ConversationJson) ?? throw new InvalidDataException(file + " is empty.");
        return new MemoryExtractionRequest { Tenant = "acme", Messages = conversation.Messages };
    }

    private static string Serialize(MemoryCandidate candidate) => JsonSerializer.Serialize(candidate, MemoryJsonContext.Default.MemoryCandidate);

    /// <summary>A test conversation file: <c>{"messages":[{"id","speaker","role","text","observed_at"}]}</c>.</summary>
    private sealed record ConversationFile(IReadOnlyList<MemoryMessage> Messages);
}
