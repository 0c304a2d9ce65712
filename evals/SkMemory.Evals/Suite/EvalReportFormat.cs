using System.Globalization;
using System.Text;

namespace SkMemory.Evals.Suite;

/// <summary>Number and text formatting shared by the eval reports: invariant culture, at most four decimals.</summary>
public static class EvalReportFormat
{
    /// <summary>Formats a number with at most four decimals, invariant culture.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Formats a signed difference with at most four decimals (<c>+0.02</c>, <c>-0.1</c>, <c>0</c>).</summary>
    /// <param name="value">The difference.</param>
    /// <returns>The text.</returns>
    public static string Delta(double value)
    {
        var rounded = Math.Round(value, 4);
        return rounded > 0 ? "+" + Number(rounded) : Number(rounded == 0 ? 0 : rounded);
    }

    /// <summary>Escapes text for a markdown table cell.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The escaped text.</returns>
    public static string Cell(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
    }

    /// <summary>Turns a name into a file-name part: lower case letters, digits and single dashes (<c>embedded (SQLite)</c> becomes <c>embedded-sqlite</c>).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The slug, or <c>unnamed</c>.</returns>
    public static string Slug(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slug = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '.')
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var text = slug.ToString().Trim('-', '.');
        return text.Length == 0 ? "unnamed" : text;
    }

    /// <summary>Gets whether lower values of a metric are better (forgetting, contamination, leakage).</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>True when lower is better.</returns>
    public static bool LowerIsBetter(string metric) => metric is EvalMetrics.Forgetting or EvalMetrics.Contamination or EvalMetrics.Leakage;

    /// <summary>Gets whether a metric is a fraction in [0, 1] (every metric but forgetting, a count of queries).</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>True for fractions.</returns>
    public static bool IsFraction(string metric) => metric != EvalMetrics.Forgetting;

    /// <summary>Gets the single-run metrics in report order.</summary>
    public static IReadOnlyList<string> RunMetrics { get; } =
    [
        EvalMetrics.Recall, EvalMetrics.Precision, EvalMetrics.Forgetting, EvalMetrics.Contamination, EvalMetrics.Leakage,
        EvalMetrics.DeletionCompleteness, EvalMetrics.RedactionRecall, EvalMetrics.PoisoningInert,
    ];
}
