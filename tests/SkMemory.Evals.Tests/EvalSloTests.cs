using SkMemory.Evals.Suite;
using SkMemory.Tests;
using Xunit;

namespace SkMemory.Evals.Tests;

/// <summary>Hand-built eval runs for the tests of SLOs, reports and comparisons (they need no store or dataset).</summary>
internal static class EvalTestRuns
{
    public static readonly DateTimeOffset Finished = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    public static EvalMeasurement M(string metric, double value, int samples = 10, string? agent = null, string? task = null, string? type = null) =>
        new() { Metric = metric, Value = value, Samples = samples, Agent = agent, Task = task, MemoryType = type };

    public static EvalRunResult Run(
        string configuration = "offline",
        string backend = "embedded (SQLite)",
        IReadOnlyList<EvalMeasurement>? measurements = null,
        IReadOnlyList<EvalQueryOutcome>? queries = null,
        IReadOnlyList<EvalMemoryState>? memories = null,
        string suite = "synthetic-v1 + hard-cases") =>
        new()
        {
            Suite = suite,
            Users = 3,
            Configuration = new EvalConfiguration(configuration, "rules", "all-MiniLM-L6-v2-q4"),
            Backend = backend,
            Measurements = measurements ?? Typical(),
            Queries = queries ?? [new("u1", "t1", ["m1", "m2"]), new("u2", "t2", ["m3"])],
            Memories = memories ?? [new("u1", "m1", true, "preference", "active"), new("u2", "m3", true, "identifier", "superseded")],
            Failures = [new(EvalMetrics.Recall, "u1", "checkout task t7 did not return m9 (Ana prefers aisle seats)")],
            Elapsed = TimeSpan.FromSeconds(12.34),
            FinishedAt = Finished,
        };

    public static List<EvalMeasurement> Typical() =>
    [
        M(EvalMetrics.Recall, 0.97, 200),
        M(EvalMetrics.Recall, 1, 40, task: "checkout", type: "preference"),
        M(EvalMetrics.Recall, 0.9, 50, type: "event"),
        M(EvalMetrics.Recall, 0.95, 80, task: "checkout"),
        M(EvalMetrics.Recall, 0.96, 100, agent: "shopper"),
        M(EvalMetrics.Precision, 0.61, 300),
        M(EvalMetrics.Forgetting, 0, 30),
        M(EvalMetrics.Contamination, 0.01, 100),
        M(EvalMetrics.Leakage, 0, 60),
        M(EvalMetrics.DeletionCompleteness, 1, 20),
        M(EvalMetrics.RedactionRecall, 1, 25),
        M(EvalMetrics.PoisoningInert, 1, 10),
    ];
}

public sealed class EvalSloTests
{
    private const string Slo = """
        {
          // comments are allowed: the measured value of each threshold is noted beside it
          "version": 1,
          "objectives": [
            { "metric": "recall", "task": "checkout", "memory_type": "preference", "min": 0.95, "measured": "1.0 offline/embedded" },
            { "metric": "forgetting", "max": 0 },
            { "metric": "contamination", "max": 0.02 },
            { "metric": "leakage", "max": 0 },
            { "metric": "precision", "min": 0.5, "max": 1 },
          ]
        }
        """;

    [Fact]
    public void Parse_ReadsObjectivesWithSlicesAndBounds()
    {
        var set = EvalSloSet.Parse(Slo, "slo.json");

        Assert.Equal(5, set.Objectives.Count);
        var recall = set.Objectives[0];
        Assert.Equal(("recall", "checkout", "preference", 0.95, (double?)null), (recall.Metric, recall.Task, recall.MemoryType, recall.Min!.Value, recall.Max));
        Assert.Equal("recall [task=checkout, type=preference]", recall.Name);
        Assert.Equal(">= 0.95", recall.Target);
        Assert.Equal("1.0 offline/embedded", recall.Measured);
        Assert.Equal("<= 0", set.Objectives[1].Target);
        Assert.Equal("<= 0.02", set.Objectives[2].Target);
        Assert.Equal("0.5..1", set.Objectives[4].Target);
    }

    [Fact]
    public void Check_AllMet_Passes()
    {
        var report = EvalSloSet.Parse(Slo, "slo.json").Check(EvalTestRuns.Run());

        Assert.True(report.Passed);
        Assert.All(report.Results, r => Assert.Equal(EvalObjectiveOutcome.Pass, r.Outcome));
        Assert.Equal(40, report.Results[0].Samples);
        Assert.StartsWith("PASS: 5/5 objectives met", report.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MissedObjective_FailsWithItsRowInTheTable()
    {
        var measurements = EvalTestRuns.Typical();
        measurements.RemoveAll(m => m.Metric == EvalMetrics.Contamination);
        measurements.Add(EvalTestRuns.M(EvalMetrics.Contamination, 0.05, 100));

        var report = EvalSloSet.Parse(Slo, "slo.json").Check(EvalTestRuns.Run(measurements: measurements));

        Assert.False(report.Passed);
        var missed = Assert.Single(report.Missed);
        Assert.Equal(("contamination", 0.05), (missed.Objective.Metric, missed.Measured!.Value));
        var table = report.ToTable();
        Assert.Matches(@"contamination\s+0\.05\s+<= 0\.02\s+100\s+FAIL", table);
        Assert.Matches(@"forgetting\s+0\s+<= 0\s+30\s+pass", table);
        Assert.Contains("FAIL: 4/5 objectives met, 1 missed", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SliceNotMeasured_FailsAndNamesTheSlice()
    {
        var set = EvalSloSet.Parse("""{"version":1,"objectives":[{"metric":"recall","task":"chekout","min":0.9},{"metric":"leakage","max":0}]}""", "slo.json");

        var report = set.Check(EvalTestRuns.Run());

        Assert.False(report.Passed);
        var unmeasured = Assert.Single(report.NotMeasured);
        Assert.Equal("recall [task=chekout]", unmeasured.Objective.Name);
        Assert.Null(unmeasured.Measured);
        Assert.Contains("NOT MEASURED", report.ToTable(), StringComparison.Ordinal);
        Assert.Contains("not measured (no sample in the run for recall [task=chekout]", report.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ZeroSamples_IsNotMeasured()
    {
        var measurements = EvalTestRuns.Typical();
        measurements.RemoveAll(m => m.Metric == EvalMetrics.Leakage);
        measurements.Add(EvalTestRuns.M(EvalMetrics.Leakage, 0, 0));

        var report = EvalSloSet.Parse("""{"version":1,"objectives":[{"metric":"leakage","max":0}]}""", "s").Check(EvalTestRuns.Run(measurements: measurements));

        Assert.Equal(EvalObjectiveOutcome.NotMeasured, Assert.Single(report.Results).Outcome);
    }

    [Theory]
    [InlineData("""{"version":1,"objectives":[{"metric":"recal","min":1}]}""", "objective 1: unknown metric \"recal\"")]
    [InlineData("""{"version":1,"objectives":[{"metric":"ranking_stability","min":1}]}""", "drift metrics compare two configurations")]
    [InlineData("""{"version":1,"objectives":[{"metric":"recall"}]}""", "objective 1 (recall): give \"min\", \"max\" or both")]
    [InlineData("""{"version":1,"objectives":[{"metric":"recall","min":0.9,"max":0.5}]}""", "\"min\" 0.9 is above \"max\" 0.5")]
    [InlineData("""{"version":1,"objectives":[{"metric":"recall","min":0.9},{"metric":"leakage","max":"0"}]}""", "objective 2: \"max\" must be a number")]
    [InlineData("""{"version":1,"objectives":[{"metric":"recall","min":0.9,"memory-type":"fact"}]}""", "unknown field \"memory-type\"")]
    [InlineData("""{"version":1,"objectives":[{"metric":"recall","task":"","min":0.9}]}""", "\"task\" must be a non-empty string")]
    [InlineData("""{"version":2,"objectives":[]}""", "\"version\" must be 1")]
    [InlineData("""{"version":1,"objectives":[]}""", "\"objectives\" is empty")]
    [InlineData("""{"version":1}""", "\"objectives\" must be an array")]
    [InlineData("""[1]""", "one JSON object")]
    [InlineData("""{"version":1,""", "not valid JSON")]
    [InlineData("""{"version":1,"objectives":[{"metric":"leakage","max":0},{"metric":"leakage","max":0}]}""", "leakage <= 0 appears twice")]
    public void Parse_BadFile_ThrowsNamingTheProblem(string json, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => EvalSloSet.Parse(json, "bad.json"));

        Assert.StartsWith("bad.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_Throws()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.json");

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => EvalSloSet.LoadAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_RepositorySloFile_ParsesAndEveryThresholdNotesItsMeasuredValue()
    {
        var path = Path.Combine(SkmemProcess.RepositoryRoot, "evals", "slo.json");

        var set = await EvalSloSet.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.NotEmpty(set.Objectives);
        Assert.All(set.Objectives, o => Assert.False(string.IsNullOrWhiteSpace(o.Measured), $"{o.Name} has no measured note"));
        foreach (var metric in new[] { EvalMetrics.Forgetting, EvalMetrics.Contamination, EvalMetrics.Leakage, EvalMetrics.RedactionRecall, EvalMetrics.DeletionCompleteness, EvalMetrics.PoisoningInert })
        {
            Assert.Contains(set.Objectives, o => o.Metric == metric);
        }
    }
}
