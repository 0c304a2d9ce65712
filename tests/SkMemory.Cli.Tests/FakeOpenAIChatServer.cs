using System.Net;
using System.Text;
using System.Text.Json;
using SkMemory.Tests;

namespace SkMemory.Cli.Tests;

/// <summary>
/// A local server that answers <c>POST /v1/chat/completions</c> the way OpenAI's API does, with the assistant text a callback
/// computes from the request's last user message, and counts requests.
/// </summary>
internal sealed class FakeOpenAIChatServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, string> _reply;
    private int _requests;

    private FakeOpenAIChatServer(HttpListener listener, int port, Func<string, string> reply)
    {
        _listener = listener;
        _reply = reply;
        Port = port;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Gets the port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Gets the base URL to give an OpenAI client (ends in /v1).</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    /// <summary>Gets how many chat requests were answered.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    /// <param name="reply">Computes the assistant's text from the last user message's text.</param>
    public static FakeOpenAIChatServer Start(Func<string, string> reply)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = TestPorts.Free();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeOpenAIChatServer(listener, port, reply);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between the probe and the start.
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var response = context.Response;
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
