using SkMemory.Capture;

namespace SkMemory.Tests.Capture;

/// <summary>
/// Phrasing families the offline extractor once missed: "I've got" possessions of named makes, moves told with
/// "relocated" or "from X to Y", and articles that must agree with the word they introduce.
/// </summary>
public sealed class RuleBasedMemoryExtractorPhrasingTests
{
    /// <summary>Monday 8 May 2023, 13:56 UTC.</summary>
    private static readonly DateTimeOffset Monday = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    public static TheoryData<string, string, string?> Possessions() => new()
    {
        { "I've got a Ford Ranger.", "Ana has a Ford Ranger", "asset:car" },
        { "I have got a Honda Civic.", "Ana has a Honda Civic", "asset:car" },
        { "I've also got a Subaru Outback these days.", "Ana has a Subaru Outback", "asset:car" },
        { "I have a Volvo XC60.", "Ana has a Volvo XC60", "asset:car" },
        { "I got a Kia Niro last month.", "Ana has a Kia Niro", "asset:car" },
        { "I've got a Dell XPS 13.", "Ana has a Dell XPS 13", "asset:laptop" },
        { "I have a Samsung Galaxy S23.", "Ana has a Samsung Galaxy S23", "asset:phone" },
        { "I own a Mazda CX-5.", "Ana owns a Mazda CX-5", "asset:car" },
    };

    [Theory]
    [MemberData(nameof(Possessions))]
    public async Task ExtractAsync_PossessionOfANamedMake_IsAnAssetInItsSlot(string text, string expected, string? key)
    {
        var candidate = Assert.Single(await ExtractAsync(text));

        Assert.Equal(MemoryTypes.Asset, candidate.Type);
        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal(key, candidate.Key);
    }

    public static TheoryData<string, string, string?> MakesOfOtherThings() => new()
    {
        { "I've got a Galaxy Watch.", "Ana has a Galaxy Watch", null },
        { "I have a Dell monitor.", "Ana has a Dell monitor", null },
        { "I have a Honda generator.", "Ana has a Honda generator", null },
        { "I have a Dell laptop.", "Ana has a Dell laptop", "asset:laptop" },
        { "I've got a Honda with heated seats.", "Ana has a Honda with heated seats", "asset:car" },
        { "I have an iPhone 15 Pro.", "Ana has an iPhone 15 Pro", "asset:phone" },
    };

    [Theory]
    [MemberData(nameof(MakesOfOtherThings))]
    public async Task ExtractAsync_AMakeBeforeAnotherNoun_TheHeadNounDecidesTheSlot(string text, string expected, string? key)
    {
        var candidate = Assert.Single(await ExtractAsync(text), c => c.Type == MemoryTypes.Asset);

        Assert.Equal(expected, candidate.Value.Text);
        Assert.Equal(key, candidate.Key);
    }

    [Theory]
    [InlineData("I've got a feeling it will rain.")]
    [InlineData("I've got a question about my order.")]
    [InlineData("I have a Zoom call at noon.")]
    public async Task ExtractAsync_GotSomethingThatIsNoPossession_ProposesNoAsset(string text)
    {
        var candidates = await ExtractAsync(text);

        Assert.DoesNotContain(candidates, c => c.Type == MemoryTypes.Asset);
    }

    public static TheoryData<string, string, string?> Moves() => new()
    {
        { "I've relocated from Krakow to Denver.", "Ana lives in Denver", "Krakow" },
        { "I relocated from Osaka to Tallinn last year.", "Ana lives in Tallinn", "Osaka" },
        { "I just moved from Toronto to Montreal.", "Ana lives in Montreal", "Toronto" },
        { "I moved to Lisbon from Nairobi.", "Ana lives in Lisbon", "Nairobi" },
        { "We relocated to Valencia.", "Ana lives in Valencia", null },
        { "We've relocated from Denver to Melbourne.", "Ana lives in Melbourne", "Denver" },
        { "I have now relocated to Krakow.", "Ana lives in Krakow", null },
        { "I recently relocated to Osaka from Lisbon.", "Ana lives in Osaka", "Lisbon" },
        { "I've moved over to Toronto.", "Ana lives in Toronto", null },
        { "My family and I relocated from Tallinn to Nairobi.", "Ana lives in Nairobi", "Tallinn" },
        { "We just moved to Denver from Krakow.", "Ana lives in Denver", "Krakow" },
        { "I've since moved to Denver.", "Ana lives in Denver", null },
        { "I now live in Denver.", "Ana lives in Denver", null },
        { "I'm living in Denver now.", "Ana lives in Denver", null },
        { "I relocated to Denver for work.", "Ana lives in Denver", null },
        { "I moved from Krakow to Denver for a new job.", "Ana lives in Denver", "Krakow" },
    };

    [Theory]
    [MemberData(nameof(Moves))]
    public async Task ExtractAsync_Move_IsTheNewHomeCityReplacingTheOld(string text, string expected, string? replaces)
    {
        var candidates = await ExtractAsync(text);

        var home = Assert.Single(candidates, c => c.Key == "fact:home_city");
        Assert.Equal(MemoryTypes.Fact, home.Type);
        Assert.Equal(expected, home.Value.Text);
        Assert.Equal(replaces, home.Replaces);
    }

    public static TheoryData<string, string> Articles() => new()
    {
        { "I work as a accountant.", "Ana works as an accountant" },
        { "I'm a accountant by profession.", "Ana works as an accountant" },
        { "I'm a architect at Globex.", "Ana works as an architect" },
        { "I work as an nurse.", "Ana works as a nurse" },
        { "I work as an user researcher.", "Ana works as a user researcher" },
        { "I work as a honest broker.", "Ana works as an honest broker" },
    };

    [Theory]
    [MemberData(nameof(Articles))]
    public async Task ExtractAsync_JobWithAWrongArticle_StoresTheArticleTheTitleTakes(string text, string expected)
    {
        var candidates = await ExtractAsync(text);

        var job = Assert.Single(candidates, c => c.Key == "fact:job_title");
        Assert.Equal(expected, job.Value.Text);
    }

    private static async Task<IReadOnlyList<MemoryCandidate>> ExtractAsync(string text)
    {
        var message = new MemoryMessage { Id = "m1", Speaker = "Ana", Role = MemoryMessageRole.User, Text = text, ObservedAt = Monday };
        var result = await new RuleBasedMemoryExtractor().ExtractAsync(new MemoryExtractionRequest { Tenant = "acme", Messages = [message] }, TestContext.Current.CancellationToken);
        return result.Candidates;
    }
}
