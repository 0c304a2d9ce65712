using System.Globalization;
using System.Text;

namespace SkMemory.Evals.Suite;

/// <summary>A configuration of a multi-configuration run that did not run, and why (e.g. its endpoint is not configured).</summary>
/// <param name="Name">The configuration's name.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record EvalSkippedConfiguration(string Name, string Reason);

/// <summary>One configuration compared with the baseline (the first configuration).</summary>
/// <param name="Run">The configuration's run.</param>
/// <param name="RankingStability">The mean Jaccard overlap of each task's returned memories with the baseline's (1 = same sets).</param>
/// <param name="RankingSamples">How many tasks both runs answered.</param>
/// <param name="MemoryStability">The fraction of expected memories with the same found/type/status as in the baseline.</param>
/// <param name="MemorySamples">How many expected memories both runs report.</param>
public sealed record EvalDrift(EvalRunResult Run, double RankingStability, int RankingSamples, double MemoryStability, int MemorySamples);

/// <summary>
/// The same suite run under several configurations: the side-by-side table, each metric's delta against the first
/// configuration (the baseline), and drift (ranking and memory stability) between the baseline and each other one.
/// </summary>
public sealed record EvalComparison
{
    /// <summary>Gets the baseline run (the first configuration).</summary>
    public required EvalRunResult Baseline { get; init; }

    /// <summary>Gets every other configuration's run with its drift from the baseline.</summary>
    public required IReadOnlyList<EvalDrift> Others { get; init; }

    /// <summary>Gets the configurations that did not run, with the reason.</summary>
    public IReadOnlyList<EvalSkippedConfiguration> Skipped { get; init; } = [];

    /// <summary>Gets every run, baseline first.</summary>
    public IEnumerable<EvalRunResult> Runs => Others.Select(o => o.Run).Prepend(Baseline);

    /// <summary>Compares runs of the same suite.</summary>
    /// <param name="runs">The runs; the first is the baseline.</param>
    /// <param name="skipped">Configurations that did not run.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentException">There is no run, or the runs are of different suites.</exception>
    public static EvalComparison Create(IReadOnlyList<EvalRunResult> runs, IReadOnlyList<EvalSkippedConfiguration>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            throw new ArgumentException("A comparison needs at least one run (every configuration was skipped).", nameof(runs));
        }

        var baseline = runs[0];
        if (runs.FirstOrDefault(r => r.Suite != baseline.Suite) is { } other)
        {
            throw new ArgumentException($"The runs are of different suites ('{baseline.Suite}' and '{other.Suite}'); drift compares the same suite.", nameof(runs));
        }

        var others = new List<EvalDrift>();
        foreach (var run in runs.Skip(1))
        {
            var (ranking, rankingSamples) = RankingStability(baseline, run);
            var (memory, memorySamples) = MemoryStability(baseline, run);
            others.Add(new EvalDrift(run, ranking, rankingSamples, memory, memorySamples));
        }

        return new EvalComparison { Baseline = baseline, Others = others, Skipped = skipped ?? [] };
    }

    /// <summary>
    /// How much each task's ranking stays the same when the configuration changes: per task both runs answered, the Jaccard
    /// overlap of the two top-k lists averaged over every depth k from 1 to the longer list (so a reordering counts, not
    /// only a different set; a task where both returned nothing counts as 1), then the mean over tasks.
    /// </summary>
    /// <param name="baseline">The baseline run.</param>
    /// <param name="other">The other run.</param>
    /// <returns>The mean overlap (1 when no task is shared, with 0 samples) and the number of tasks compared.</returns>
    public static (double Value, int Samples) RankingStability(EvalRunResult baseline, EvalRunResult other)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(other);
        var theirs = new Dictionary<(string, string), IReadOnlyList<string>>();
        foreach (var query in other.Queries)
        {
            theirs[(query.User, query.Task)] = query.Returned;
        }

        var sum = 0.0;
        var samples = 0;
        foreach (var query in baseline.Queries)
        {
            if (!theirs.TryGetValue((query.User, query.Task), out var returned))
            {
                continue;
            }

            sum += AverageOverlap(query.Returned, returned);
            samples++;
        }

        return samples == 0 ? (1, 0) : (sum / samples, samples);
    }

    /// <summary>The fraction of expected memories both runs report whose end state (found, type, status) is the same.</summary>
    /// <param name="baseline">The baseline run.</param>
    /// <param name="other">The other run.</param>
    /// <returns>The fraction (1 when none is shared, with 0 samples) and the number of memories compared.</returns>
    public static (double Value, int Samples) MemoryStability(EvalRunResult baseline, EvalRunResult other)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(other);
        var theirs = new Dictionary<(string, string), EvalMemoryState>();
        foreach (var memory in other.Memories)
        {
            theirs[(memory.User, memory.Expected)] = memory;
        }

        var same = 0;
        var samples = 0;
        foreach (var memory in baseline.Memories)
        {
            if (!theirs.TryGetValue((memory.User, memory.Expected), out var state))
            {
                continue;
            }

            samples++;
            if (state.Found == memory.Found && state.Type == memory.Type && state.Status == memory.Status)
            {
                same++;
            }
        }

        return samples == 0 ? (1, 0) : ((double)same / samples, samples);
    }

    /// <summary>Formats the side-by-side table: one row per metric, one column per configuration with its delta against the baseline; then drift and skipped configurations.</summary>
    /// <returns>The plain-text table.</returns>
    public string ToTable()
    {
        var runs = Runs.ToList();
        var header = new List<string> { "metric" };
        header.AddRange(runs.Select((r, i) => i == 0 ? $"{r.Configuration.Name} (baseline)" : r.Configuration.Name));
        var rows = new List<List<string>> { header };
        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            var row = new List<string> { metric };
            var baseValue = Baseline.Overall(metric)?.Value;
            foreach (var run in runs)
            {
                row.Add(Cell(run, metric, baseValue, ReferenceEquals(run, Baseline)));
            }

            rows.Add(row);
        }

        rows.Add([EvalMetrics.RankingStability, "1", .. Others.Select(o => EvalReportFormat.Number(Math.Round(o.RankingStability, 4)))]);
        rows.Add([EvalMetrics.MemoryStability, "1", .. Others.Select(o => EvalReportFormat.Number(Math.Round(o.MemoryStability, 4)))]);
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"suite {Baseline.Suite} ({Baseline.Users} users) on {Baseline.Backend}; deltas against {Baseline.Configuration.Name}");
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }

        foreach (var run in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{run.Configuration.Name}: extractor {run.Configuration.Extractor}, embedder {run.Configuration.Embedder}{(run.Configuration.ChatModel is { } chat ? ", chat model " + chat : string.Empty)}");
        }

        foreach (var skipped in Skipped)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"skipped {skipped.Name}: {skipped.Reason}");
        }

        return text.ToString();
    }

    /// <summary>Formats the comparison report as markdown.</summary>
    /// <param name="chartFiles">The metric charts to link, metric to file name, or null.</param>
    /// <returns>The markdown.</returns>
    public string ToMarkdown(IReadOnlyDictionary<string, string>? chartFiles = null)
    {
        var runs = Runs.ToList();
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Eval comparison: {Baseline.Suite} on {Baseline.Backend}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{Baseline.Users} synthetic users, {runs.Count} configurations, the same suite; each cell is the overall value, with its delta against the baseline `{Baseline.Configuration.Name}` in brackets.");
        md.AppendLine("Drift: `ranking_stability` is the mean over tasks of the Jaccard overlap of the returned memories' top-k lists with the baseline's, averaged over every depth k (order counts); `memory_stability` is the fraction of expected memories with the same found/type/status as in the baseline.");
        md.AppendLine();
        md.AppendLine("| configuration | extractor | embedder | chat model | elapsed s |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var run in runs)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {EvalReportFormat.Cell(run.Configuration.Name)} | {EvalReportFormat.Cell(run.Configuration.Extractor)} | {EvalReportFormat.Cell(run.Configuration.Embedder)} | {EvalReportFormat.Cell(run.Configuration.ChatModel ?? "-")} | {run.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} |");
        }

        md.AppendLine();
        md.Append("| metric |");
        foreach (var run in runs)
        {
            md.Append(CultureInfo.InvariantCulture, $" {EvalReportFormat.Cell(run.Configuration.Name)} |");
        }

        md.AppendLine();
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", runs.Count)));
        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            var baseValue = Baseline.Overall(metric)?.Value;
            var name = chartFiles is not null && chartFiles.TryGetValue(metric, out var chart) ? $"[{metric}]({chart})" : metric;
            md.Append(CultureInfo.InvariantCulture, $"| {name} |");
            foreach (var run in runs)
            {
                md.Append(CultureInfo.InvariantCulture, $" {Cell(run, metric, baseValue, ReferenceEquals(run, Baseline))} |");
            }

            md.AppendLine();
        }

        md.Append(CultureInfo.InvariantCulture, $"| {EvalMetrics.RankingStability} | 1 (baseline) |");
        foreach (var other in Others)
        {
            md.Append(CultureInfo.InvariantCulture, $" {EvalReportFormat.Number(Math.Round(other.RankingStability, 4))} ({other.RankingSamples} tasks) |");
        }

        md.AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"| {EvalMetrics.MemoryStability} | 1 (baseline) |");
        foreach (var other in Others)
        {
            md.Append(CultureInfo.InvariantCulture, $" {EvalReportFormat.Number(Math.Round(other.MemoryStability, 4))} ({other.MemorySamples} memories) |");
        }

        md.AppendLine();
        if (Skipped.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Skipped configurations:");
            md.AppendLine();
            foreach (var skipped in Skipped)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- `{skipped.Name}`: {skipped.Reason}");
            }
        }

        return md.ToString();
    }

    /// <summary>The Jaccard overlap of the top-k prefixes of two rankings, averaged over k = 1..the longer length; 1 for two empty rankings.</summary>
    private static double AverageOverlap(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var depth = Math.Max(a.Count, b.Count);
        if (depth == 0)
        {
            return 1;
        }

        var left = new HashSet<string>(StringComparer.Ordinal);
        var right = new HashSet<string>(StringComparer.Ordinal);
        var shared = 0;
        var sum = 0.0;
        for (var k = 0; k < depth; k++)
        {
            if (k < a.Count && left.Add(a[k]) && right.Contains(a[k]))
            {
                shared++;
            }

            if (k < b.Count && right.Add(b[k]) && left.Contains(b[k]))
            {
                shared++;
            }

            var union = left.Count + right.Count - shared;
            sum += union == 0 ? 1 : (double)shared / union;
        }

        return sum / depth;
    }

    private static string Cell(EvalRunResult run, string metric, double? baseValue, bool isBaseline)
    {
        if (run.Overall(metric) is not { } measured)
        {
            return "-";
        }

        var value = EvalReportFormat.Number(Math.Round(measured.Value, 4));
        return isBaseline || baseValue is not { } b ? value : $"{value} ({EvalReportFormat.Delta(measured.Value - b)})";
    }
}
