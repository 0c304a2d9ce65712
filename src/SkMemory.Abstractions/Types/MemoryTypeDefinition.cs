using System.Text.Json;
using Json.Schema;

namespace SkMemory;

/// <summary>A registered memory type: its name, what it is for, and optionally a JSON schema for structured values.</summary>
public sealed class MemoryTypeDefinition
{
    /// <summary>Initializes a new instance of the <see cref="MemoryTypeDefinition"/> class.</summary>
    /// <param name="name">The type name: lower-case letters, digits, '-' or '_', starting with a letter.</param>
    /// <param name="description">What memories of this type hold.</param>
    /// <param name="jsonSchema">An optional JSON schema (draft 2020-12) that structured values must satisfy.</param>
    /// <param name="schemaVersion">The version of <paramref name="jsonSchema"/>, recorded on each memory.</param>
    /// <exception cref="ArgumentException">The name or schema is invalid.</exception>
    public MemoryTypeDefinition(string name, string description, string? jsonSchema = null, int schemaVersion = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"Memory type name '{name}' is invalid: use lower-case letters, digits, '-' or '_', starting with a letter, at most 64 characters.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        Name = name;
        Description = description;
        SchemaVersion = schemaVersion;
        if (jsonSchema is not null)
        {
            try
            {
                Schema = JsonSchema.FromText(jsonSchema);
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"The JSON schema of memory type '{name}' is not valid JSON: {ex.Message}", nameof(jsonSchema), ex);
            }

            JsonSchemaText = jsonSchema;
        }
    }

    /// <summary>Gets the type name.</summary>
    public string Name { get; }

    /// <summary>Gets what memories of this type hold.</summary>
    public string Description { get; }

    /// <summary>Gets the JSON schema text, if the type has one.</summary>
    public string? JsonSchemaText { get; }

    /// <summary>Gets the schema version recorded on each memory of this type.</summary>
    public int SchemaVersion { get; }

    internal JsonSchema? Schema { get; }

    /// <summary>Validates a structured value against this type's schema.</summary>
    /// <param name="value">The structured value.</param>
    /// <returns>Null when valid; otherwise a description of the first problems found.</returns>
    public string? Validate(JsonElement value)
    {
        if (Schema is null)
        {
            return null;
        }

        var result = Schema.Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return null;
        }

        var problems = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
            .Take(5)
            .ToList();
        return problems.Count == 0 ? "does not match the type's JSON schema" : string.Join("; ", problems);
    }

    private static bool IsValidName(string name) =>
        name.Length <= 64
        && name[0] is >= 'a' and <= 'z'
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}
