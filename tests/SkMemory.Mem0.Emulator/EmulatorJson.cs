using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>JSON, time and hash helpers shared by both emulated APIs.</summary>
internal static class EmulatorJson
{
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode? node) => node is null ? "null" : node.ToJsonString(WriteOptions);

    /// <summary>Parses a request body; false when it is not valid JSON.</summary>
    public static bool TryParse(string? text, out JsonNode? node)
    {
        node = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            node = JsonNode.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>ISO-8601 UTC with microseconds and an explicit offset, as Mem0 v3 writes it.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    public static string Md5(string text)
    {
#pragma warning disable CA5351 // Mem0 itself uses md5 as a content hash (dedup key), not for security.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
    }

    /// <summary>Reads a string property; null when absent or JSON null.</summary>
    public static string? Str(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>Reads an entity id: strings as sent, numbers coerced to strings (as Mem0 does).</summary>
    public static string? Id(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    public static bool? Bool(JsonObject obj, string name) => obj[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    /// <summary>Reads a number as double; null when absent/null, NaN when present but not a number.</summary>
    public static double? Number(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        _ => double.NaN,
    };

    public static bool IsNull(JsonNode? node) => node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null);

    /// <summary>Parses "YYYY-MM-DD".</summary>
    public static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>Parses a date or date-time (a date alone means midnight UTC; no offset means UTC).</summary>
    public static bool TryInstant(JsonNode? node, out DateTimeOffset instant)
    {
        instant = default;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            instant = DateTimeOffset.FromUnixTimeMilliseconds((long)(v.GetValue<double>() * 1000));
            return true;
        }

        var text = Id(node);
        if (text is null)
        {
            return false;
        }

        if (TryDate(text, out var date))
        {
            instant = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }
}
