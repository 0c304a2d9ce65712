using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>Value comparisons shared by the two filter grammars.</summary>
internal static class FilterValues
{
    public static readonly string[] EntityKeys = ["user_id", "agent_id", "app_id", "run_id"];

    public static bool IsEntityKey(string key) => Array.IndexOf(EntityKeys, key) >= 0;

    public static bool Equal(JsonNode? field, JsonNode? value)
    {
        if (EmulatorJson.IsNull(field) || EmulatorJson.IsNull(value))
        {
            return EmulatorJson.IsNull(field) && EmulatorJson.IsNull(value);
        }

        if (EmulatorJson.Number(field) is double a && EmulatorJson.Number(value) is double b && !double.IsNaN(a) && !double.IsNaN(b))
        {
            return a.Equals(b);
        }

        return JsonNode.DeepEquals(field, value);
    }

    /// <summary>Orders two scalars (numbers numerically, strings ordinally); null when they cannot be compared.</summary>
    public static int? Compare(JsonNode? field, JsonNode? value)
    {
        if (EmulatorJson.IsNull(field) || EmulatorJson.IsNull(value))
        {
            return null;
        }

        var a = EmulatorJson.Number(field);
        var b = EmulatorJson.Number(value);
        if (a is double x && b is double y && !double.IsNaN(x) && !double.IsNaN(y))
        {
            return x.CompareTo(y);
        }

        if (field is JsonValue fv && value is JsonValue vv && fv.GetValueKind() == JsonValueKind.String && vv.GetValueKind() == JsonValueKind.String)
        {
            return string.CompareOrdinal(fv.GetValue<string>(), vv.GetValue<string>());
        }

        return null;
    }

    public static bool In(JsonNode? field, JsonNode? list) => list is JsonArray array && array.Any(item => Equal(field, item));

    public static bool Contains(JsonNode? field, JsonNode? value, StringComparison comparison)
    {
        if (field is JsonArray array)
        {
            return array.Any(item => Equal(item, value) || (comparison == StringComparison.OrdinalIgnoreCase && Contains(item, value, comparison)));
        }

        var haystack = EmulatorJson.Id(field);
        var needle = EmulatorJson.Id(value);
        return haystack is not null && needle is not null && haystack.Contains(needle, comparison);
    }

    public static JsonNode? Field(MemoryRecord record, string key) =>
        IsEntityKey(key) ? (record.EntityId(key) is string s ? JsonValue.Create(s) : null) : record.Metadata?[key];

    public static JsonArray ListOf(JsonNode? node, string key) =>
        node as JsonArray ?? throw new FilterException($"Operator '{key}' requires a list.");
}
