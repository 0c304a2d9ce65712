using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using SkMemory.Tests;

namespace SkMemory.Cli.Tests;

/// <summary>
/// A local server that answers <c>POST /v1/embeddings</c> the way OpenAI's API does (float or base64 encoding, optional
/// <c>dimensions</c>), with <see cref="TestEmbeddingGenerator"/>'s deterministic bag-of-words vectors, and counts requests.
/// </summary>
internal sealed class FakeOpenAIEmbeddingServer : FakeHttpServer
{
    private readonly List<string> _encodings = [];
    private int _requests;
    private int _inputs;

    /// <summary>Gets how many embedding requests were answered (successfully or not).</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Gets how many texts were embedded in all.</summary>
    public int InputCount => Volatile.Read(ref _inputs);

    /// <summary>Gets the encoding_format of every request, in order ("float" when absent).</summary>
    public IReadOnlyList<string> Encodings
    {
        get
        {
            lock (_encodings)
            {
                return [.. _encodings];
            }
        }
    }

    /// <summary>Gets or sets a callback run before each embeddings request is answered, with its 1-based number.</summary>
    public Func<int, Task>? BeforeResponse { get; set; }

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    public static FakeOpenAIEmbeddingServer Start() => new();

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        var request = context.Request;
        if (request.HttpMethod != "POST" || request.Url?.AbsolutePath != "/v1/embeddings")
        {
            await ErrorAsync(response, 404, "invalid_request_error", $"Unknown request URL: {request.HttpMethod} {request.Url?.AbsolutePath}.");
            return;
        }

        var number = Interlocked.Increment(ref _requests);
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.InputStream);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await ErrorAsync(response, 400, "invalid_request_error", "We could not parse the JSON body of your request.");
            return;
        }

        if (!body.TryGetProperty("model", out var modelProperty) || modelProperty.ValueKind != JsonValueKind.String)
        {
            await ErrorAsync(response, 400, "invalid_request_error", "you must provide a model parameter");
            return;
        }

        var inputs = new List<string>();
        if (body.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String)
        {
            inputs.Add(input.GetString()!);
        }
        else if (input.ValueKind == JsonValueKind.Array && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            inputs.AddRange(input.EnumerateArray().Select(e => e.GetString()!));
        }

        if (inputs.Count == 0)
        {
            await ErrorAsync(response, 400, "invalid_request_error", "'input' must be a string or a non-empty array of strings.");
            return;
        }

        var encoding = body.TryGetProperty("encoding_format", out var format) && format.ValueKind == JsonValueKind.String ? format.GetString()! : "float";
        lock (_encodings)
        {
            _encodings.Add(encoding);
        }

        if (encoding is not ("float" or "base64"))
        {
            await ErrorAsync(response, 400, "invalid_request_error", $"'{encoding}' is not one of ['float', 'base64'] - 'encoding_format'");
            return;
        }

        int? dimensions = body.TryGetProperty("dimensions", out var dims) && dims.ValueKind == JsonValueKind.Number ? dims.GetInt32() : null;
        if (dimensions is < 1 or > TestEmbeddingGenerator.Dimensions)
        {
            await ErrorAsync(response, 400, "invalid_request_error", $"This model does not support dimensions={dimensions}.");
            return;
        }

        if (BeforeResponse is { } before)
        {
            await before(number);
        }

        Interlocked.Add(ref _inputs, inputs.Count);
        var tokens = inputs.Sum(t => TestEmbeddingGenerator.Tokenize(t).Count);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (var i = 0; i < inputs.Count; i++)
            {
                var vector = Shorten(TestEmbeddingGenerator.Embed(inputs[i]), dimensions);
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", i);
                if (encoding == "base64")
                {
                    // Little-endian float32, as OpenAI sends it.
                    var bytes = new byte[vector.Length * sizeof(float)];
                    for (var d = 0; d < vector.Length; d++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(d * sizeof(float)), vector[d]);
                    }

                    writer.WriteString("embedding", Convert.ToBase64String(bytes));
                }
                else
                {
                    writer.WriteStartArray("embedding");
                    foreach (var x in vector)
                    {
                        writer.WriteNumberValue(x);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model", modelProperty.GetString());
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", tokens);
            writer.WriteNumber("total_tokens", tokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await WriteAsync(response, 200, buffer.ToArray());
    }

    private static float[] Shorten(float[] vector, int? dimensions)
    {
        if (dimensions is not { } d || d == vector.Length)
        {
            return vector;
        }

        // Like text-embedding-3's shortening: keep the first d values and normalize again.
        var shortened = vector[..d];
        var norm = Math.Sqrt(shortened.Sum(x => (double)x * x));
        return norm == 0 ? shortened : shortened.Select(x => (float)(x / norm)).ToArray();
    }

    private static Task ErrorAsync(HttpListenerResponse response, int status, string type, string message) =>
        WriteAsync(response, status, JsonSerializer.SerializeToUtf8Bytes(new { error = new { message, type, param = (string?)null, code = (string?)null } }));

    private static async Task WriteAsync(HttpListenerResponse response, int status, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
    }
}
