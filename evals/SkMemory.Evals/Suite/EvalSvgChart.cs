using System.Globalization;
using System.Security;
using System.Text;

namespace SkMemory.Evals.Suite;

/// <summary>One bar of a chart: a label (configuration / backend) and its value.</summary>
/// <param name="Label">The bar's label.</param>
/// <param name="Value">The value.</param>
public sealed record EvalChartBar(string Label, double Value);

/// <summary>
/// Draws one metric as a hand-written SVG bar chart: one horizontal bar per configuration and backend, the value printed at
/// the end of each bar, a labelled value axis with gridlines. No script, no external font or service; the same input gives
/// the same bytes.
/// </summary>
public static class EvalSvgChart
{
    private const int Width = 720;
    private const int LabelWidth = 260;
    private const int PlotWidth = 380;
    private const int BarHeight = 22;
    private const int BarGap = 10;
    private const int Top = 64;
    private const int AxisSpace = 46;

    /// <summary>Renders the chart of one metric.</summary>
    /// <param name="metric">The metric (<see cref="EvalMetrics"/>), shown in the title; fractions get a 0..1 axis.</param>
    /// <param name="bars">The bars, top to bottom.</param>
    /// <param name="subtitle">A second title line (the suite), or null.</param>
    /// <returns>The SVG document.</returns>
    /// <exception cref="ArgumentException">There are no bars, or a value is not a finite number.</exception>
    public static string Render(string metric, IReadOnlyList<EvalChartBar> bars, string? subtitle = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentNullException.ThrowIfNull(bars);
        if (bars.Count == 0)
        {
            throw new ArgumentException("A chart needs at least one bar.", nameof(bars));
        }

        if (bars.FirstOrDefault(b => !double.IsFinite(b.Value)) is { } bad)
        {
            throw new ArgumentException($"The bar '{bad.Label}' has no finite value.", nameof(bars));
        }

        var fraction = EvalReportFormat.IsFraction(metric);
        var axisMax = fraction ? 1.0 : NiceCeiling(Math.Max(1, bars.Max(b => b.Value)));
        var plotHeight = bars.Count * (BarHeight + BarGap) - BarGap;
        var height = Top + plotHeight + AxisSpace;
        var direction = EvalReportFormat.LowerIsBetter(metric) ? "lower is better" : "higher is better";
        var unit = fraction ? "fraction" : "queries";

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{Escape(metric)} by configuration and backend\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <title>{Escape(metric)} ({direction})</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <rect width=\"{Width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"12\" y=\"20\" font-size=\"15\" font-weight=\"bold\">{Escape(metric)} ({direction})</text>\n");
        if (subtitle is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"12\" y=\"36\" fill=\"#555555\">{Escape(subtitle)}</text>\n");
        }

        // Gridlines and ticks: five steps across the value axis.
        const int Steps = 5;
        for (var i = 0; i <= Steps; i++)
        {
            var value = axisMax * i / Steps;
            var x = LabelWidth + PlotWidth * i / Steps;
            svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{x}\" y1=\"{Top - 4}\" x2=\"{x}\" y2=\"{Top + plotHeight}\" stroke=\"#dddddd\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{x}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\" fill=\"#333333\">{EvalReportFormat.Number(Math.Round(value, 4))}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{LabelWidth}\" y1=\"{Top + plotHeight}\" x2=\"{LabelWidth + PlotWidth}\" y2=\"{Top + plotHeight}\" stroke=\"#333333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{LabelWidth + PlotWidth / 2}\" y=\"{Top + plotHeight + 36}\" text-anchor=\"middle\" fill=\"#333333\">{Escape(metric)} ({unit})</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{LabelWidth - 8}\" y=\"{Top - 8}\" text-anchor=\"end\" fill=\"#333333\">configuration / backend</text>\n");

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = Top + i * (BarHeight + BarGap);
            var length = Math.Clamp(bar.Value / axisMax, 0, 1) * PlotWidth;
            var color = i == 0 ? "#3b6ea5" : "#6d9ccf";
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{LabelWidth - 8}\" y=\"{y + BarHeight / 2 + 4}\" text-anchor=\"end\">{Escape(Shorten(bar.Label, 40))}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"  <rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{length.ToString("0.##", CultureInfo.InvariantCulture)}\" height=\"{BarHeight}\" fill=\"{color}\"><title>{Escape(bar.Label)}: {EvalReportFormat.Number(bar.Value)}</title></rect>\n");
            var valueX = (LabelWidth + length + 6).ToString("0.##", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{valueX}\" y=\"{y + BarHeight / 2 + 4}\" font-weight=\"bold\">{EvalReportFormat.Number(bar.Value)}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
