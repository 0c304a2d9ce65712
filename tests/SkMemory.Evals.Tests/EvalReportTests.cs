using System.Xml.Linq;
using SkMemory.Evals.Suite;
using Xunit;

namespace SkMemory.Evals.Tests;

public sealed class EvalReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("skmem-eval-report-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Json_RoundTrips_AndHoldsOverallAndSlo()
    {
        var run = EvalTestRuns.Run();
        var slo = EvalSloSet.Parse("""{"version":1,"objectives":[{"metric":"leakage","max":0}]}""", "slo.json").Check(run);

        var json = EvalReportJson.Render(run, slo);
        var back = EvalReportJson.Read(json, "report.json");

        Assert.Contains("\"format\": \"skmemory-eval-run\"", json, StringComparison.Ordinal);
        Assert.Contains("\"passed\": true", json, StringComparison.Ordinal);
        Assert.Contains("\"finished_at\": \"2026-11-25T02:00:00Z\"", json, StringComparison.Ordinal);
        Assert.Equal(run.Suite, back.Suite);
        Assert.Equal(run.Configuration, back.Configuration);
        Assert.Equal(run.Backend, back.Backend);
        Assert.Equal(run.FinishedAt, back.FinishedAt);
        Assert.Equal(run.Measurements.Count, back.Measurements.Count);
        Assert.Equal(0.97, back.Overall(EvalMetrics.Recall)!.Value);
        Assert.Equal(["m1", "m2"], back.Queries[0].Returned);
        Assert.Equal(run.Memories, back.Memories);
        Assert.Equal(run.Failures, back.Failures);
    }

    [Fact]
    public void Json_NotAReport_ThrowsFormatException()
    {
        Assert.Contains("not an eval run report", Assert.Throws<FormatException>(() => EvalReportJson.Read("""{"format":"x"}""", "a.json")).Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Assert.Throws<FormatException>(() => EvalReportJson.Read("{", "a.json")).Message, StringComparison.Ordinal);
        Assert.Contains("not a readable eval run report", Assert.Throws<FormatException>(() => EvalReportJson.Read("""{"format":"skmemory-eval-run"}""", "a.json")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_HasOverallAndSliceTables()
    {
        var md = EvalReportMarkdown.Render(EvalTestRuns.Run(), chartFiles: new Dictionary<string, string> { [EvalMetrics.Recall] = "eval-chart-recall.svg" });

        Assert.StartsWith("# Eval: offline on embedded (SQLite)", md, StringComparison.Ordinal);
        Assert.Contains("| [recall](eval-chart-recall.svg) | 0.97 | 200 | higher |", md, StringComparison.Ordinal);
        Assert.Contains("| contamination | 0.01 | 100 | lower |", md, StringComparison.Ordinal);
        Assert.Contains("## By memory type", md, StringComparison.Ordinal);
        Assert.Contains("| event | 0.9 (50) |", md, StringComparison.Ordinal);
        Assert.Contains("| checkout / preference | 1 (40) |", md, StringComparison.Ordinal);
        Assert.Contains("| shopper | 0.96 (100) |", md, StringComparison.Ordinal);
        Assert.Contains("did not return m9", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_IsWellFormedWithAxisLabelsAndValues()
    {
        var svg = EvalSvgChart.Render(EvalMetrics.Recall, [new("offline / embedded (SQLite)", 0.97), new("offline / postgres", 0.5)], "suite s");

        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var rects = doc.Descendants(ns + "rect").Where(r => r.Attribute("height")?.Value == "22").ToList();
        Assert.Equal(2, rects.Count);
        Assert.Equal("368.6", rects[0].Attribute("width")!.Value); // 0.97 of 380 px
        Assert.Equal("190", rects[1].Attribute("width")!.Value);
        var texts = doc.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("recall (higher is better)", texts);
        Assert.Contains("recall (fraction)", texts);
        Assert.Contains("0.97", texts);
        Assert.Contains("offline / embedded (SQLite)", texts);
        Assert.Contains("0.2", texts); // a tick of the 0..1 axis
    }

    [Fact]
    public void Svg_CountMetric_ScalesToTheLargestValueAndEscapesLabels()
    {
        var svg = EvalSvgChart.Render(EvalMetrics.Forgetting, [new("a <b> & c", 3), new("d", 0)]);

        var doc = XDocument.Parse(svg);
        var texts = doc.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value).ToList();
        Assert.Contains("a <b> & c", texts);
        Assert.Contains("5", texts); // the axis rounds 3 up to 5
        Assert.Contains("forgetting (lower is better)", texts);
        Assert.Throws<ArgumentException>(() => EvalSvgChart.Render(EvalMetrics.Recall, []));
        Assert.Throws<ArgumentException>(() => EvalSvgChart.Render(EvalMetrics.Recall, [new("x", double.NaN)]));
    }

    [Fact]
    public async Task WriteAsync_WritesReportsAndOneChartPerMetricAcrossBackends_Deterministically()
    {
        var embedded = EvalTestRuns.Run();
        var postgres = EvalTestRuns.Run(backend: "postgres");
        await EvalReportWriter.WriteAsync(_folder, [embedded], cancellationToken: Ct);
        var written = await EvalReportWriter.WriteAsync(_folder, [postgres], cancellationToken: Ct);

        var names = written.Select(Path.GetFileName).ToList();
        Assert.Contains("eval-offline-postgres.json", names);
        Assert.Contains("eval-offline-postgres.md", names);
        Assert.True(File.Exists(Path.Combine(_folder, "eval-offline-embedded-sqlite.md")));
        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            Assert.Contains(EvalReportWriter.ChartName(metric), names);
        }

        // The chart has a bar for both reports in the folder.
        var chart = await File.ReadAllTextAsync(Path.Combine(_folder, "eval-chart-recall.svg"), Ct);
        Assert.Contains("offline / embedded (SQLite)", chart, StringComparison.Ordinal);
        Assert.Contains("offline / postgres", chart, StringComparison.Ordinal);

        // The same runs write the same bytes.
        var before = Directory.GetFiles(_folder).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        await EvalReportWriter.WriteAsync(_folder, [postgres], cancellationToken: Ct);
        var after = Directory.GetFiles(_folder).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task WriteAsync_OtherSuiteInTheFolder_GetsNoBar()
    {
        await EvalReportWriter.WriteAsync(_folder, [EvalTestRuns.Run(configuration: "old", suite: "another")], cancellationToken: Ct);
        await File.WriteAllTextAsync(Path.Combine(_folder, "eval-notes.json"), "{}", Ct);

        await EvalReportWriter.WriteAsync(_folder, [EvalTestRuns.Run()], cancellationToken: Ct);

        var chart = await File.ReadAllTextAsync(Path.Combine(_folder, "eval-chart-recall.svg"), Ct);
        Assert.DoesNotContain("old /", chart, StringComparison.Ordinal);
        Assert.Contains("offline / embedded (SQLite)", chart, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embedded (SQLite)", "embedded-sqlite")]
    [InlineData("mem0 emulator (platform)", "mem0-emulator-platform")]
    [InlineData("chat:gpt-4o-mini", "chat-gpt-4o-mini")]
    [InlineData("  ", "unnamed")]
    public void Slug_MakesFileNameParts(string name, string expected) => Assert.Equal(expected, EvalReportFormat.Slug(name));
}
