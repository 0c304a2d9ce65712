using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>
/// The Platform's v2/v3 filter grammar (reference §2.7): AND/OR/NOT, entity ids (eq/ne/in/"*" = any non-null),
/// time fields (gt/gte/lt/lte/ne/in; no eq), categories (in/contains), metadata ({"k":"v"} equality, eq/ne/contains),
/// memory_ids, text and keywords (contains/icontains). Any other key → 400.
/// </summary>
internal static class PlatformFilter
{
    private static readonly string[] AllowedKeys =
        ["AND", "OR", "NOT", "user_id", "agent_id", "app_id", "run_id", "created_at", "updated_at", "timestamp",
         "expiration_date", "text", "categories", "metadata", "keywords_search", "memory_ids", "keywords"];

    public static string AllowedKeysMessage =>
        $"Top-level key must be a logical operator or an allowed field: [{string.Join(", ", AllowedKeys.Select(k => $"'{k}'"))}]";

    /// <summary>True when an entity id appears anywhere in the filter (outside NOT).</summary>
    public static bool HasEntity(JsonObject filter) => filter.Any(p =>
        FilterValues.IsEntityKey(p.Key) ||
        (p.Key is "AND" or "OR" && p.Value is JsonArray a && a.OfType<JsonObject>().Any(HasEntity)) ||
        (p.Key is "AND" or "OR" && p.Value is JsonObject o && HasEntity(o)));

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

            case "user_id" or "agent_id" or "app_id" or "run_id":
                return Entity(key, value);
            case "created_at" or "updated_at" or "timestamp" or "expiration_date":
                return Time(key, value);
            case "categories":
                return Categories(value);
            case "metadata":
                return Metadata(value);
            case "memory_ids":
                {
                    var list = value is JsonObject o && o["in"] is JsonArray inList ? inList : FilterValues.ListOf(value, "memory_ids");
                    var ids = list.Select(EmulatorJson.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    return r => ids.Contains(r.Id.ToString());
                }

            case "text" or "keywords" or "keywords_search":
                return Text(key, value);
            default:
                throw new FilterException(AllowedKeysMessage);
        }
    }

    private static Func<MemoryRecord, bool> Entity(string key, JsonNode? value)
    {
        if (value is not JsonObject ops)
        {
            var wanted = EmulatorJson.Id(value);
            return wanted == "*" ? r => r.EntityId(key) is not null : r => r.EntityId(key) == wanted;
        }

        var checks = ops.Select<KeyValuePair<string, JsonNode?>, Func<MemoryRecord, bool>>(op => op.Key switch
        {
            "eq" when EmulatorJson.Id(op.Value) == "*" => r => r.EntityId(key) is not null,
            "eq" => r => r.EntityId(key) == EmulatorJson.Id(op.Value),
            "ne" => r => r.EntityId(key) != EmulatorJson.Id(op.Value),
            "in" => InIds(key, FilterValues.ListOf(op.Value, "in")),
            _ => throw new FilterException($"Unsupported operator '{op.Key}' for field '{key}'. Allowed: eq, ne, in, *"),
        }).ToList();
        return r => checks.TrueForAll(c => c(r));
    }

    private static Func<MemoryRecord, bool> InIds(string key, JsonArray list)
    {
        var ids = list.Select(EmulatorJson.Id).ToHashSet(StringComparer.Ordinal);
        return r => r.EntityId(key) is string id && ids.Contains(id);
    }

    private static Func<MemoryRecord, bool> Time(string key, JsonNode? value)
    {
        if (value is not JsonObject ops)
        {
            throw new FilterException($"Field '{key}' requires an operator: gt, gte, lt, lte, ne, in.");
        }

        Func<MemoryRecord, DateTimeOffset?> read = key switch
        {
            "updated_at" => r => r.UpdatedAt,
            "expiration_date" => r => EmulatorJson.TryDate(r.ExpirationDate, out var d) ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            _ => r => r.CreatedAt,
        };
        var checks = ops.Select<KeyValuePair<string, JsonNode?>, Func<MemoryRecord, bool>>(op =>
        {
            if (op.Key == "in")
            {
                var instants = FilterValues.ListOf(op.Value, "in").Select(n => Instant(key, n)).ToList();
                return r => read(r) is DateTimeOffset t && instants.Contains(t);
            }

            var bound = Instant(key, op.Value);
            return op.Key switch
            {
                "gt" => r => read(r) > bound,
                "gte" => r => read(r) >= bound,
                "lt" => r => read(r) < bound,
                "lte" => r => read(r) <= bound,
                "ne" => r => read(r) != bound,
                _ => throw new FilterException($"Unsupported operator '{op.Key}' for field '{key}'. Allowed: gt, gte, lt, lte, ne, in"),
            };
        }).ToList();
        return r => checks.TrueForAll(c => c(r));
    }

    private static DateTimeOffset Instant(string key, JsonNode? node) =>
        EmulatorJson.TryInstant(node, out var t) ? t : throw new FilterException($"Invalid date value for field '{key}'.");

    private static Func<MemoryRecord, bool> Categories(JsonNode? value)
    {
        switch (value)
        {
            case JsonArray list:
                return AnyCategory(list);
            case JsonObject ops:
                var checks = ops.Select<KeyValuePair<string, JsonNode?>, Func<MemoryRecord, bool>>(op => op.Key switch
                {
                    "in" => AnyCategory(FilterValues.ListOf(op.Value, "in")),
                    "contains" => r => r.Categories.Contains(EmulatorJson.Id(op.Value) ?? string.Empty, StringComparer.Ordinal),
                    _ => throw new FilterException($"Unsupported operator '{op.Key}' for field 'categories'. Allowed: in, contains"),
                }).ToList();
                return r => checks.TrueForAll(c => c(r));
            default:
                var one = EmulatorJson.Id(value);
                return r => r.Categories.Contains(one ?? string.Empty, StringComparer.Ordinal);
        }
    }

    private static Func<MemoryRecord, bool> AnyCategory(JsonArray list)
    {
        var wanted = list.Select(EmulatorJson.Id).ToHashSet(StringComparer.Ordinal);
        return r => r.Categories.Exists(c => wanted.Contains(c));
    }

    private static Func<MemoryRecord, bool> Metadata(JsonNode? value)
    {
        if (value is not JsonObject obj)
        {
            throw new FilterException("Field 'metadata' requires an object, e.g. {\"metadata\": {\"key\": \"value\"}}.");
        }

        if (obj.Count == 1 && obj.First() is var only && only.Value is JsonObject inner && IsOperator(only.Key))
        {
            return only.Key switch
            {
                "eq" => r => MetadataEquals(r, inner),
                "ne" => r => !MetadataEquals(r, inner),
                "contains" => r => inner.All(p => FilterValues.Contains(r.Metadata?[p.Key], p.Value, StringComparison.Ordinal)),
                _ => throw new FilterException($"Unsupported operator '{only.Key}' for field 'metadata'. Allowed: eq, ne, contains"),
            };
        }

        return r => MetadataEquals(r, obj);
    }

    private static bool IsOperator(string key) => key is "eq" or "ne" or "contains" or "in" or "nin" or "gt" or "gte" or "lt" or "lte" or "icontains";

    private static bool MetadataEquals(MemoryRecord r, JsonObject wanted) => wanted.All(p => FilterValues.Equal(r.Metadata?[p.Key], p.Value));

    private static Func<MemoryRecord, bool> Text(string key, JsonNode? value)
    {
        if (value is not JsonObject ops)
        {
            var needle = EmulatorJson.Id(value) ?? string.Empty;
            return r => r.Text.Contains(needle, StringComparison.OrdinalIgnoreCase);
        }

        var checks = ops.Select<KeyValuePair<string, JsonNode?>, Func<MemoryRecord, bool>>(op =>
        {
            var needle = EmulatorJson.Id(op.Value) ?? string.Empty;
            return op.Key switch
            {
                "contains" => r => r.Text.Contains(needle, StringComparison.Ordinal),
                "icontains" => r => r.Text.Contains(needle, StringComparison.OrdinalIgnoreCase),
                "eq" => r => string.Equals(r.Text, needle, StringComparison.Ordinal),
                _ => throw new FilterException($"Unsupported operator '{op.Key}' for field '{key}'. Allowed: contains, icontains"),
            };
        }).ToList();
        return r => checks.TrueForAll(c => c(r));
    }

    private static List<Func<MemoryRecord, bool>> Children(string key, JsonNode? value) => value switch
    {
        JsonArray array => array.Select(item => item as JsonObject ?? throw new FilterException($"{key} items must be objects.")).Select(Compile).ToList(),
        JsonObject obj => [Compile(obj)],
        _ => throw new FilterException($"{key} must be a list of filter objects."),
    };
}
