namespace SkMemory.Evals.Suite;

/// <summary>
/// Writes eval reports into a folder: per run <c>eval-&lt;config&gt;-&lt;backend&gt;.md</c> and <c>.json</c>; one SVG
/// chart per metric (<c>eval-chart-&lt;metric&gt;.svg</c>) with a bar for every run of the same suite whose JSON report is in
/// the folder (so running the embedded, Postgres and Mem0 legs one after another charts all three); and, for a
/// multi-configuration run, <c>eval-comparison-&lt;backend&gt;.md</c> and <c>.json</c>.
/// </summary>
public static class EvalReportWriter
{
    /// <summary>The file-name prefix of every eval report.</summary>
    public const string Prefix = "eval-";

    private const string ChartPrefix = "eval-chart-";
    private const string ComparisonPrefix = "eval-comparison-";

    /// <summary>Gets the base file name (no extension) of a run's report.</summary>
    /// <param name="run">The run.</param>
    /// <returns>For example <c>eval-offline-embedded-sqlite</c>.</returns>
    public static string BaseName(EvalRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return $"{Prefix}{EvalReportFormat.Slug(run.Configuration.Name)}-{EvalReportFormat.Slug(run.Backend)}";
    }

    /// <summary>Gets the file name of a metric's chart.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>For example <c>eval-chart-recall.svg</c>.</returns>
    public static string ChartName(string metric) => $"{ChartPrefix}{EvalReportFormat.Slug(metric)}.svg";

    /// <summary>Writes the reports of one or more runs (and their comparison) into a folder, creating it when missing.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="runs">The runs.</param>
    /// <param name="slo">Each run's SLO verdict, by run, or null.</param>
    /// <param name="comparison">The comparison of the runs, or null for a single-configuration run.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The paths written, in writing order.</returns>
    public static async Task<IReadOnlyList<string>> WriteAsync(
        string folder,
        IReadOnlyList<EvalRunResult> runs,
        IReadOnlyDictionary<EvalRunResult, EvalSloReport>? slo = null,
        EvalComparison? comparison = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            throw new ArgumentException("There is no run to report.", nameof(runs));
        }

        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var charts = EvalReportFormat.RunMetrics.ToDictionary(m => m, ChartName, StringComparer.Ordinal);
        var justWritten = new Dictionary<string, EvalRunResult>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var verdict = slo is not null && slo.TryGetValue(run, out var v) ? v : null;
            var name = BaseName(run);
            await WriteFileAsync(Path.Combine(folder, name + ".json"), EvalReportJson.Render(run, verdict), written, cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(Path.Combine(folder, name + ".md"), EvalReportMarkdown.Render(run, verdict, charts), written, cancellationToken).ConfigureAwait(false);
            justWritten[name + ".json"] = run;
        }

        // Every run of the same suite reported in this folder gets a bar, in file-name order: the ones just written from
        // memory, the others read back from their reports.
        var suite = runs[0].Suite;
        var reported = new List<EvalRunResult>();
        foreach (var file in Directory.EnumerateFiles(folder, Prefix + "*.json").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(file);
            if (fileName.StartsWith(ChartPrefix, StringComparison.Ordinal) || fileName.StartsWith(ComparisonPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!justWritten.TryGetValue(fileName, out var reportedRun))
            {
                try
                {
                    reportedRun = EvalReportJson.Read(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), file);
                }
                catch (FormatException)
                {
                    continue; // Not a run report (another tool's file): no bar.
                }
            }

            if (reportedRun.Suite == suite)
            {
                reported.Add(reportedRun);
            }
        }

        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            var bars = new List<EvalChartBar>();
            foreach (var run in reported)
            {
                if (run.Overall(metric) is { } measured)
                {
                    bars.Add(new EvalChartBar($"{run.Configuration.Name} / {run.Backend}", measured.Value));
                }
            }

            if (bars.Count > 0)
            {
                var subtitle = $"suite {suite}, {runs[0].Users} users";
                await WriteFileAsync(Path.Combine(folder, ChartName(metric)), EvalSvgChart.Render(metric, bars, subtitle), written, cancellationToken).ConfigureAwait(false);
            }
        }

        if (comparison is not null)
        {
            var name = Path.Combine(folder, ComparisonPrefix + EvalReportFormat.Slug(comparison.Baseline.Backend));
            await WriteFileAsync(name + ".md", comparison.ToMarkdown(charts), written, cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(name + ".json", EvalComparisonJson.Render(comparison), written, cancellationToken).ConfigureAwait(false);
        }

        return written;
    }

    private static async Task WriteFileAsync(string path, string text, List<string> written, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, text.ReplaceLineEndings("\n"), cancellationToken).ConfigureAwait(false);
        written.Add(path);
    }
}
