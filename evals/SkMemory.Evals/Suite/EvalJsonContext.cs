using System.Text.Json.Serialization;

namespace SkMemory.Evals.Suite;

/// <summary>The dataset's JSON shape: camel-case names, nulls left out, unknown fields refused (a typo fails the load).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(EvalUser))]
internal sealed partial class EvalJsonContext : JsonSerializerContext;
