// Mem0Emulator — an emulator of Mem0's documented REST API, for tests. It is NOT Mem0.
//
// It serves, on one loopback Kestrel port and over one shared in-memory state, the two REST APIs described in the
// verified Mem0 API reference (mem0-api.md, sections 0-2 and the emulator blueprint in section 4):
//   * the self-hosted OSS server (paths without a trailing slash, X-API-Key / Bearer auth, FastAPI error bodies):
//     POST/GET/DELETE /memories, GET/PUT/DELETE /memories/{id}, GET /memories/{id}/history, POST /search,
//     POST /reset, GET /entities, DELETE /entities/{type}/{id};
//   * the hosted Platform (paths always with a trailing slash, "Authorization: Token <key>"):
//     GET /v1/ping/, POST /v1/memories/ (v1 add), POST /v3/memories/add/, POST /v1|v2|v3/memories/search/,
//     POST /v3/memories/ (paged list), GET /v1/memories/ (list), GET/PUT/DELETE /v1/memories/{id}/,
//     GET /v1/memories/{id}/history/, DELETE /v1/memories/?ids (delete all), PUT/DELETE /v1/batch/,
//     GET /v1/entities/, DELETE /v2/entities/{type}/{name}/, GET /v1/event/{id}/.
// The other form of every path (with/without the slash) answers 404 {"detail":"Not Found"}, as the real servers do.
//
// What is emulated: request validation and the documented error bodies and status codes, scoping and both filter
// grammars, defaults (top_k, threshold, page_size), paging envelopes, expiry hiding (show_expired), metadata merge,
// history rows, async Platform events (PENDING until Mem0EmulatorOptions.PlatformAsyncDelay has elapsed), and
// speaker attribution of v3 inferred adds.
//
// What is NOT emulated: the LLM. "Inference" is deterministic: each non-system message becomes one memory whose
// text is the message content, trimmed (no rewriting); an inferred add skips a text whose md5 already exists in the
// same scope (Mem0 v3's dedup). Search scores are word-token overlap (see TextScorer), not embeddings. Categories are
// only the names of the add's "custom_categories" that share a word with the text. Also not emulated: graph memory
// and "relations" (always []), v1 UPDATE/DELETE decisions, webhooks, exports, summaries, feedback, orgs/projects,
// configuration routes, the OSS /auth (register/login/JWT) and /api-keys flows (every Bearer token is "invalid"),
// rate limiting (use InjectFault), and the 502 provider failures (use InjectFault).
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkMemory.Mem0.Emulator;

/// <summary>An in-process emulator of Mem0's REST APIs (self-hosted server and hosted Platform), for tests. Not Mem0.</summary>
public sealed class Mem0Emulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorEngine _engine;
    private readonly Lock _gate = new();
    private readonly List<Mem0EmulatorRequest> _requests = [];
    private readonly List<(Mem0EmulatorFault Fault, int Remaining)> _faults = [];

    private Mem0Emulator(WebApplication app, Mem0EmulatorOptions options)
    {
        _app = app;
        Options = options;
        _engine = new EmulatorEngine(options);
        BaseAddress = new Uri("http://127.0.0.1/");
    }

    /// <summary>Gets the API root, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; private set; }

    /// <summary>Gets the options the emulator runs with.</summary>
    public Mem0EmulatorOptions Options { get; }

    /// <summary>Gets the number of memories currently stored (all entities, both APIs).</summary>
    public int MemoryCount => _engine.MemoryCount;

    /// <summary>Gets a snapshot of every request handled so far, in order (faulted and rejected ones included).</summary>
    public IReadOnlyList<Mem0EmulatorRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts an emulator on a free loopback port.</summary>
    /// <param name="options">Keys, clock and async delay; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator.</returns>
    public static async Task<Mem0Emulator> StartAsync(Mem0EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new Mem0EmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var emulator = new Mem0Emulator(app, options);
        app.Run(emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        emulator.BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
        return emulator;
    }

    /// <summary>Makes the next <paramref name="times"/> matching requests answer with <paramref name="fault"/> (state is not touched).</summary>
    /// <param name="fault">The canned response.</param>
    /// <param name="times">How many matching requests get it.</param>
    public void InjectFault(Mem0EmulatorFault fault, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
        {
            _faults.Add((fault, times));
        }
    }

    /// <summary>Clears memories, history, events, faults and the request log.</summary>
    public void Reset()
    {
        _engine.Reset();
        lock (_gate)
        {
            _faults.Clear();
            _requests.Clear();
        }
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string? body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        body = body.Length == 0 ? null : body;
        var pathAndQuery = request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var fault = TakeFault(request.Method, request.Path.Value ?? "/");
        if (fault is not null)
        {
            Log(new Mem0EmulatorRequest(request.Method, pathAndQuery, fault.StatusCode, body));
            if (fault.Delay is { } delay)
            {
                // Ends early when the client gives up or the emulator is disposed.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping);
                try
                {
                    await Task.Delay(delay, wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            context.Response.StatusCode = fault.StatusCode;
            if (fault.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(fault.Body, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
        {
            query[name] = value.ToString();
        }

        var input = new EmulatorHttpRequest(
            request.Method,
            request.Path.Value ?? "/",
            query,
            request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null,
            request.Headers.TryGetValue("X-API-Key", out var key) ? key.ToString() : null,
            body,
            BaseAddress);
        var response = _engine.Handle(input);
        Log(new Mem0EmulatorRequest(request.Method, pathAndQuery, response.StatusCode, body));
        context.Response.StatusCode = response.StatusCode;
        foreach (var (header, value) in response.Headers)
        {
            context.Response.Headers[header] = value;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private Mem0EmulatorFault? TakeFault(string method, string path)
    {
        lock (_gate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var (fault, remaining) = _faults[i];
                if ((fault.PathPrefix is null || path.StartsWith(fault.PathPrefix, StringComparison.Ordinal))
                    && (fault.Method is null || string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase)))
                {
                    if (remaining <= 1)
                    {
                        _faults.RemoveAt(i);
                    }
                    else
                    {
                        _faults[i] = (fault, remaining - 1);
                    }

                    return fault;
                }
            }
        }

        return null;
    }

    private void Log(Mem0EmulatorRequest entry)
    {
        lock (_gate)
        {
            _requests.Add(entry);
        }
    }
}
