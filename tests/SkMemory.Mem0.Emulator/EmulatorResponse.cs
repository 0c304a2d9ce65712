using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>What the engine answers: status, JSON body text and extra headers.</summary>
internal sealed record EmulatorResponse(int StatusCode, string Body)
{
    /// <summary>Gets extra response headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public static EmulatorResponse Json(int status, JsonNode? node) => new(status, EmulatorJson.Write(node));

    public static EmulatorResponse Ok(JsonNode? node) => Json(200, node);

    public static EmulatorResponse Detail(int status, string detail) => Json(status, new JsonObject { ["detail"] = detail });

    public static EmulatorResponse Error(int status, string error) => Json(status, new JsonObject { ["error"] = error });

    public static EmulatorResponse Message(int status, string message) => Json(status, new JsonObject { ["message"] = message });

    public static EmulatorResponse NotFound() => Detail(404, "Not Found");
}
