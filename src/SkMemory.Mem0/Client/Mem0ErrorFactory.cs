using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly.Timeout;

namespace SkMemory.Mem0;

/// <summary>Turns Mem0 failures into <see cref="Mem0ApiException"/>s that keep Mem0's own message and say what to do next.</summary>
internal static class Mem0ErrorFactory
{
    private const int MaxMessageLength = 1000;

    /// <summary>Reads the error body as raw text (Mem0's bodies are not uniform) and builds the exception.</summary>
    public static async Task<Mem0ApiException> FromResponseAsync(HttpResponseMessage response, int attempts, Mem0ApiFlavor flavor, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // A body cut off mid-read still leaves the status, which is what the caller acts on.
            body = string.Empty;
        }

        var requestId = response.Headers.TryGetValues("X-Request-ID", out var values) ? values.FirstOrDefault() : null;
        requestId ??= TryReadRequestId(body);
        var mem0Message = ExtractMessage(body, response.ReasonPhrase ?? response.StatusCode.ToString());
        var status = (int)response.StatusCode;
        var code = Classify(response.StatusCode);
        var request = response.RequestMessage;
        var what = request is null ? "the call" : $"{request.Method} {request.RequestUri?.AbsolutePath}";
        var quoted = $"{status}: {mem0Message}";
        var message = status switch
        {
            401 => $"Mem0 rejected the API key ({quoted}). Check MEM0_API_KEY ({KeyHint(flavor)}).",
            403 => $"Mem0 refused {what} for this key ({quoted}). Use a key with the rights the call needs{(flavor == Mem0ApiFlavor.OpenSource ? " (the self-hosted server wants its admin key to delete all memories or to list without ids)" : string.Empty)}.",
            404 => $"Mem0 found nothing at {what} ({quoted}). Check the memory id and the base address{(flavor == Mem0ApiFlavor.OpenSource ? " and that the server is the self-hosted Mem0 REST server" : string.Empty)}.",
            413 => $"Mem0 refused {what} as too large or over quota ({quoted}). Send less per call or check the plan's limits.",
            400 or 409 or 422 => $"Mem0 rejected {what} ({quoted}). Fix the request; retrying it unchanged will fail again.",
            _ when code == MemoryErrorCode.Unavailable => $"Mem0 is unavailable after {Attempts(attempts)} ({quoted}). Retry later; writes already in the canonical mirror are pushed by `skmem reconcile`.",
            _ => $"Mem0 answered {what} with an unexpected status ({quoted}). Check the base address and the API flavor ({flavor}).",
        };

        if (requestId is not null)
        {
            message += $" Mem0 request id: {requestId}.";
        }

        return new Mem0ApiException(code, response.StatusCode, mem0Message, message, requestId);
    }

    /// <summary>Builds the exception for a call that never got an answer (timeouts, refused connections).</summary>
    public static Mem0ApiException FromTransportFailure(Exception exception, int attempts, Uri? baseAddress, Mem0ClientOptions options)
    {
        var (mem0Message, cause) = exception switch
        {
            TimeoutRejectedException t when t.Timeout >= options.TotalTimeout =>
                ($"no answer within the total timeout of {t.Timeout.TotalSeconds:0.###} s", $"Mem0 did not finish the call within {options.TotalTimeout.TotalSeconds:0.###} s ({Attempts(attempts)})"),
            TimeoutRejectedException t =>
                ($"no answer within {t.Timeout.TotalSeconds:0.###} s", $"Mem0 did not answer within the attempt timeout of {options.AttemptTimeout.TotalSeconds:0.###} s ({Attempts(attempts)})"),
            _ => (exception.Message, $"Mem0 at {baseAddress} could not be reached after {Attempts(attempts)} ({exception.Message})"),
        };
        var message = $"{cause}. Check that the server is up and the base address is right, then retry; writes already in the canonical mirror are pushed by `skmem reconcile`.";
        return new Mem0ApiException(MemoryErrorCode.Unavailable, null, mem0Message, message, null, exception);
    }

    /// <summary>Maps an HTTP status to the contract's error code.</summary>
    public static MemoryErrorCode Classify(HttpStatusCode statusCode) => (int)statusCode switch
    {
        400 or 409 or 413 or 422 => MemoryErrorCode.Validation,
        401 or 403 => MemoryErrorCode.AccessDenied,
        404 => MemoryErrorCode.NotFound,
        408 or 429 or >= 500 => MemoryErrorCode.Unavailable,
        _ => MemoryErrorCode.Validation,
    };

    /// <summary>Whether a status is worth retrying: timeouts, rate limits and server faults (not 501/505, which will not change).</summary>
    public static bool IsTransient(HttpStatusCode statusCode) => (int)statusCode is 408 or 429 or (>= 500 and not 501 and not 505);

    /// <summary>
    /// Extracts Mem0's message from a body: <c>detail</c> (text, or FastAPI's 422 array), <c>details.message</c>,
    /// <c>error</c>, <c>message</c>, a bare array of strings, or else the raw text.
    /// </summary>
    public static string ExtractMessage(string body, string fallback)
    {
        var text = body.Trim();
        if (text.Length == 0)
        {
            return fallback;
        }

        try
        {
            var node = JsonNode.Parse(text);
            var extracted = node switch
            {
                JsonObject o => FromObject(o),
                JsonArray a => JoinStrings(a),
                JsonValue v when v.TryGetValue(out string? s) => s,
                _ => null,
            };
            if (!string.IsNullOrWhiteSpace(extracted))
            {
                return Truncate(extracted);
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML page from a proxy, plain text): the raw text is the message.
        }

        return Truncate(text);
    }

    private static string? FromObject(JsonObject o)
    {
        var detail = o["detail"] switch
        {
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonArray a => JoinValidationErrors(a),
            JsonObject d => d.ToJsonString(),
            _ => null,
        };
        if (!string.IsNullOrWhiteSpace(detail))
        {
            return detail;
        }

        var error = AsString(o["error"]);
        var detailsMessage = o["details"] is JsonObject details ? AsString(details["message"]) : null;
        if (detailsMessage is not null)
        {
            // {"error":"400 Bad Request","details":{"message":...}}: the nested message says what was wrong.
            return error is null ? detailsMessage : $"{error}: {detailsMessage}";
        }

        return error ?? AsString(o["message"]);
    }

    // FastAPI 422: [{"loc":["body","messages",0,"content"],"msg":"Input should be a valid string","type":"string_type"}].
    private static string JoinValidationErrors(JsonArray errors)
    {
        var builder = new StringBuilder();
        foreach (var error in errors)
        {
            if (builder.Length > 0)
            {
                builder.Append("; ");
            }

            if (error is JsonObject e)
            {
                builder.Append(AsString(e["msg"]) ?? e.ToJsonString());
                if (e["loc"] is JsonArray loc && loc.Count > 0)
                {
                    builder.Append(" (at ").AppendJoin('.', loc.Select(l => l?.ToString())).Append(')');
                }
            }
            else
            {
                builder.Append(error?.ToString());
            }
        }

        return builder.ToString();
    }

    private static string? JoinStrings(JsonArray array)
    {
        var parts = array.Select(AsString).Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string? TryReadRequestId(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject o ? AsString(o["request_id"]) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? AsString(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static string Truncate(string text) => text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");

    private static string Attempts(int attempts) => attempts == 1 ? "1 attempt" : string.Create(CultureInfo.InvariantCulture, $"{attempts} attempts");

    private static string KeyHint(Mem0ApiFlavor flavor) => flavor == Mem0ApiFlavor.Platform
        ? "the Platform expects Authorization: Token <key>"
        : "the self-hosted server expects X-API-Key: <key>, its ADMIN_API_KEY or a user key";
}
