using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>The JSON forms of the contract's types: one set of options shared by every store, export and surface.</summary>
public static class MemoryJson
{
    /// <summary>Gets the serializer options (snake_case, enums as strings, nulls omitted, source-generated).</summary>
    public static JsonSerializerOptions Options => MemoryJsonContext.Default.Options;

    /// <summary>Serializes a record to its compact JSON form.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The JSON text.</returns>
    public static string SerializeRecord(MemoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonSerializer.Serialize(record, MemoryJsonContext.Default.MemoryRecord);
    }

    /// <summary>Reads a record from its JSON form, checking the schema version.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The text is not a memory record.</exception>
    /// <exception cref="MemoryValidationException">The record's <c>schema_version</c> is not supported.</exception>
    public static MemoryRecord DeserializeRecord(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var record = JsonSerializer.Deserialize(json, MemoryJsonContext.Default.MemoryRecord)
            ?? throw new JsonException("Expected a memory record object, found null.");
        return CheckSchemaVersion(record);
    }

    /// <summary>Reads a record from a parsed JSON element, checking the schema version.</summary>
    /// <param name="element">The element.</param>
    /// <returns>The record.</returns>
    /// <exception cref="JsonException">The element is not a memory record.</exception>
    /// <exception cref="MemoryValidationException">The record's <c>schema_version</c> is not supported.</exception>
    public static MemoryRecord DeserializeRecord(JsonElement element)
    {
        var record = element.Deserialize(MemoryJsonContext.Default.MemoryRecord)
            ?? throw new JsonException("Expected a memory record object, found null.");
        return CheckSchemaVersion(record);
    }

    /// <summary>Gets the JSON (wire) name of an enum member, as used in records, events and the hash chain.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="value">The member.</param>
    /// <returns>The name, for example <c>personal</c> or <c>consent_changed</c>.</returns>
    public static string EnumName<TEnum>(TEnum value)
        where TEnum : struct, Enum => EnumNames<TEnum>.ToName[value];

    /// <summary>Parses the JSON (wire) name of an enum member.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="name">The wire name.</param>
    /// <param name="value">The member, when the name is known.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParseEnum<TEnum>(string name, out TEnum value)
        where TEnum : struct, Enum => EnumNames<TEnum>.FromName.TryGetValue(name, out value);

    /// <summary>Gets the wire names of an enum's members.</summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <returns>The names.</returns>
    public static IReadOnlyCollection<string> EnumNamesOf<TEnum>()
        where TEnum : struct, Enum => EnumNames<TEnum>.FromName.Keys;

    private static MemoryRecord CheckSchemaVersion(MemoryRecord record) =>
        record.SchemaVersion == MemoryRecord.CurrentSchemaVersion
            ? record
            : throw new MemoryValidationException(
                "schema_version",
                $"record schema version {record.SchemaVersion} is not supported; this version of SkMemory reads version {MemoryRecord.CurrentSchemaVersion}. Upgrade SkMemory or export with a matching version.");

    private static class EnumNames<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> ToName = Build();
        public static readonly Dictionary<string, TEnum> FromName = ToName.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

        private static Dictionary<TEnum, string> Build()
        {
            var names = new Dictionary<TEnum, string>();
            foreach (var field in typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var wire = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? field.Name;
                names[(TEnum)field.GetValue(null)!] = wire;
            }

            return names;
        }
    }
}
