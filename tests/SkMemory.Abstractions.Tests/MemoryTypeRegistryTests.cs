using System.Text.Json;

namespace SkMemory.Abstractions.Tests;

public sealed class MemoryTypeRegistryTests
{
    private const string AddressSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "properties": {
            "street": { "type": "string", "minLength": 1 },
            "city": { "type": "string" }
          },
          "required": ["street", "city"],
          "additionalProperties": false
        }
        """;

    [Fact]
    public void NewRegistry_HasTheSevenBuiltInTypesWithoutSchemas()
    {
        var registry = new MemoryTypeRegistry();

        Assert.Equal(MemoryTypes.BuiltIn.Order(StringComparer.Ordinal), registry.Types.Select(t => t.Name));
        Assert.Equal(7, MemoryTypes.BuiltIn.Count);
        foreach (var name in MemoryTypes.BuiltIn)
        {
            Assert.True(registry.TryGet(name, out var definition));
            Assert.Equal(name, definition.Name);
            Assert.Equal(1, definition.SchemaVersion);
            Assert.Null(definition.JsonSchemaText);
            Assert.False(string.IsNullOrWhiteSpace(definition.Description));
            using var anything = JsonDocument.Parse("""[1,"two",{"three":3}]""");
            Assert.Null(definition.Validate(anything.RootElement));
        }
    }

    [Fact]
    public void TryGet_UnknownOrDifferentlyCasedName_IsFalse()
    {
        var registry = new MemoryTypeRegistry();

        Assert.False(registry.TryGet("opinion", out var missing));
        Assert.Null(missing);
        Assert.False(registry.TryGet("Fact", out _));
        Assert.False(registry.TryGet(string.Empty, out _));
        Assert.Throws<ArgumentNullException>(() => registry.TryGet(null!, out _));
    }

    [Fact]
    public void Register_CustomTypeWithSchema_ValidatesStructuredValues()
    {
        var registry = new MemoryTypeRegistry();
        var address = new MemoryTypeDefinition("address", "A postal address.", AddressSchema, schemaVersion: 2);

        Assert.Same(registry, registry.Register(address));

        Assert.True(registry.TryGet("address", out var found));
        Assert.Same(address, found);
        Assert.Equal(8, registry.Types.Count);
        Assert.Equal(2, found.SchemaVersion);
        Assert.Equal(AddressSchema, found.JsonSchemaText);
        Assert.Null(found.Validate(Json("""{"street":"Rua Augusta 1","city":"Lisbon"}""")));
        foreach (var invalid in new[] { """{"street":"Rua Augusta 1"}""", """{"street":"","city":"Lisbon"}""", """{"street":"x","city":7}""", """{"street":"x","city":"y","zip":"1"}""", "[]", "\"Lisbon\"", "null" })
        {
            var problem = found.Validate(Json(invalid));
            Assert.False(string.IsNullOrWhiteSpace(problem), $"{invalid} should not match the schema");
        }
    }

    [Fact]
    public void Register_SameNameAgain_ReplacesTheDefinition()
    {
        var registry = new MemoryTypeRegistry()
            .Register(new MemoryTypeDefinition("address", "v1", AddressSchema, schemaVersion: 1))
            .Register(new MemoryTypeDefinition("address", "v2, free-form", jsonSchema: null, schemaVersion: 2));

        Assert.True(registry.TryGet("address", out var definition));
        Assert.Equal("v2, free-form", definition.Description);
        Assert.Equal(2, definition.SchemaVersion);
        Assert.Null(definition.Validate(Json("""{"anything":true}""")));
        Assert.Equal(8, registry.Types.Count);
        Assert.Throws<ArgumentNullException>(() => registry.Register(null!));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("address")]
    [InlineData("my-type_2")]
    [InlineData("x0123456789012345678901234567890123456789012345678901234567890ab")]
    public void Definition_ValidName_IsAccepted(string name)
    {
        Assert.Equal(name, new MemoryTypeDefinition(name, "d").Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Address")]
    [InlineData("1st")]
    [InlineData("-type")]
    [InlineData("_type")]
    [InlineData("has space")]
    [InlineData("a.b")]
    [InlineData("café")]
    [InlineData("x0123456789012345678901234567890123456789012345678901234567890abc")]
    public void Definition_InvalidName_Throws(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new MemoryTypeDefinition(name, "d"));
    }

    [Fact]
    public void Definition_InvalidSchemaOrVersion_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new MemoryTypeDefinition(null!, "d"));
        Assert.Throws<ArgumentNullException>(() => new MemoryTypeDefinition("t", null!));
        var notJson = Assert.Throws<ArgumentException>(() => new MemoryTypeDefinition("t", "d", "{ not json"));
        Assert.Equal("jsonSchema", notJson.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryTypeDefinition("t", "d", schemaVersion: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryTypeDefinition("t", "d", schemaVersion: -1));
    }

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
