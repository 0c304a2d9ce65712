using System.Text.Json.Serialization;

namespace SkMemory.Mcp.Tools;

/// <summary>JSON of the tools' arguments and results: snake_case, enums as strings, nulls omitted, unknown arguments refused.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ReadArgs))]
[JsonSerializable(typeof(WriteArgs))]
[JsonSerializable(typeof(UpdateArgs))]
[JsonSerializable(typeof(SearchArgs))]
[JsonSerializable(typeof(ForgetArgs))]
[JsonSerializable(typeof(IdArgs))]
[JsonSerializable(typeof(IngestArgs))]
[JsonSerializable(typeof(JobArgs))]
[JsonSerializable(typeof(ReadResult))]
[JsonSerializable(typeof(WriteResult))]
[JsonSerializable(typeof(UpdateResult))]
[JsonSerializable(typeof(SearchResult))]
[JsonSerializable(typeof(ForgetResult))]
[JsonSerializable(typeof(HistoryResult))]
[JsonSerializable(typeof(ExplainResult))]
[JsonSerializable(typeof(IngestResult))]
[JsonSerializable(typeof(JobResult))]
[JsonSerializable(typeof(ErrorResult))]
[JsonSerializable(typeof(ToolError))]
internal sealed partial class McpJsonContext : JsonSerializerContext;
