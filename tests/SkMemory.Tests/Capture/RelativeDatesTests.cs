using System.Globalization;
using SkMemory.Capture;

namespace SkMemory.Tests.Capture;

/// <summary>Grounding of time expressions against the observation time.</summary>
public sealed class RelativeDatesTests
{
    /// <summary>Monday 8 May 2023, 13:56 UTC.</summary>
    private static readonly DateTimeOffset Monday = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    public static TheoryData<string, string, string, DateGranularity> Expressions() => new()
    {
        { "I went there yesterday", "yesterday", "2023-05-07", DateGranularity.Day },
        { "the day before yesterday it rained", "the day before yesterday", "2023-05-06", DateGranularity.Day },
        { "We met last night", "last night", "2023-05-07", DateGranularity.Day },
        { "I ran this morning", "this morning", "2023-05-08", DateGranularity.Day },
        { "I'm busy today", "today", "2023-05-08", DateGranularity.Day },
        { "See you tomorrow", "tomorrow", "2023-05-09", DateGranularity.Day },

        // ISO weeks start on Monday: on Monday 8 May, last week is the week of Monday 1 May.
        { "I was in Paris last week", "last week", "2023-05-01", DateGranularity.Week },
        { "this week was long", "this week", "2023-05-08", DateGranularity.Week },
        { "next week I fly", "next week", "2023-05-15", DateGranularity.Week },
        { "3 weeks ago I started", "3 weeks ago", "2023-04-17", DateGranularity.Week },
        { "a week ago", "a week ago", "2023-05-01", DateGranularity.Week },
        { "last weekend we hiked", "last weekend", "2023-05-06", DateGranularity.Weekend },
        { "this past weekend we hiked", "this past weekend", "2023-05-06", DateGranularity.Weekend },
        { "two days ago", "two days ago", "2023-05-06", DateGranularity.Day },
        { "I started 10 days ago", "10 days ago", "2023-04-28", DateGranularity.Day },
        { "last month", "last month", "2023-04-01", DateGranularity.Month },
        { "a couple of months ago", "a couple of months ago", "2023-03-01", DateGranularity.Month },
        { "last year", "last year", "2022-01-01", DateGranularity.Year },
        { "two years ago", "two years ago", "2021-01-01", DateGranularity.Year },
        { "in two weeks", "in two weeks", "2023-05-22", DateGranularity.Week },

        // Weekdays: "last Friday" is the latest Friday strictly before the day; a bare weekday is past unless the text
        // speaks of the future.
        { "I ran last Friday", "last Friday", "2023-05-05", DateGranularity.Day },
        { "last Monday", "last Monday", "2023-05-01", DateGranularity.Day },
        { "I ran a race on Saturday", "on Saturday", "2023-05-06", DateGranularity.Day },
        { "I'm flying to Paris on Friday", "on Friday", "2023-05-12", DateGranularity.Day },
        { "next Friday", "next Friday", "2023-05-12", DateGranularity.Day },
        { "I called on Thursday evening", "on Thursday evening", "2023-05-04", DateGranularity.Day },
        { "this Friday", "this Friday", "2023-05-12", DateGranularity.Day },

        // Calendar dates.
        { "in 2019", "in 2019", "2019-01-01", DateGranularity.Year },
        { "I graduated back in 2015", "back in 2015", "2015-01-01", DateGranularity.Year },
        { "on May 7", "on May 7", "2023-05-07", DateGranularity.Day },
        { "May 9 was great", "May 9", "2022-05-09", DateGranularity.Day },
        { "7 May 2021", "7 May 2021", "2021-05-07", DateGranularity.Day },
        { "the 3rd of March", "the 3rd of March", "2023-03-03", DateGranularity.Day },
        { "on March 3, 1990", "on March 3, 1990", "1990-03-03", DateGranularity.Day },
        { "on 2023-04-30", "on 2023-04-30", "2023-04-30", DateGranularity.Day },
        { "in March", "in March", "2023-03-01", DateGranularity.Month },
        { "in June", "in June", "2022-06-01", DateGranularity.Month },
        { "in June 2020", "in June 2020", "2020-06-01", DateGranularity.Month },
        { "last May", "last May", "2022-05-01", DateGranularity.Month },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Find_Expression_GroundsToTheDocumentedDate(string text, string expression, string start, DateGranularity granularity)
    {
        var date = RelativeDates.Find(text, Monday);

        Assert.NotNull(date);
        Assert.Equal(expression, date.Expression);
        Assert.Equal(text.IndexOf(expression, StringComparison.Ordinal), date.Index);
        Assert.Equal(expression.Length, date.Length);
        Assert.Equal(DateOnly.ParseExact(start, "yyyy-MM-dd", CultureInfo.InvariantCulture), date.Start);
        Assert.Equal(granularity, date.Granularity);
    }

    [Theory]
    [InlineData("hi, how are you?")]
    [InlineData("I go running every Saturday")]
    [InlineData("I play tennis on Sundays")]
    [InlineData("a pottery class on Thursday evenings")]
    [InlineData("I moved here recently")]
    [InlineData("a few days ago")]
    [InlineData("on February 30")]
    public void Find_NoGroundableExpression_ReturnsNull(string text)
    {
        Assert.Null(RelativeDates.Find(text, Monday));
    }

    [Fact]
    public void Find_LastWeekOnASunday_IsTheIsoWeekBefore()
    {
        // Sunday 7 May 2023 still belongs to the week of Monday 1 May, so last week starts on 24 April.
        var sunday = new DateTimeOffset(2023, 5, 7, 20, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateOnly(2023, 4, 24), RelativeDates.Find("last week", sunday)!.Start);
        Assert.Equal(new DateOnly(2023, 4, 29), RelativeDates.Find("last weekend", sunday)!.Start);
        Assert.Equal(new DateOnly(2023, 5, 6), RelativeDates.Find("this weekend", sunday)!.Start);
    }

    [Fact]
    public void Find_GroundsInTheObservationsOwnOffset()
    {
        // 01:00 on 8 May in Tokyo is still 7 May in UTC: "yesterday" is 7 May there, at Tokyo midnight.
        var tokyo = new DateTimeOffset(2023, 5, 8, 1, 0, 0, TimeSpan.FromHours(9));

        var date = RelativeDates.Find("yesterday", tokyo);

        Assert.NotNull(date);
        Assert.Equal(new DateOnly(2023, 5, 7), date.Start);
        Assert.Equal(new DateTimeOffset(2023, 5, 7, 0, 0, 0, TimeSpan.FromHours(9)), date.ValidFrom);
    }

    [Fact]
    public void FindAll_SeveralExpressions_ReturnsThemInTextOrder()
    {
        var dates = RelativeDates.FindAll("Last week I saw her, and yesterday I called; in 2019 we met.", Monday);

        Assert.Equal(["Last week", "yesterday", "in 2019"], dates.Select(d => d.Expression));
        Assert.Equal([new DateOnly(2023, 5, 1), new DateOnly(2023, 5, 7), new DateOnly(2019, 1, 1)], dates.Select(d => d.Start));
    }

    [Theory]
    [InlineData(DateGranularity.Day, "on 2023-05-07")]
    [InlineData(DateGranularity.Weekend, "on the weekend of 2023-05-07")]
    [InlineData(DateGranularity.Week, "in the week of 2023-05-07")]
    [InlineData(DateGranularity.Month, "in 2023-05")]
    [InlineData(DateGranularity.Year, "in 2023")]
    public void Phrase_Granularity_IsIsoInvariant(DateGranularity granularity, string phrase)
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            // A culture with other digits and date order must not leak into the phrase.
            CultureInfo.CurrentCulture = new CultureInfo("ar-SA");
            var date = new GroundedDate(new DateOnly(2023, 5, 7), granularity, new DateTimeOffset(2023, 5, 7, 0, 0, 0, TimeSpan.Zero), "x", 0, 1);

            Assert.Equal(phrase, date.Phrase);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Find_NullText_Throws()
    {
        Assert.Throws<ArgumentNullException>("text", () => RelativeDates.Find(null!, Monday));
    }
}
