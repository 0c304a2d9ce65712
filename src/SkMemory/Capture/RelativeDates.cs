using System.Globalization;
using System.Text.RegularExpressions;

namespace SkMemory.Capture;

/// <summary>
/// Grounds time expressions ("yesterday", "last week", "3 weeks ago", "last Friday", "May 7", "in 2019") against the time
/// a statement was observed, so an event carries the date it happened rather than the date it was mentioned.
/// </summary>
/// <remarks>
/// <para>
/// Dates are calendar dates in the observation's own UTC offset: "yesterday" said at 01:00+09:00 on 8 May is 7 May, and
/// <see cref="GroundedDate.ValidFrom"/> is midnight of the start date in that offset. Parsing uses the invariant culture
/// and English words only.
/// </para>
/// <para>The rules, so a grounded date can be explained:</para>
/// <list type="bullet">
/// <item><description>
/// Weeks start on Monday (ISO 8601). "last week" is the week before the observation's week and grounds to its Monday: on
/// Monday 2023-05-08, "last week" is the week of 2023-05-01; "this week" and "next week" are the observation's week and
/// the one after. "N weeks ago" is the week that holds the day N × 7 days before the observation.
/// </description></item>
/// <item><description>
/// Weekends are the Saturday and Sunday of an ISO week and ground to the Saturday: "last weekend" is the weekend of the
/// previous week, "this weekend" the one of the observation's week.
/// </description></item>
/// <item><description>
/// "last month" / "last year" ground to the first day of the previous calendar month or year; "N days ago" to that day.
/// </description></item>
/// <item><description>
/// "last Friday" is the latest Friday strictly before the observation date, "next Friday" the first one strictly after,
/// "this Friday" the Friday of the observation's week. A bare weekday ("on Saturday") is read as past (the latest one
/// strictly before) unless the text speaks of the future ("will", "going to", "I'm flying…", "next"), then as the first
/// one after. "every Saturday" and plurals ("on Sundays") are habits, not dates, and are not grounded.
/// </description></item>
/// <item><description>
/// A month and day without a year ("May 7") is the latest such date on or before the observation date, or the first on or
/// after it when the text speaks of the future; a month alone ("in March") likewise. "last May" is the latest May strictly
/// before the observation's month.
/// </description></item>
/// <item><description>Vague spans ("recently", "a few days ago", "lately") are not grounded.</description></item>
/// </list>
/// <para>This class is thread-safe.</para>
/// </remarks>
public static partial class RelativeDates
{
    private const string Months = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";
    private const string Weekdays = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
    // "Friday morning" is that Friday; "Friday mornings" (and "Fridays") is a habit, not a date.
    private const string PartOfDay = @"(?:\s+(?:morning|afternoon|evening|night))?(?!s\b|\s+(?:mornings|afternoons|evenings|nights)\b)";
    private const string Count = @"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?couple\s+of";

    /// <summary>Finds the first (leftmost) time expression in a text and grounds it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="observedAt">When the text was said or written.</param>
    /// <returns>The grounded date, or null when the text has no expression these rules ground.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static GroundedDate? Find(string text, DateTimeOffset observedAt)
    {
        var found = FindAll(text, observedAt);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>Finds and grounds every time expression in a text, left to right.</summary>
    /// <param name="text">The text.</param>
    /// <param name="observedAt">When the text was said or written.</param>
    /// <returns>The grounded dates, in text order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<GroundedDate> FindAll(string text, DateTimeOffset observedAt)
    {
        ArgumentNullException.ThrowIfNull(text);
        var today = DateOnly.FromDateTime(observedAt.DateTime);
        var future = FutureTense().IsMatch(text);
        var found = new List<GroundedDate>();
        foreach (Match match in Expression().Matches(text))
        {
            if (Ground(match, today, future) is var (start, granularity))
            {
                var validFrom = new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), observedAt.Offset);
                found.Add(new GroundedDate(start, granularity, validFrom, match.Value, match.Index, match.Length));
            }
        }

        return found;
    }

    private static (DateOnly Start, DateGranularity Granularity)? Ground(Match m, DateOnly today, bool future)
    {
        if (m.Groups["dby"].Success)
        {
            return (today.AddDays(-2), DateGranularity.Day);
        }

        if (m.Groups["yday"].Success)
        {
            return (today.AddDays(-1), DateGranularity.Day);
        }

        if (m.Groups["today"].Success)
        {
            return (today, DateGranularity.Day);
        }

        if (m.Groups["tmrw"].Success)
        {
            return (today.AddDays(1), DateGranularity.Day);
        }

        if (m.Groups["ago"].Success || m.Groups["in"].Success)
        {
            var sign = m.Groups["ago"].Success ? -1 : 1;
            var n = sign * ParseCount(m.Groups["n"].Value);
            return Unit(m.Groups["unit"].Value) switch
            {
                "day" => (today.AddDays(n), DateGranularity.Day),
                "week" => (Monday(today.AddDays(7 * n)), DateGranularity.Week),
                "month" => (FirstOfMonth(today.AddMonths(n)), DateGranularity.Month),
                _ => (new DateOnly(today.Year + n, 1, 1), DateGranularity.Year),
            };
        }

        if (m.Groups["rel"].Success)
        {
            var direction = Direction(m.Groups["rel"].Value);
            if (m.Groups["wkd"].Success)
            {
                var day = ParseWeekday(m.Groups["wkd"].Value);
                return direction switch
                {
                    < 0 => (Before(today, day), DateGranularity.Day),
                    > 0 => (After(today, day), DateGranularity.Day),
                    _ => (Monday(today).AddDays(IsoIndex(day)), DateGranularity.Day),
                };
            }

            if (m.Groups["relmonth"].Success)
            {
                var month = ParseMonth(m.Groups["relmonth"].Value);
                var thisYear = new DateOnly(today.Year, month, 1);
                var current = FirstOfMonth(today);
                return direction switch
                {
                    < 0 => (thisYear < current ? thisYear : thisYear.AddYears(-1), DateGranularity.Month),
                    > 0 => (thisYear > current ? thisYear : thisYear.AddYears(1), DateGranularity.Month),
                    _ => (thisYear, DateGranularity.Month),
                };
            }

            return Unit(m.Groups["period"].Value) switch
            {
                "weekend" => (Monday(today).AddDays((7 * direction) + 5), DateGranularity.Weekend),
                "week" => (Monday(today).AddDays(7 * direction), DateGranularity.Week),
                "month" => (FirstOfMonth(today).AddMonths(direction), DateGranularity.Month),
                _ => (new DateOnly(today.Year + direction, 1, 1), DateGranularity.Year),
            };
        }

        if (m.Groups["iso"].Success)
        {
            return Date(Int(m.Groups["iy"]), Int(m.Groups["im"]), Int(m.Groups["id"])) is { } iso ? (iso, DateGranularity.Day) : null;
        }

        if (m.Groups["md"].Success || m.Groups["dm"].Success)
        {
            var month = ParseMonth(m.Groups["mon"].Value);
            var day = Int(m.Groups["day"]);
            if (m.Groups["year"].Success)
            {
                return Date(Int(m.Groups["year"]), month, day) is { } dated ? (dated, DateGranularity.Day) : null;
            }

            if (Date(today.Year, month, day) is not { } date)
            {
                return null;
            }

            if (!future && date > today)
            {
                date = date.AddYears(-1);
            }
            else if (future && date < today)
            {
                date = date.AddYears(1);
            }

            return (date, DateGranularity.Day);
        }

        if (m.Groups["monyear"].Success)
        {
            var month = ParseMonth(m.Groups["mon"].Value);
            if (m.Groups["year"].Success)
            {
                return (new DateOnly(Int(m.Groups["year"]), month, 1), DateGranularity.Month);
            }

            var start = new DateOnly(today.Year, month, 1);
            var current = FirstOfMonth(today);
            if (!future && start > current)
            {
                start = start.AddYears(-1);
            }
            else if (future && start < current)
            {
                start = start.AddYears(1);
            }

            return (start, DateGranularity.Month);
        }

        if (m.Groups["yr"].Success)
        {
            return (new DateOnly(Int(m.Groups["year"]), 1, 1), DateGranularity.Year);
        }

        if (m.Groups["wd"].Success)
        {
            var day = ParseWeekday(m.Groups["wday"].Value);
            return (future ? After(today, day) : Before(today, day), DateGranularity.Day);
        }

        return null;
    }

    private static int Direction(string relation)
    {
        var word = relation.ToLowerInvariant();
        return word.Contains("last", StringComparison.Ordinal) || word.Contains("past", StringComparison.Ordinal) ? -1
            : word.Contains("next", StringComparison.Ordinal) || word.Contains("coming", StringComparison.Ordinal) ? 1
            : 0;
    }

    private static string Unit(string unit) => unit.ToLowerInvariant();

    private static int ParseCount(string count)
    {
        var word = MemoryWords.Collapse(count.ToLowerInvariant());
        return word switch
        {
            "a" or "an" or "one" => 1,
            "two" or "couple of" or "a couple of" => 2,
            "three" => 3,
            "four" => 4,
            "five" => 5,
            "six" => 6,
            "seven" => 7,
            "eight" => 8,
            "nine" => 9,
            "ten" => 10,
            "eleven" => 11,
            "twelve" => 12,
            _ => int.Parse(word, NumberStyles.None, CultureInfo.InvariantCulture),
        };
    }

    private static int ParseMonth(string month) => month.ToLowerInvariant()[..3] switch
    {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        _ => 12,
    };

    private static DayOfWeek ParseWeekday(string day) => Enum.Parse<DayOfWeek>(day, ignoreCase: true);

    /// <summary>Monday = 0 … Sunday = 6: the position of a day in an ISO week.</summary>
    private static int IsoIndex(DayOfWeek day) => ((int)day + 6) % 7;

    private static DateOnly Monday(DateOnly date) => date.AddDays(-IsoIndex(date.DayOfWeek));

    private static DateOnly FirstOfMonth(DateOnly date) => new(date.Year, date.Month, 1);

    /// <summary>The latest <paramref name="day"/> strictly before <paramref name="date"/>.</summary>
    private static DateOnly Before(DateOnly date, DayOfWeek day)
    {
        var back = ((int)date.DayOfWeek - (int)day + 7) % 7;
        return date.AddDays(back == 0 ? -7 : -back);
    }

    /// <summary>The first <paramref name="day"/> strictly after <paramref name="date"/>.</summary>
    private static DateOnly After(DateOnly date, DayOfWeek day)
    {
        var ahead = ((int)day - (int)date.DayOfWeek + 7) % 7;
        return date.AddDays(ahead == 0 ? 7 : ahead);
    }

    private static DateOnly? Date(int year, int month, int day) =>
        month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;

    private static int Int(Group group) => int.Parse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture);

    // One alternation, so matches never overlap and come out left to right. Group names say which rule grounds them;
    // "mon", "day" and "year" are shared by the branches that spell a calendar date.
    [GeneratedRegex(
        @"(?<![\w-])(?:"
        + @"(?<dby>the\s+day\s+before\s+yesterday)"
        + @"|(?<yday>yesterday(?:\s+(?:morning|afternoon|evening|night))?|last\s+night)"
        + @"|(?<today>today|tonight|this\s+(?:morning|afternoon|evening))"
        + @"|(?<tmrw>tomorrow(?:\s+(?:morning|afternoon|evening|night))?)"
        + @"|(?<ago>(?<n>" + Count + @")\s+(?<unit>day|week|month|year)s?\s+ago)"
        + @"|(?<in>in\s+(?<n>" + Count + @")\s+(?<unit>day|week|month|year)s?(?:['’]?\s+time)?)"
        + @"|(?:(?:on|in)\s+)?(?<rel>last|this|next|(?:this\s+)?past|(?:this\s+)?coming)\s+(?:(?<wkd>" + Weekdays + @")" + PartOfDay + @"|(?<period>weekend|week|month|year)|(?<relmonth>" + Months + @")\b)"
        + @"|(?:on\s+)?(?<iso>(?<iy>(?:19|20)\d{2})-(?<im>[01]\d)-(?<id>[0-3]\d))"
        + @"|(?:on\s+)?(?<md>(?<mon>" + Months + @")\.?\s+(?<day>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?<year>(?:19|20)\d{2}))?)(?![\w:-]|\s*(?:am|pm)\b)"
        + @"|(?:on\s+)?(?<dm>(?:the\s+)?(?<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?<mon>" + Months + @")\b\.?(?:,?\s+(?<year>(?:19|20)\d{2}))?)"
        + @"|(?<monyear>(?:(?:in|during|since|around|by|until|early|late|mid|back\s+in)\s+)?(?<mon>" + Months + @")\.?,?\s+(?:of\s+)?(?<year>(?:19|20)\d{2}))"
        + @"|(?<monyear>(?:in|during|since|around|by|until|early|late|mid|back\s+in)\s+(?:(?:early|late|mid)[\s-])?(?<mon>" + Months + @")\b)"
        + @"|(?<yr>(?:in|during|since|around|by|from|until|back\s+in)\s+(?:(?:early|late|mid)[\s-])?(?<year>(?:19|20)\d{2}))"
        + @"|(?<!\bevery\s+)(?<wd>(?:on\s+)?(?<wday>" + Weekdays + @")" + PartOfDay + @")"
        + @")(?![\w-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Expression();

    // Words that make a bare weekday or month point forward: "I'm flying to Paris on Friday" is next Friday.
    [GeneratedRegex(
        @"\b(?:will|won['’]t|going\s+to|gonna|plan(?:ning)?\s+to|next|tomorrow|upcoming|coming\s+up|can['’]t\s+wait|looking\s+forward|hope\s+to|(?:i['’]m|i\s+am|we['’]re|we\s+are)\s+\w+ing\s+(?:on|this|to|in))\b|['’]ll\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FutureTense();
}

/// <summary>How precise a grounded date is.</summary>
public enum DateGranularity
{
    /// <summary>A calendar day ("yesterday", "last Friday", "May 7").</summary>
    Day,

    /// <summary>A Saturday-and-Sunday weekend ("last weekend"); the start is the Saturday.</summary>
    Weekend,

    /// <summary>An ISO week, Monday to Sunday ("last week", "3 weeks ago"); the start is the Monday.</summary>
    Week,

    /// <summary>A calendar month ("last month", "in March"); the start is the first.</summary>
    Month,

    /// <summary>A calendar year ("last year", "in 2019"); the start is 1 January.</summary>
    Year,
}

/// <summary>A time expression found in a text and the date it stands for.</summary>
/// <param name="Start">The first day of the period the expression names.</param>
/// <param name="Granularity">How long that period is.</param>
/// <param name="ValidFrom">Midnight of <paramref name="Start"/> in the observation's UTC offset.</param>
/// <param name="Expression">The expression as written ("last week", "on Saturday").</param>
/// <param name="Index">Where the expression starts in the text.</param>
/// <param name="Length">The expression's length.</param>
public sealed record GroundedDate(DateOnly Start, DateGranularity Granularity, DateTimeOffset ValidFrom, string Expression, int Index, int Length)
{
    /// <summary>
    /// Gets the date as an ISO phrase to append to a memory's text: <c>on 2023-05-07</c>, <c>on the weekend of 2023-05-06</c>,
    /// <c>in the week of 2023-05-01</c>, <c>in 2023-04</c> or <c>in 2019</c>.
    /// </summary>
    public string Phrase => Granularity switch
    {
        DateGranularity.Day => "on " + Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateGranularity.Weekend => "on the weekend of " + Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateGranularity.Week => "in the week of " + Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateGranularity.Month => "in " + Start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => "in " + Start.ToString("yyyy", CultureInfo.InvariantCulture),
    };
}
