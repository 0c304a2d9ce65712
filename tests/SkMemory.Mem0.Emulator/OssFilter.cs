using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>
/// The OSS server's filter grammar (mem0 core): equality, <c>"*"</c>, operators eq/ne/gt/gte/lt/lte/in/nin/contains/icontains,
/// and AND/OR/NOT. Entity keys match the record's ids; any other key matches a metadata field.
/// </summary>
internal static class OssFilter
{
    public static Func<MemoryRecord, bool> Compile(JsonObject filter)
    {
        var parts = filter.Select(p => CompileKey(p.Key, p.Value)).ToList();
        return r => parts.TrueForAll(p => p(r));
    }

    private static Func<MemoryRecord, bool> CompileKey(string key, JsonNode? value)
    {
        switch (key)
        {
            case "AND":
            case "OR":
                {
                    var items = Children(key, value);
                    return key == "AND" ? r => items.TrueForAll(i => i(r)) : r => items.Exists(i => i(r));
                }

            case "NOT":
                {
                    var items = Children(key, value);
                    return r => !items.Exists(i => i(r));
                }
        }

        if (value is JsonValue v && EmulatorJson.Id(v) == "*")
        {
            return r => !EmulatorJson.IsNull(FilterValues.Field(r, key));
        }

        if (value is not JsonObject ops)
        {
            return r => Eq(r, key, value);
        }

        var checks = ops.Select(op => CompileOp(key, op.Key, op.Value)).ToList();
        return r => checks.TrueForAll(c => c(r));
    }

    private static bool Eq(MemoryRecord r, string key, JsonNode? value) =>
        FilterValues.IsEntityKey(key) ? r.EntityId(key) == EmulatorJson.Id(value) : FilterValues.Equal(FilterValues.Field(r, key), value);

    private static Func<MemoryRecord, bool> CompileOp(string key, string op, JsonNode? value) => op switch
    {
        "eq" => r => Eq(r, key, value),
        "ne" => r => !Eq(r, key, value),
        "gt" => r => FilterValues.Compare(FilterValues.Field(r, key), value) > 0,
        "gte" => r => FilterValues.Compare(FilterValues.Field(r, key), value) >= 0,
        "lt" => r => FilterValues.Compare(FilterValues.Field(r, key), value) < 0,
        "lte" => r => FilterValues.Compare(FilterValues.Field(r, key), value) <= 0,
        "in" => In(key, value, true),
        "nin" => In(key, value, false),
        "contains" => r => FilterValues.Contains(FilterValues.Field(r, key), value, StringComparison.Ordinal),
        "icontains" => r => FilterValues.Contains(FilterValues.Field(r, key), value, StringComparison.OrdinalIgnoreCase),
        _ => throw new FilterException($"Unsupported metadata filter operator: {op}"),
    };

    private static Func<MemoryRecord, bool> In(string key, JsonNode? value, bool wanted)
    {
        var list = FilterValues.ListOf(value, wanted ? "in" : "nin");
        return r => list.Any(item => Eq(r, key, item)) == wanted;
    }

    private static List<Func<MemoryRecord, bool>> Children(string key, JsonNode? value) => value switch
    {
        JsonArray array => array.Select(item => item as JsonObject ?? throw new FilterException($"{key} items must be objects.")).Select(Compile).ToList(),
        JsonObject obj => [Compile(obj)],
        _ => throw new FilterException($"{key} must be a list of filter objects."),
    };
}
