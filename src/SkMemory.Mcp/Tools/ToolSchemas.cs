using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace SkMemory.Mcp.Tools;

/// <summary>The JSON schemas the tools publish, exported from their argument and result types.</summary>
internal static class ToolSchemas
{
    /// <summary>The input schema: strict (no unknown properties), with descriptions, defaults and the required properties.</summary>
    public static JsonElement Input(JsonTypeInfo typeInfo) => Export(typeInfo, strict: true);

    /// <summary>The output schema of the structured content.</summary>
    /// <remarks>
    /// A failed call (<c>isError</c>) carries <c>{"error": {code, message}}</c> as its structured content instead, and
    /// clients may check it against this schema too: so <c>error</c> is one of its properties, and none is required at the root.
    /// </remarks>
    public static JsonElement Output(JsonTypeInfo typeInfo) => Export(typeInfo, strict: false);

    private static JsonElement Export(JsonTypeInfo typeInfo, bool strict)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Transform(context, node, strict),
        };
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(typeInfo, exporterOptions);
        if (schema is JsonObject root)
        {
            root["type"] = "object";
            if (!strict && root["properties"] is JsonObject properties)
            {
                root.Remove("required");
                var error = JsonSchemaExporter.GetJsonSchemaAsNode(McpJsonContext.Default.ToolError, exporterOptions);
                error["description"] = "Present only when isError is true: what failed (code) and what to do (message).";
                properties["error"] = error;
            }
        }

        return JsonElement.Parse(schema.ToJsonString());
    }

    private static bool MayBeNull(JsonObject property) =>
        (property["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
        || (property["enum"] is JsonArray values && values.Any(v => v is null));

    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode node, bool strict)
    {
        if (node is JsonValue { } anything && anything.GetValueKind() == JsonValueKind.True)
        {
            // A JsonElement argument exports as the schema `true` (anything); the TypeScript SDK's client refuses a property
            // schema that is not an object, and `{}` means the same.
            node = new JsonObject();
        }

        if (node is not JsonObject schema)
        {
            return node;
        }

        if (strict)
        {
            // Optional arguments are simply left out; "null" in their types only confuses models.
            if (schema["type"] is JsonArray types && types.Count == 2 && types.Any(t => t?.GetValue<string>() == "null"))
            {
                schema["type"] = types.First(t => t?.GetValue<string>() != "null")!.GetValue<string>();
            }

            if (schema["enum"] is JsonArray values && values.Any(v => v is null))
            {
                schema["enum"] = new JsonArray([.. values.Where(v => v is not null).Select(v => v!.DeepClone())]);
            }
        }
        else if (schema["required"] is JsonArray required && schema["properties"] is JsonObject properties)
        {
            // Results leave null properties out, so a property that may be null is not required.
            var always = required.Where(r => r is not null && !(properties[r.GetValue<string>()] is JsonObject p && MayBeNull(p))).Select(r => r!.DeepClone()).ToList();
            if (always.Count == 0)
            {
                schema.Remove("required");
            }
            else
            {
                schema["required"] = new JsonArray([.. always]);
            }
        }

        if (schema["enum"] is JsonArray names && schema["type"] is null && names.All(n => n?.GetValueKind() == JsonValueKind.String))
        {
            schema["type"] = "string";
        }

        var attributes = context.PropertyInfo?.AttributeProvider;
        if (attributes?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).FirstOrDefault() is DescriptionAttribute description)
        {
            schema["description"] = description.Description;
        }

        if (attributes?.GetCustomAttributes(typeof(DefaultValueAttribute), inherit: false).FirstOrDefault() is DefaultValueAttribute { Value: { } value })
        {
            schema["default"] = value switch
            {
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                double d => JsonValue.Create(d),
                bool b => JsonValue.Create(b),
                _ => JsonValue.Create(value.ToString()),
            };
        }

        if (strict && schema["properties"] is JsonObject)
        {
            schema["additionalProperties"] = false;
        }

        return schema;
    }
}
