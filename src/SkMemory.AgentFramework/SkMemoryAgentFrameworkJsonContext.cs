using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkMemory.AgentFramework;

/// <summary>Source-generated JSON for the provider's session state.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SkMemorySessionState))]
internal sealed partial class SkMemoryAgentFrameworkJsonContext : JsonSerializerContext;
