using System.Reflection;
using System.Text.Json;

namespace SkMemory.Evals;

/// <summary>One line of the labelled redaction corpus (<c>evals/data/redaction/corpus.jsonl</c>).</summary>
/// <param name="Id">The line id.</param>
/// <param name="Category">What the line tests (<c>api_key</c>, <c>uuid</c>, <c>git_sha</c>...).</param>
/// <param name="Text">The text.</param>
/// <param name="Labels">Every sensitive value in the text; empty on a negative line.</param>
public sealed record RedactionCorpusLine(int Id, string Category, string Text, IReadOnlyList<RedactionLabel> Labels);

/// <summary>A labelled sensitive value.</summary>
/// <param name="Kind">Its kind.</param>
/// <param name="Value">The value, as it appears in the text.</param>
public sealed record RedactionLabel(string Kind, string Value);

/// <summary>Reads the redaction corpus: the one embedded in this assembly, or a JSON Lines file of the same shape.</summary>
public static class RedactionCorpus
{
    /// <summary>The resource name of the embedded corpus.</summary>
    public const string ResourceName = "SkMemory.Evals.Redaction.corpus.jsonl";

    /// <summary>The resource name of the embedded held-out corpus (written after the rules were frozen, never tuned against).</summary>
    public const string HoldoutResourceName = "SkMemory.Evals.Redaction.holdout.jsonl";

    /// <summary>Reads the held-out corpus embedded in this assembly (<c>evals/data/redaction/holdout.jsonl</c>).</summary>
    /// <returns>The lines.</returns>
    public static IReadOnlyList<RedactionCorpusLine> LoadHoldout() => Load(null, HoldoutResourceName);

    /// <summary>Reads the corpus.</summary>
    /// <param name="path">A JSON Lines file, or null for the embedded corpus.</param>
    /// <returns>The lines.</returns>
    /// <exception cref="InvalidDataException">A line is malformed, or a label's value is not in its text.</exception>
    public static IReadOnlyList<RedactionCorpusLine> Load(string? path = null) => Load(path, ResourceName);

    private static List<RedactionCorpusLine> Load(string? path, string resource)
    {
        using var stream = path is null
            ? Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"The evals assembly has no resource '{resource}'; rebuild it (the project embeds evals/data/redaction/*.jsonl).")
            : File.OpenRead(path);
        using var reader = new StreamReader(stream);
        var lines = new List<RedactionCorpusLine>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var text = root.GetProperty("text").GetString() ?? throw new InvalidDataException($"line {number}: text is null");
            var labels = root.GetProperty("labels").EnumerateArray()
                .Select(l => new RedactionLabel(l.GetProperty("kind").GetString()!, l.GetProperty("value").GetString()!))
                .ToList();
            foreach (var label in labels.Where(l => !text.Contains(l.Value, StringComparison.Ordinal)))
            {
                throw new InvalidDataException($"line {number}: the {label.Kind} label's value is not in the text");
            }

            lines.Add(new RedactionCorpusLine(root.GetProperty("id").GetInt32(), root.GetProperty("category").GetString()!, text, labels));
        }

        return lines;
    }
}
