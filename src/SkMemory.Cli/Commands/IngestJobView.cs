using System.Globalization;
using System.Text.Json;

namespace SkMemory.Cli.Commands;

/// <summary>How <c>skmem ingest</c> shows a job: its id first, then the state, stages, counts, rejections with their reasons, decisions and errors.</summary>
internal static class IngestJobView
{
    private const int KeyWidth = 12;
    private const int TextWidth = 72;

    /// <summary>Writes a job as aligned "key  value" lines, then its rejections, decisions and errors.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="job">The job.</param>
    public static void Write(TextWriter output, MemoryIngestionJob job)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(job);
        var input = job.Input;
        Line("job", job.Id);
        Line("state", MemoryJson.EnumName(job.State));
        Line("tenant", job.Tenant);
        Line("subject", input.Subject ?? "(each speaker)");
        Line("scope", (input.Scope ?? MemoryScope.Personal).ToString());
        Line("created", HumanFormat.Time(job.CreatedAt));
        Line("updated", HumanFormat.Time(job.UpdatedAt));
        Line("input", Items(input));
        Line("stages", job.Stages.Count == 0 ? "(none yet)" : string.Join(", ", job.Stages.Select(Stage)));
        Line("counts", Counts(job));
        switch (job.State)
        {
            case MemoryIngestionJobState.Pending:
                Line("next", $"skmem ingest run {job.Id}   (extracts, gates and evolves the stored input)");
                break;
            case MemoryIngestionJobState.Failed:
                Line("next", $"fix the cause below, then: skmem ingest run {job.Id}   (the job kept its input)");
                break;
        }

        if (job.Rejections.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"rejected ({HumanFormat.Count(job.Rejections.Count)})");
            var table = new TextTable(("REASON", 22, false), ("TYPE", 12, false), ("EVIDENCE", 24, false), ("CANDIDATE AND WHY", 400, false));
            foreach (var rejection in job.Rejections)
            {
                var candidate = rejection.Candidate;
                table.Add(
                    MemoryJson.EnumName(rejection.Reason),
                    candidate?.Type ?? "-",
                    candidate is null ? "-" : Evidence(candidate.Evidence),
                    candidate is null ? rejection.Detail : $"\"{HumanFormat.OneLine(candidate.Value.Text, TextWidth)}\": {rejection.Detail}");
            }

            Indent(output, table);
        }

        if (job.Decisions.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"decisions ({HumanFormat.Count(job.Decisions.Count)})");
            var table = new TextTable(("ACTION", 9, false), ("MEMORY", 36, false), ("TYPE", 12, false), ("TEXT AND WHY", 400, false));
            foreach (var decision in job.Decisions)
            {
                var replaces = decision.PreviousId is { } previous ? $" (replaces {previous})" : string.Empty;
                table.Add(
                    MemoryJson.EnumName(decision.Action),
                    decision.MemoryId.ToString(),
                    decision.Type,
                    $"\"{HumanFormat.OneLine(decision.Text, TextWidth)}\"{replaces}: {decision.Reason}");
            }

            Indent(output, table);
        }

        if (job.Errors.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"errors ({HumanFormat.Count(job.Errors.Count)})");
            foreach (var error in job.Errors)
            {
                output.WriteLine($"  {error}");
            }
        }

        void Line(string name, string value) => output.WriteLine($"{name.PadRight(KeyWidth)}{value}");
    }

    /// <summary>Writes a job as one JSON document: the contract's form of <see cref="MemoryIngestionJob"/>.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="job">The job.</param>
    public static void WriteJson(TextWriter output, MemoryIngestionJob job)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(JsonOutput.Render(w => JsonSerializer.Serialize(w, job, MemoryJsonContext.Default.MemoryIngestionJob)));
    }

    /// <summary>Writes a job's properties into an object being written (for a document that also holds an error).</summary>
    /// <param name="writer">The writer, inside an object.</param>
    /// <param name="job">The job.</param>
    /// <param name="withInput">Whether to include the input (a list leaves it out: it can be large).</param>
    public static void WriteProperties(Utf8JsonWriter writer, MemoryIngestionJob job, bool withInput = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var element = JsonSerializer.SerializeToElement(job, MemoryJsonContext.Default.MemoryIngestionJob);
        foreach (var property in element.EnumerateObject())
        {
            if (withInput || property.Name != "input")
            {
                property.WriteTo(writer);
            }
        }
    }

    /// <summary>The counts in one line: items, replayed, candidates, accepted, rejected by reason, and the evolve actions.</summary>
    /// <param name="job">The job.</param>
    /// <returns>The line.</returns>
    public static string Counts(MemoryIngestionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var c = job.Counts;
        var reasons = job.Rejections.GroupBy(r => MemoryJson.EnumName(r.Reason)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count().ToString(CultureInfo.InvariantCulture)}").ToList();
        return $"{HumanFormat.Count(c.Items, "item")}, {HumanFormat.Count(c.Replayed)} replayed, {HumanFormat.Count(c.Candidates, "candidate")}, "
            + $"{HumanFormat.Count(c.Accepted)} accepted, {HumanFormat.Count(c.Rejected)} rejected{(reasons.Count > 0 ? $" ({string.Join(", ", reasons)})" : string.Empty)}; "
            + $"{HumanFormat.Count(c.Added)} added, {HumanFormat.Count(c.Merged)} merged, {HumanFormat.Count(c.Superseded)} superseded, {HumanFormat.Count(c.NoOp)} no-op";
    }

    /// <summary>A short summary for progress and list lines: the state and what changed.</summary>
    /// <param name="job">The job.</param>
    /// <returns>The summary.</returns>
    public static string Summary(MemoryIngestionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var c = job.Counts;
        return job.State switch
        {
            MemoryIngestionJobState.Pending => $"job {job.Id} pending: {HumanFormat.Count(c.Items, "item")} stored raw",
            _ => $"job {job.Id} {MemoryJson.EnumName(job.State)}: {HumanFormat.Count(c.Items, "item")} ({HumanFormat.Count(c.Replayed)} replayed), "
                + $"{HumanFormat.Count(c.Added)} added, {HumanFormat.Count(c.Merged)} merged, {HumanFormat.Count(c.Superseded)} superseded, "
                + $"{HumanFormat.Count(c.NoOp)} no-op, {HumanFormat.Count(c.Rejected)} rejected",
        };
    }

    private static string Items(MemoryExtractionRequest input)
    {
        var parts = new List<string>();
        Add(input.Messages?.Count ?? 0, "message");
        Add(input.ToolOutputs?.Count ?? 0, "tool output");
        Add(input.Documents?.Count ?? 0, "document");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);

        void Add(int count, string noun)
        {
            if (count > 0)
            {
                parts.Add(HumanFormat.Count(count, noun));
            }
        }
    }

    private static string Stage(MemoryIngestionStage stage) =>
        stage.FinishedAt is { } finished
            ? $"{stage.Name} {Seconds(finished - stage.StartedAt)}"
            : $"{stage.Name} failed ({HumanFormat.OneLine(stage.Error ?? "no reason recorded", TextWidth)})";

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    private static string Evidence(MemoryProvenance evidence)
    {
        var cited = evidence.MessageIds.Concat(evidence.ToolCallIds).Concat(evidence.FileHashes.Select(h => h.Length > 19 ? h[..19] + "…" : h)).ToList();
        return cited.Count == 0 ? "(none)" : string.Join(",", cited);
    }

    private static void Indent(TextWriter output, TextTable table)
    {
        using var lines = new StringWriter(CultureInfo.InvariantCulture);
        table.Write(lines);
        foreach (var line in lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            output.WriteLine("  " + line.TrimEnd('\r'));
        }
    }
}
