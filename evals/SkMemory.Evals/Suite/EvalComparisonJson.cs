using System.Text.Json;

namespace SkMemory.Evals.Suite;

/// <summary>The JSON form of a multi-configuration comparison (<c>eval-comparison-&lt;backend&gt;.json</c> and <c>skmem eval --configs ... --json</c>).</summary>
public static class EvalComparisonJson
{
    /// <summary>The value of the <c>format</c> property.</summary>
    public const string Format = "skmemory-eval-comparison";

    /// <summary>Renders a comparison as JSON.</summary>
    /// <param name="comparison">The comparison.</param>
    /// <param name="indented">Whether to indent (reports) or write one line (<c>--json</c>).</param>
    /// <returns>The JSON text.</returns>
    public static string Render(EvalComparison comparison, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return EvalReportJson.RenderWith(w => Write(w, comparison), indented);
    }

    private static void Write(Utf8JsonWriter w, EvalComparison comparison)
    {
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", 1);
        w.WriteString("suite", comparison.Baseline.Suite);
        w.WriteNumber("users", comparison.Baseline.Users);
        w.WriteString("backend", comparison.Baseline.Backend);
        w.WriteString("baseline", comparison.Baseline.Configuration.Name);
        w.WriteStartArray("configurations");
        foreach (var run in comparison.Runs)
        {
            var drift = comparison.Others.FirstOrDefault(o => ReferenceEquals(o.Run, run));
            w.WriteStartObject();
            w.WriteString("name", run.Configuration.Name);
            w.WriteString("extractor", run.Configuration.Extractor);
            w.WriteString("embedder", run.Configuration.Embedder);
            EvalReportJson.WriteNullable(w, "chat_model", run.Configuration.ChatModel);
            w.WriteNumber("elapsed_seconds", Math.Round(run.Elapsed.TotalSeconds, 1));
            w.WriteStartObject("metrics");
            foreach (var metric in EvalReportFormat.RunMetrics)
            {
                if (run.Overall(metric) is not { } m)
                {
                    continue;
                }

                w.WriteStartObject(metric);
                w.WriteNumber("value", Math.Round(m.Value, 6));
                w.WriteNumber("samples", m.Samples);
                if (comparison.Baseline.Overall(metric) is { } b)
                {
                    w.WriteNumber("delta", Math.Round(m.Value - b.Value, 6));
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            if (drift is not null)
            {
                w.WriteStartObject(EvalMetrics.RankingStability);
                w.WriteNumber("value", Math.Round(drift.RankingStability, 6));
                w.WriteNumber("samples", drift.RankingSamples);
                w.WriteEndObject();
                w.WriteStartObject(EvalMetrics.MemoryStability);
                w.WriteNumber("value", Math.Round(drift.MemoryStability, 6));
                w.WriteNumber("samples", drift.MemorySamples);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("skipped");
        foreach (var skipped in comparison.Skipped)
        {
            w.WriteStartObject();
            w.WriteString("name", skipped.Name);
            w.WriteString("reason", skipped.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
