using System.Text.Json;

namespace SkMemory.Cli;

/// <summary>
/// The review policy of <c>skmem serve --review-policy</c> (or <c>$SKMEMORY_REVIEW_POLICY</c>): a JSON object with
/// <c>hold_types</c>, <c>hold_below_confidence</c>, <c>hold_actor_kinds</c> and <c>hold_scope_kinds</c>, every field optional.
/// </summary>
internal static class ReviewPolicyFile
{
    /// <summary>The environment variable naming the file when --review-policy is not given.</summary>
    public const string Variable = "SKMEMORY_REVIEW_POLICY";

    private const string Hint = "fix the file (docs/inspector.md, \"Review queue\", shows the format) and run the command again";

    /// <summary>Reads and checks the file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="CliException">The file is missing, not JSON, or a field is wrong (exit code 2, naming the field).</exception>
    public static MemoryReviewPolicy Load(string path)
    {
        if (!File.Exists(path))
        {
            throw CliException.Invalid("review_policy", $"there is no review policy file at {Path.GetFullPath(path)}", $"check --review-policy or ${Variable}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw CliException.Invalid("review_policy", $"the review policy {path} is not valid JSON: {ex.Message}", Hint);
        }

        using (document)
        {
            return Parse(document.RootElement, path);
        }
    }

    /// <summary>Checks a parsed policy object.</summary>
    /// <param name="root">The JSON root.</param>
    /// <param name="path">The file, for messages.</param>
    /// <returns>The policy.</returns>
    internal static MemoryReviewPolicy Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw CliException.Invalid("review_policy", $"the review policy {path} must be a JSON object like {{\"hold_types\": [\"preference\"]}}", Hint);
        }

        var policy = new MemoryReviewPolicy();
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            policy = property.Name switch
            {
                "hold_types" => policy with { HoldTypes = Strings(value, property.Name, path) },
                "hold_below_confidence" => policy with { HoldBelowConfidence = Confidence(value, path) },
                "hold_actor_kinds" => policy with { HoldActorKinds = Enums<MemoryActorKind>(value, property.Name, path) },
                "hold_scope_kinds" => policy with { HoldScopeKinds = Enums<MemoryScopeKind>(value, property.Name, path) },
                _ => throw Field(property.Name, path, "is not a review policy field; the fields are hold_types, hold_below_confidence, hold_actor_kinds and hold_scope_kinds"),
            };
        }

        return policy;
    }

    private static List<string> Strings(JsonElement value, string field, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Field(field, path, "must be an array of strings");
        }

        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                throw Field(field, path, $"must hold non-empty strings; {item.GetRawText()} is not one");
            }

            items.Add(item.GetString()!.Trim());
        }

        return items;
    }

    private static double? Confidence(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var threshold) || threshold is < 0 or > 1)
        {
            throw Field("hold_below_confidence", path, $"must be a number between 0 and 1; it is {value.GetRawText()}");
        }

        return threshold;
    }

    private static List<TEnum> Enums<TEnum>(JsonElement value, string field, string path)
        where TEnum : struct, Enum
    {
        var names = Strings(value, field, path);
        var items = new List<TEnum>();
        foreach (var name in names)
        {
            if (!MemoryJson.TryParseEnum<TEnum>(name, out var parsed))
            {
                throw Field(field, path, $"holds \"{name}\", which is not one of {string.Join(", ", MemoryJson.EnumNamesOf<TEnum>())}");
            }

            items.Add(parsed);
        }

        return items;
    }

    private static CliException Field(string field, string path, string problem) =>
        CliException.Invalid(field, $"in the review policy {path}, {field} {problem}", Hint);
}
