using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SkMemory.Evals.Suite;

/// <summary>
/// The JSON form of an eval run (the <c>eval-&lt;config&gt;-&lt;backend&gt;.json</c> report and <c>skmem eval --json</c>):
/// snake_case, every measurement, the SLO verdict when checked, and the per-task and per-memory outcomes drift needs, so a
/// report read back (<see cref="Read"/>) can be compared with a later run.
/// </summary>
public static class EvalReportJson
{
    /// <summary>The value of the <c>format</c> property.</summary>
    public const string Format = "skmemory-eval-run";

    /// <summary>The version of the format.</summary>
    public const int Version = 1;

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Renders a run as JSON.</summary>
    /// <param name="run">The run.</param>
    /// <param name="slo">The SLO verdict of the run, or null when not checked.</param>
    /// <param name="indented">Whether to indent (reports) or write one line (<c>--json</c>).</param>
    /// <returns>The JSON text (indented output ends with a newline).</returns>
    public static string Render(EvalRunResult run, EvalSloReport? slo = null, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(run);
        return RenderWith(w => Write(w, run, slo), indented);
    }

    /// <summary>Renders what a writer writes as the eval reports' JSON: relaxed escaping, indented output ending with a newline.</summary>
    /// <param name="write">Writes the document.</param>
    /// <param name="indented">Whether to indent (reports) or write one line (<c>--json</c>).</param>
    /// <returns>The JSON text.</returns>
    internal static string RenderWith(Action<Utf8JsonWriter> write, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, indented ? Indented : Compact))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + (indented ? "\n" : string.Empty);
    }

    /// <summary>Writes a run as one JSON object.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="run">The run.</param>
    /// <param name="slo">The SLO verdict of the run, or null when not checked.</param>
    public static void Write(Utf8JsonWriter w, EvalRunResult run, EvalSloReport? slo = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(run);
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteString("suite", run.Suite);
        w.WriteNumber("users", run.Users);
        w.WriteStartObject("configuration");
        w.WriteString("name", run.Configuration.Name);
        w.WriteString("extractor", run.Configuration.Extractor);
        w.WriteString("embedder", run.Configuration.Embedder);
        WriteNullable(w, "chat_model", run.Configuration.ChatModel);
        w.WriteEndObject();
        w.WriteString("backend", run.Backend);
        w.WriteString("finished_at", run.FinishedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteNumber("elapsed_seconds", Math.Round(run.Elapsed.TotalSeconds, 1));
        w.WriteStartObject("overall");
        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            if (run.Overall(metric) is { } m)
            {
                w.WriteStartObject(metric);
                w.WriteNumber("value", Math.Round(m.Value, 6));
                w.WriteNumber("samples", m.Samples);
                w.WriteEndObject();
            }
        }

        w.WriteEndObject();
        if (slo is not null)
        {
            w.WriteStartObject("slo");
            w.WriteString("source", slo.Source);
            w.WriteBoolean("passed", slo.Passed);
            w.WriteStartArray("objectives");
            foreach (var r in slo.Results)
            {
                w.WriteStartObject();
                w.WriteString("objective", r.Objective.Name);
                w.WriteString("metric", r.Objective.Metric);
                WriteNullable(w, "agent", r.Objective.Agent);
                WriteNullable(w, "task", r.Objective.Task);
                WriteNullable(w, "memory_type", r.Objective.MemoryType);
                WriteNullable(w, "min", r.Objective.Min);
                WriteNullable(w, "max", r.Objective.Max);
                WriteNullable(w, "measured", r.Measured is { } v ? Math.Round(v, 6) : null);
                w.WriteNumber("samples", r.Samples);
                w.WriteString("outcome", r.Outcome switch { EvalObjectiveOutcome.Pass => "pass", EvalObjectiveOutcome.Fail => "fail", _ => "not_measured" });
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteStartArray("measurements");
        foreach (var m in Ordered(run.Measurements))
        {
            w.WriteStartObject();
            w.WriteString("metric", m.Metric);
            WriteNullable(w, "agent", m.Agent);
            WriteNullable(w, "task", m.Task);
            WriteNullable(w, "memory_type", m.MemoryType);
            w.WriteNumber("value", Math.Round(m.Value, 6));
            w.WriteNumber("samples", m.Samples);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("failures");
        foreach (var f in run.Failures)
        {
            w.WriteStartObject();
            w.WriteString("metric", f.Metric);
            w.WriteString("user", f.User);
            w.WriteString("detail", f.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("queries");
        foreach (var q in run.Queries)
        {
            w.WriteStartObject();
            w.WriteString("user", q.User);
            w.WriteString("task", q.Task);
            w.WriteStartArray("returned");
            foreach (var id in q.Returned)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("memories");
        foreach (var m in run.Memories)
        {
            w.WriteStartObject();
            w.WriteString("user", m.User);
            w.WriteString("expected", m.Expected);
            w.WriteBoolean("found", m.Found);
            WriteNullable(w, "type", m.Type);
            WriteNullable(w, "status", m.Status);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Reads a run back from its JSON report.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <returns>The run (without its SLO verdict).</returns>
    /// <exception cref="FormatException">The text is not an eval run report.</exception>
    public static EvalRunResult Read(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON ({ex.Message})", ex);
        }

        using var owned = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
        {
            throw new FormatException($"{source}: not an eval run report (\"format\" is not \"{Format}\")");
        }

        try
        {
            var configuration = root.GetProperty("configuration");
            return new EvalRunResult
            {
                Suite = root.GetProperty("suite").GetString()!,
                Users = root.GetProperty("users").GetInt32(),
                Configuration = new EvalConfiguration(
                    configuration.GetProperty("name").GetString()!,
                    configuration.GetProperty("extractor").GetString()!,
                    configuration.GetProperty("embedder").GetString()!,
                    OptionalString(configuration, "chat_model")),
                Backend = root.GetProperty("backend").GetString()!,
                FinishedAt = DateTimeOffset.Parse(root.GetProperty("finished_at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Elapsed = TimeSpan.FromSeconds(root.GetProperty("elapsed_seconds").GetDouble()),
                Measurements = [.. root.GetProperty("measurements").EnumerateArray().Select(m => new EvalMeasurement
                {
                    Metric = m.GetProperty("metric").GetString()!,
                    Agent = OptionalString(m, "agent"),
                    Task = OptionalString(m, "task"),
                    MemoryType = OptionalString(m, "memory_type"),
                    Value = m.GetProperty("value").GetDouble(),
                    Samples = m.GetProperty("samples").GetInt32(),
                })],
                Failures = [.. root.GetProperty("failures").EnumerateArray().Select(f => new EvalFailure(
                    f.GetProperty("metric").GetString()!, f.GetProperty("user").GetString()!, f.GetProperty("detail").GetString()!))],
                Queries = [.. root.GetProperty("queries").EnumerateArray().Select(q => new EvalQueryOutcome(
                    q.GetProperty("user").GetString()!,
                    q.GetProperty("task").GetString()!,
                    [.. q.GetProperty("returned").EnumerateArray().Select(r => r.GetString()!)]))],
                Memories = [.. root.GetProperty("memories").EnumerateArray().Select(m => new EvalMemoryState(
                    m.GetProperty("user").GetString()!,
                    m.GetProperty("expected").GetString()!,
                    m.GetProperty("found").GetBoolean(),
                    OptionalString(m, "type"),
                    OptionalString(m, "status")))],
            };
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"{source}: not a readable eval run report ({ex.Message})", ex);
        }
    }

    /// <summary>Orders measurements for reports: by metric in report order, overall first, then agent, task and type slices by name.</summary>
    /// <param name="measurements">The measurements.</param>
    /// <returns>The ordered measurements.</returns>
    internal static IEnumerable<EvalMeasurement> Ordered(IEnumerable<EvalMeasurement> measurements) =>
        measurements
            .OrderBy(m => MetricOrder(m.Metric))
            .ThenBy(m => m.Metric, StringComparer.Ordinal)
            .ThenBy(m => m.Agent ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(m => m.Task ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(m => m.MemoryType ?? string.Empty, StringComparer.Ordinal);

    private static int MetricOrder(string metric)
    {
        for (var i = 0; i < EvalReportFormat.RunMetrics.Count; i++)
        {
            if (EvalReportFormat.RunMetrics[i] == metric)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
