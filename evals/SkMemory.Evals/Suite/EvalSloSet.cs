using System.Globalization;
using System.Text.Json;

namespace SkMemory.Evals.Suite;

/// <summary>Service-level objectives as configuration: the objectives of an SLO file (<c>evals/slo.json</c>).</summary>
/// <param name="Objectives">The objectives, in file order.</param>
/// <param name="Source">Where they were read from, for messages.</param>
public sealed record EvalSloSet(IReadOnlyList<EvalObjective> Objectives, string Source)
{
    /// <summary>The format version this code reads.</summary>
    public const int FormatVersion = 1;

    private static readonly HashSet<string> SingleRunMetrics = [.. EvalReportFormat.RunMetrics];

    private static readonly HashSet<string> ObjectiveProperties = ["metric", "agent", "task", "memory_type", "min", "max", "measured"];

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads an SLO file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The objectives.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a valid SLO file; the message names the objective and the field.</exception>
    public static async Task<EvalSloSet> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The SLO file '{path}' does not exist.", path);
        }

        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(json, path);
    }

    /// <summary>Parses the text of an SLO file.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <returns>The objectives.</returns>
    /// <exception cref="FormatException">The text is not a valid SLO file; the message names the objective and the field.</exception>
    public static EvalSloSet Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source}: the file must hold one JSON object with \"version\" and \"objectives\"");
            }

            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != FormatVersion)
            {
                throw new FormatException($"{source}: \"version\" must be {FormatVersion}");
            }

            if (!root.TryGetProperty("objectives", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{source}: \"objectives\" must be an array of objectives");
            }

            var objectives = new List<EvalObjective>();
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                index++;
                objectives.Add(ParseObjective(item, $"{source}: objective {index.ToString(CultureInfo.InvariantCulture)}"));
            }

            if (objectives.Count == 0)
            {
                throw new FormatException($"{source}: \"objectives\" is empty; an SLO file with no objective would pass anything");
            }

            var duplicate = objectives.GroupBy(o => (o.Name, o.Min, o.Max)).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new FormatException($"{source}: the objective {duplicate.Key.Name} {duplicate.First().Target} appears twice");
            }

            return new EvalSloSet(objectives, source);
        }
    }

    /// <summary>Checks every objective against a run's measurements.</summary>
    /// <param name="run">The run.</param>
    /// <returns>One result per objective, in file order.</returns>
    public EvalSloReport Check(EvalRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var results = new List<EvalObjectiveResult>(Objectives.Count);
        foreach (var objective in Objectives)
        {
            var measurement = run.Measurements.FirstOrDefault(m =>
                m.Metric == objective.Metric && m.Agent == objective.Agent && m.Task == objective.Task && m.MemoryType == objective.MemoryType);
            results.Add(measurement is null || measurement.Samples == 0 || !double.IsFinite(measurement.Value)
                ? new EvalObjectiveResult(objective, null, 0, EvalObjectiveOutcome.NotMeasured)
                : new EvalObjectiveResult(
                    objective,
                    measurement.Value,
                    measurement.Samples,
                    objective.IsMetBy(measurement.Value) ? EvalObjectiveOutcome.Pass : EvalObjectiveOutcome.Fail));
        }

        return new EvalSloReport(results, Source, run.Configuration.Name, run.Backend);
    }

    private static EvalObjective ParseObjective(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where}: must be an object like {{\"metric\": \"recall\", \"min\": 0.9}}");
        }

        foreach (var property in item.EnumerateObject())
        {
            if (!ObjectiveProperties.Contains(property.Name))
            {
                throw new FormatException($"{where}: unknown field \"{property.Name}\" (known: {string.Join(", ", ObjectiveProperties)})");
            }
        }

        var metric = Text(item, "metric", where) ?? throw new FormatException($"{where}: \"metric\" is missing");
        if (!SingleRunMetrics.Contains(metric))
        {
            var drift = metric is EvalMetrics.RankingStability or EvalMetrics.MemoryStability
                ? " (drift metrics compare two configurations; SLOs apply to one run)"
                : string.Empty;
            throw new FormatException($"{where}: unknown metric \"{metric}\"{drift}; use one of {string.Join(", ", SingleRunMetrics)}");
        }

        var min = Number(item, "min", where);
        var max = Number(item, "max", where);
        if (min is null && max is null)
        {
            throw new FormatException($"{where} ({metric}): give \"min\", \"max\" or both");
        }

        if (min is { } low && max is { } high && low > high)
        {
            throw new FormatException($"{where} ({metric}): \"min\" {EvalReportFormat.Number(low)} is above \"max\" {EvalReportFormat.Number(high)}; nothing could pass");
        }

        return new EvalObjective
        {
            Metric = metric,
            Agent = Text(item, "agent", where),
            Task = Text(item, "task", where),
            MemoryType = Text(item, "memory_type", where),
            Min = min,
            Max = max,
            Measured = item.TryGetProperty("measured", out var measured) ? measured.ValueKind switch
            {
                JsonValueKind.String => measured.GetString(),
                JsonValueKind.Number => measured.GetRawText(),
                _ => throw new FormatException($"{where}: \"measured\" must be a note (text) or a number"),
            }
            : null,
        };
    }

    private static string? Text(JsonElement item, string name, string where)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text)
            ? text.Trim()
            : throw new FormatException($"{where}: \"{name}\" must be a non-empty string (leave it out for all)");
    }

    private static double? Number(JsonElement item, string name, string where)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) && number >= 0
            ? number
            : throw new FormatException($"{where}: \"{name}\" must be a number, 0 or more");
    }
}
