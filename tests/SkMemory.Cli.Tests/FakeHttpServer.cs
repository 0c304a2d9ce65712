using System.Net;
using SkMemory.Tests;

namespace SkMemory.Cli.Tests;

/// <summary>
/// A local HTTP server on a free port of 127.0.0.1 that answers each request on its own task; a subclass only says how it
/// answers. Requests a client gives up on (a cancelled test) are dropped without failing the server.
/// </summary>
internal abstract class FakeHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts listening; nothing can reach the server before the constructor returns, since only it knows the port.</summary>
    protected FakeHttpServer()
    {
        (_listener, Port) = Listen();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Gets the port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Gets the base URL to give an OpenAI client (ends in /v1).</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

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

    /// <summary>Answers one request; the response is closed afterwards.</summary>
    /// <param name="context">The request and its response.</param>
    /// <returns>A task that completes when the answer is written.</returns>
    protected abstract Task AnswerAsync(HttpListenerContext context);

    private static (HttpListener Listener, int Port) Listen()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = TestPorts.Free();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between the probe and the start.
                listener.Close();
            }
        }
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
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAndCloseAsync(context));
        }
    }

    private async Task AnswerAndCloseAsync(HttpListenerContext context)
    {
        try
        {
            using (context.Response)
            {
                await AnswerAsync(context);
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away (a cancelled test); nothing to answer.
        }
    }
}
