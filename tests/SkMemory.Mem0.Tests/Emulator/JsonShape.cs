using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>
/// Compares a response to an expected JSON "shape". Objects must have exactly the expected keys; arrays the expected
/// length; scalars must be equal, except for placeholders: "&lt;uuid&gt;", "&lt;timestamp&gt;" (ISO-8601 with offset),
/// "&lt;hex8&gt;", "&lt;md5&gt;", "&lt;number&gt;", "&lt;score&gt;" (a number in [0,1]), "&lt;string&gt;",
/// "&lt;url&gt;" (absolute), "&lt;array&gt;", "&lt;object&gt;", "&lt;any&gt;" and "&lt;regex:...&gt;".
/// </summary>
internal static partial class JsonShape
{
    public static void Match(JsonNode? expected, JsonNode? actual, string at = "$")
    {
        if (expected is JsonValue ev && ev.GetValueKind() == JsonValueKind.String && ev.GetValue<string>() is var text && text.StartsWith('<') && text.EndsWith('>'))
        {
            MatchPlaceholder(text, actual, at);
            return;
        }

        switch (expected)
        {
            case null:
                Assert.True(actual is null || actual.GetValueKind() == JsonValueKind.Null, $"{at}: expected null, got {actual?.ToJsonString()}");
                return;
            case JsonObject eo:
                var ao = Assert.IsType<JsonObject>(actual, exactMatch: false);
                Assert.True(
                    eo.Select(p => p.Key).Order(StringComparer.Ordinal).SequenceEqual(ao.Select(p => p.Key).Order(StringComparer.Ordinal)),
                    $"{at}: keys differ. expected [{string.Join(",", eo.Select(p => p.Key))}], got [{string.Join(",", ao.Select(p => p.Key))}]");
                foreach (var (key, value) in eo)
                {
                    Match(value, ao[key], $"{at}.{key}");
                }

                return;
            case JsonArray ea:
                var aa = Assert.IsType<JsonArray>(actual, exactMatch: false);
                Assert.True(ea.Count == aa.Count, $"{at}: expected {ea.Count} items, got {aa.Count}: {aa.ToJsonString()}");
                for (var i = 0; i < ea.Count; i++)
                {
                    Match(ea[i], aa[i], $"{at}[{i}]");
                }

                return;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{at}: expected {expected.ToJsonString()}, got {actual?.ToJsonString() ?? "null"}");
                return;
        }
    }

    private static void MatchPlaceholder(string placeholder, JsonNode? actual, string at)
    {
        var kind = actual?.GetValueKind() ?? JsonValueKind.Null;
        var str = kind == JsonValueKind.String ? actual!.GetValue<string>() : null;
        switch (placeholder)
        {
            case "<any>":
                return;
            case "<uuid>":
                Assert.True(str is not null && Guid.TryParseExact(str, "D", out _), $"{at}: expected a UUID, got {actual?.ToJsonString()}");
                return;
            case "<timestamp>":
                Assert.True(str is not null && Timestamp().IsMatch(str) && DateTimeOffset.TryParse(str, CultureInfo.InvariantCulture, out _), $"{at}: expected an ISO-8601 timestamp with offset, got {actual?.ToJsonString()}");
                return;
            case "<hex8>":
                Assert.True(str is not null && Hex8().IsMatch(str), $"{at}: expected 8 hex chars, got {actual?.ToJsonString()}");
                return;
            case "<md5>":
                Assert.True(str is not null && Md5().IsMatch(str), $"{at}: expected an md5, got {actual?.ToJsonString()}");
                return;
            case "<number>":
                Assert.True(kind == JsonValueKind.Number, $"{at}: expected a number, got {actual?.ToJsonString()}");
                return;
            case "<score>":
                Assert.True(kind == JsonValueKind.Number && actual!.GetValue<double>() is >= 0 and <= 1, $"{at}: expected a score in [0,1], got {actual?.ToJsonString()}");
                return;
            case "<string>":
                Assert.True(str is not null, $"{at}: expected a string, got {actual?.ToJsonString()}");
                return;
            case "<url>":
                Assert.True(str is not null && Uri.TryCreate(str, UriKind.Absolute, out _), $"{at}: expected an absolute URL, got {actual?.ToJsonString()}");
                return;
            case "<array>":
                Assert.True(kind == JsonValueKind.Array, $"{at}: expected an array, got {actual?.ToJsonString()}");
                return;
            case "<object>":
                Assert.True(kind == JsonValueKind.Object, $"{at}: expected an object, got {actual?.ToJsonString()}");
                return;
            default:
                Assert.StartsWith("<regex:", placeholder, StringComparison.Ordinal);
                var pattern = placeholder[7..^1];
                Assert.True(str is not null && Regex.IsMatch(str, pattern, RegexOptions.CultureInvariant), $"{at}: expected /{pattern}/, got {actual?.ToJsonString()}");
                return;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Timestamp();

    [GeneratedRegex("^[0-9a-f]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex Hex8();

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex Md5();
}
