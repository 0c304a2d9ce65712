using System.Net;
using System.Text;
using System.Text.Json;
using SkMemory.Tests;

namespace SkMemory.Cli.Tests;

/// <summary>
/// A local server that answers <c>POST /v1/chat/completions</c> the way OpenAI's API does, with the assistant text a callback
/// computes from the request's last user message, and counts requests.
/// </summary>
internal sealed class FakeOpenAIChatServer : FakeHttpServer
{
    private readonly Func<string, string> _reply;
    private int _requests;

    private FakeOpenAIChatServer(Func<string, string> reply)
    {
        _reply = reply;
    }

    /// <summary>Gets how many chat requests were answered.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    /// <param name="reply">Computes the assistant's text from the last user message's text.</param>
    public static FakeOpenAIChatServer Start(Func<string, string> reply) => new(reply);

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/v1/chat/completions")
        {
            response.StatusCode = 404;
            return;
        }

        Interlocked.Increment(ref _requests);
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        using var request = JsonDocument.Parse(body);
        var user = request.RootElement.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "user");
        var content = user.GetProperty("content");
        var text = content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : null));
        var answer = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = request.RootElement.TryGetProperty("model", out var model) ? model.GetString() ?? "fake" : "fake",
            ["choices"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["index"] = 0,
                    ["message"] = new Dictionary<string, object> { ["role"] = "assistant", ["content"] = _reply(text) },
                    ["finish_reason"] = "stop",
                },
            },
            ["usage"] = new Dictionary<string, int> { ["prompt_tokens"] = 10, ["completion_tokens"] = 10, ["total_tokens"] = 20 },
        });
        var bytes = Encoding.UTF8.GetBytes(answer);
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
}
