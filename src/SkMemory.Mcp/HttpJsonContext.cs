using System.Text.Json.Serialization;

namespace SkMemory.Mcp;

/// <summary>The body of an HTTP-level refusal (401, 413).</summary>
/// <param name="Error">What went wrong and what to do.</param>
internal sealed record HttpErrorBody(string Error);

/// <summary>The body of <c>GET /healthz</c>.</summary>
/// <param name="Status">Always <c>ok</c>.</param>
/// <param name="GcHeapBytes">The managed heap in use, in bytes (<see cref="GC.GetTotalMemory(bool)"/>): what load tests and monitors watch without a diagnostics tool.</param>
internal sealed record HealthBody(string Status, long GcHeapBytes);

/// <summary>A JSON-RPC error response for a body that is not JSON.</summary>
/// <param name="Jsonrpc">Always 2.0.</param>
/// <param name="Id">Always null: the request's id could not be read.</param>
/// <param name="Error">The error.</param>
internal sealed record JsonRpcParseError(string Jsonrpc, int? Id, JsonRpcErrorBody Error);

/// <summary>A JSON-RPC error object.</summary>
/// <param name="Code">The code (-32700).</param>
/// <param name="Message">The message.</param>
internal sealed record JsonRpcErrorBody(int Code, string Message);

/// <summary>JSON of the HTTP-level bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HttpErrorBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(JsonRpcParseError))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
