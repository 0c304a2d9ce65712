using System.Text.Json.Serialization;

namespace SkMemory.Mcp;

/// <summary>The body of an HTTP-level refusal (401, 413).</summary>
/// <param name="Error">What went wrong and what to do.</param>
internal sealed record HttpErrorBody(string Error);

/// <summary>The body of <c>GET /healthz</c>.</summary>
/// <param name="Status">Always <c>ok</c>.</param>
internal sealed record HealthBody(string Status);

/// <summary>JSON of the HTTP-level bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HttpErrorBody))]
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
