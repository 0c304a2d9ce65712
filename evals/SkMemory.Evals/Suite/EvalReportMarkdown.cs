using System.Globalization;
using System.Text;

namespace SkMemory.Evals.Suite;

/// <summary>The markdown form of an eval run (<c>eval-&lt;config&gt;-&lt;backend&gt;.md</c>): overall metrics, the SLO verdict, per memory type, task and agent, and example failures.</summary>
public static class EvalReportMarkdown
{
    /// <summary>Renders a run as markdown.</summary>
    /// <param name="run">The run.</param>
    /// <param name="slo">The SLO verdict, or null when not checked.</param>
    /// <param name="chartFiles">The metric charts to link (metric to file name, relative to the report), or null.</param>
    /// <returns>The markdown.</returns>
    public static string Render(EvalRunResult run, EvalSloReport? slo = null, IReadOnlyDictionary<string, string>? chartFiles = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Eval: {run.Configuration.Name} on {run.Backend}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- suite: `{run.Suite}`, {run.Users} synthetic users");
        md.AppendLine(CultureInfo.InvariantCulture, $"- configuration `{run.Configuration.Name}`: extractor `{run.Configuration.Extractor}`, embedder `{run.Configuration.Embedder}`{(run.Configuration.ChatModel is { } chat ? $", chat model `{chat}`" : string.Empty)}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- backend: {run.Backend}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- finished {run.FinishedAt.ToUniversalTime():yyyy-MM-dd HH:mm} UTC in {run.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        md.AppendLine();
        md.AppendLine("Metric definitions: [docs/evals.md](../../docs/evals.md).");
        md.AppendLine();
        if (slo is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## SLOs ({slo.Source})");
            md.AppendLine();
            md.Append(slo.ToMarkdown());
            md.AppendLine();
        }

        md.AppendLine("## Overall");
        md.AppendLine();
        md.AppendLine("| metric | value | samples | better |");
        md.AppendLine("|---|---|---|---|");
        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            if (run.Overall(metric) is not { } m)
            {
                continue;
            }

            var name = chartFiles is not null && chartFiles.TryGetValue(metric, out var chart) ? $"[{metric}]({chart})" : metric;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {EvalReportFormat.Number(Math.Round(m.Value, 4))} | {m.Samples} | {(EvalReportFormat.LowerIsBetter(metric) ? "lower" : "higher")} |");
        }

        Slices(md, run, "memory type", m => m.MemoryType is not null && m.Agent is null && m.Task is null, m => m.MemoryType!);
        Slices(md, run, "task", m => m.Task is not null && m.Agent is null && m.MemoryType is null, m => m.Task!);
        Slices(md, run, "agent", m => m.Agent is not null && m.Task is null && m.MemoryType is null, m => m.Agent!);
        Slices(md, run, "task and memory type", m => m.Task is not null && m.MemoryType is not null && m.Agent is null, m => $"{m.Task} / {m.MemoryType}");

        if (run.Failures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Failed expectations (examples)");
            md.AppendLine();
            md.AppendLine("| metric | user | detail |");
            md.AppendLine("|---|---|---|");
            foreach (var f in run.Failures.OrderBy(f => f.Metric, StringComparer.Ordinal).ThenBy(f => f.User, StringComparer.Ordinal).ThenBy(f => f.Detail, StringComparer.Ordinal))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Metric} | {EvalReportFormat.Cell(f.User)} | {EvalReportFormat.Cell(f.Detail)} |");
            }
        }

        return md.ToString();
    }

    /// <summary>One table per dimension: a row per slice, a column per metric measured on that dimension, each cell the value and its sample count.</summary>
    private static void Slices(StringBuilder md, EvalRunResult run, string dimension, Func<EvalMeasurement, bool> inSlice, Func<EvalMeasurement, string> key)
    {
        var measurements = run.Measurements.Where(inSlice).ToList();
        if (measurements.Count == 0)
        {
            return;
        }

        var metrics = EvalReportFormat.RunMetrics.Where(metric => measurements.Any(m => m.Metric == metric)).ToList();
        var rows = measurements.Select(key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## By {dimension}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Each cell: value (samples).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| {dimension} | {string.Join(" | ", metrics)} |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", metrics.Count)));
        foreach (var row in rows)
        {
            var cells = metrics.Select(metric => measurements.FirstOrDefault(m => m.Metric == metric && key(m) == row) is { } m
                ? $"{EvalReportFormat.Number(Math.Round(m.Value, 4))} ({m.Samples})"
                : "-");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {EvalReportFormat.Cell(row)} | {string.Join(" | ", cells)} |");
        }
    }
}
