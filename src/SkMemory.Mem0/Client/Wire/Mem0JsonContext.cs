using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SkMemory.Mem0.Wire;

/// <summary>
/// Source-generated JSON for the Mem0 wire types: snake_case names and nulls omitted, as both APIs expect.
/// <see cref="JsonNode"/> values (metadata, filters, update bodies) are written as they are, never case-converted.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(Mem0WireMemory))]
[JsonSerializable(typeof(Mem0WireResults<Mem0WireMemory>))]
[JsonSerializable(typeof(Mem0WirePage))]
[JsonSerializable(typeof(Mem0WireAddRequest))]
[JsonSerializable(typeof(Mem0WireAddResponse))]
[JsonSerializable(typeof(Mem0WireEvent))]
[JsonSerializable(typeof(Mem0WireSearchRequest))]
[JsonSerializable(typeof(Mem0WireListRequest))]
[JsonSerializable(typeof(Mem0WireBatchRequest<Mem0WireBatchItem>))]
[JsonSerializable(typeof(List<Mem0WireHistory>))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(string))]
internal sealed partial class Mem0JsonContext : JsonSerializerContext;
