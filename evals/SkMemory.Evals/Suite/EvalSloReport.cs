using System.Globalization;
using System.Text;

namespace SkMemory.Evals.Suite;

/// <summary>The objectives of an SLO file checked against one run: the CI gate's verdict.</summary>
/// <param name="Results">One result per objective, in file order.</param>
/// <param name="Source">The SLO file.</param>
/// <param name="Configuration">The run's configuration name.</param>
/// <param name="Backend">The run's backend.</param>
public sealed record EvalSloReport(IReadOnlyList<EvalObjectiveResult> Results, string Source, string Configuration, string Backend)
{
    /// <summary>Gets whether every objective was measured and met.</summary>
    public bool Passed => Results.All(r => r.Outcome == EvalObjectiveOutcome.Pass);

    /// <summary>Gets the objectives that were measured and missed.</summary>
    public IEnumerable<EvalObjectiveResult> Missed => Results.Where(r => r.Outcome == EvalObjectiveOutcome.Fail);

    /// <summary>Gets the objectives whose slice was not measured.</summary>
    public IEnumerable<EvalObjectiveResult> NotMeasured => Results.Where(r => r.Outcome == EvalObjectiveOutcome.NotMeasured);

    /// <summary>Formats the verdict as a plain-text table (objective, measured, target, samples, result) and a summary line.</summary>
    /// <returns>The table.</returns>
    public string ToTable()
    {
        var rows = Results.Select(r => (
            r.Objective.Name,
            Measured: r.Measured is { } m ? EvalReportFormat.Number(m) : "-",
            r.Objective.Target,
            Samples: r.Samples.ToString(CultureInfo.InvariantCulture),
            Result: Word(r.Outcome))).ToList();
        var nameWidth = Math.Max("objective".Length, rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"SLOs ({Source}) on {Configuration} / {Backend}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"objective".PadRight(nameWidth)}  {"measured",9}  {"target",12}  {"samples",7}  result");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{row.Name.PadRight(nameWidth)}  {row.Measured,9}  {row.Target,12}  {row.Samples,7}  {row.Result}");
        }

        text.AppendLine(Summary());
        return text.ToString();
    }

    /// <summary>Formats the verdict as a markdown table.</summary>
    /// <returns>The markdown.</returns>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("| objective | measured | target | samples | result |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var r in Results)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {EvalReportFormat.Cell(r.Objective.Name)} | {(r.Measured is { } m ? EvalReportFormat.Number(m) : "-")} | {EvalReportFormat.Cell(r.Objective.Target)} | {r.Samples} | {Word(r.Outcome)} |");
        }

        md.AppendLine();
        md.AppendLine(Summary());
        return md.ToString();
    }

    /// <summary>Gets the one-line verdict.</summary>
    /// <returns>The summary.</returns>
    public string Summary()
    {
        var passed = Results.Count(r => r.Outcome == EvalObjectiveOutcome.Pass);
        var missed = Missed.Count();
        var unmeasured = NotMeasured.ToList();
        var line = $"{passed}/{Results.Count} objectives met";
        if (missed > 0)
        {
            line += $", {missed} missed";
        }

        if (unmeasured.Count > 0)
        {
            line += $", {unmeasured.Count} not measured (no sample in the run for {string.Join("; ", unmeasured.Select(u => u.Objective.Name))}: check the agent, task and memory_type names against the report)";
        }

        return (Passed ? "PASS: " : "FAIL: ") + line;
    }

    private static string Word(EvalObjectiveOutcome outcome) =>
        outcome switch
        {
            EvalObjectiveOutcome.Pass => "pass",
            EvalObjectiveOutcome.Fail => "FAIL",
            _ => "NOT MEASURED",
        };
}
