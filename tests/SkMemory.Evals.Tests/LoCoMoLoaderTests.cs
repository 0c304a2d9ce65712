namespace SkMemory.Evals.Tests;

public sealed class LoCoMoLoaderTests
{
    [Fact]
    public async Task Loads_sessions_turns_captions_and_questions()
    {
        using var tiny = new TinyLoCoMo();
        var conversations = await LoCoMoLoader.LoadFolderAsync(tiny.Folder, TestContext.Current.CancellationToken);

        var conversation = Assert.Single(conversations);
        Assert.Equal("conv-tiny", conversation.Id);
        Assert.Equal(("Ana", "Ben"), (conversation.SpeakerA, conversation.SpeakerB));
        Assert.Equal([1, 2, 3], conversation.Sessions.Select(s => s.Number));
        Assert.Equal(30, conversation.Turns.Count());
        Assert.Equal(new DateTimeOffset(2023, 6, 27, 10, 37, 0, TimeSpan.Zero), conversation.Sessions[1].DateTime);
        var photo = conversation.Turns.Single(t => t.DiaId == "D1:3");
        Assert.Equal("Ana: Here is my garden. [shares a photo of red tulips in a flower bed]", photo.MemoryText);
        Assert.Equal("Ben: Bye!", conversation.Turns.Single(t => t.DiaId == "D1:4").MemoryText);
        Assert.Equal(2, conversation.Turns.Single(t => t.DiaId == "D2:1").Session);

        Assert.Equal(5, conversation.Questions.Count);
        Assert.Equal(["D1:1"], conversation.Questions[0].Evidence);
        Assert.Equal(["D1:2", "D2:1"], conversation.Questions[1].Evidence);
        Assert.Equal(["D1:3"], conversation.Questions[2].Evidence);
        Assert.Equal("7", conversation.Questions[2].Answer);
        Assert.Equal(["D2:2"], conversation.Questions[3].Evidence);
        Assert.Equal("to fetch", conversation.Questions[3].Answer);
        Assert.Equal(5, conversation.Questions[3].Category);
        Assert.Empty(conversation.Questions[4].Evidence);
    }

    [Theory]
    [InlineData("1:56 pm on 8 May, 2023", 2023, 5, 8, 13, 56)]
    [InlineData("12:09 am on 13 September, 2023", 2023, 9, 13, 0, 9)]
    [InlineData("12:20 pm on 1 January, 2024", 2024, 1, 1, 12, 20)]
    [InlineData("10:37 am on 27 June, 2023", 2023, 6, 27, 10, 37)]
    public void Parses_session_date_times_as_utc(string text, int year, int month, int day, int hour, int minute)
    {
        var parsed = LoCoMoLoader.ParseDateTime(text);

        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero), parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Theory]
    [InlineData("8 May 2023")]
    [InlineData("13:56 on 8 May, 2023")]
    [InlineData("")]
    public void Rejects_other_date_forms(string text) =>
        Assert.Throws<FormatException>(() => LoCoMoLoader.ParseDateTime(text));

    [Fact]
    public async Task A_missing_folder_is_a_clear_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-locomo-{Guid.NewGuid():N}");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => LoCoMoLoader.LoadFolderAsync(missing, TestContext.Current.CancellationToken));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
