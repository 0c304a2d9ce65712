using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Mcp.Tools;

namespace SkMemory.Mcp;

/// <summary>
/// SkMemory's MCP server over streamable HTTP: Kestrel on <see cref="SkMemoryHttpServerOptions.Host"/>, the tools at
/// <c>/mcp</c> (stateless: every request stands alone and runs as the caller its API key names), and <c>GET /healthz</c>.
/// </summary>
/// <remarks>
/// Requests to <c>/mcp</c> need <c>Authorization: Bearer skm_...</c>, a live key of the store's
/// <see cref="IMemoryApiKeyStore"/>; without one they get 401 with <c>WWW-Authenticate: Bearer</c> and a JSON body saying
/// what to do, and the refusal is recorded in the audit log's denials. Bodies larger than
/// <see cref="SkMemoryMcpOptions.MaxRequestBytes"/> get 413 without being read.
/// </remarks>
public sealed partial class SkMemoryHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MemoryToolHost _tools;
    private int _stopped;

    private SkMemoryHttpServer(WebApplication app, MemoryToolHost tools, Uri baseAddress)
    {
        _app = app;
        _tools = tools;
        BaseAddress = baseAddress;
        McpEndpoint = new Uri(baseAddress, "mcp");
    }

    /// <summary>Gets the address the server listens on, for example <c>http://127.0.0.1:8765/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the MCP endpoint: <see cref="BaseAddress"/> + <c>mcp</c>.</summary>
    public Uri McpEndpoint { get; }

    /// <summary>Starts the server; it serves until stopped or disposed.</summary>
    /// <param name="options">What to serve and where.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException">An option is invalid, or the store keeps no API keys or audit log.</exception>
    public static async Task<SkMemoryHttpServer> StartAsync(SkMemoryHttpServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store);
        options.Mcp.Validate();
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port must be between 0 and 65535; it is {options.Port}.", nameof(options));
        }

        var keys = options.Store.GetService(typeof(IMemoryApiKeyStore)) as IMemoryApiKeyStore
            ?? throw new ArgumentException("The store keeps no API keys (IMemoryApiKeyStore); the HTTP server authenticates every request with one. Use the SQLite or Postgres store.", nameof(options));
        var audit = options.Store.GetService(typeof(IMemoryAuditLog)) as IMemoryAuditLog
            ?? throw new ArgumentException("The store keeps no audit log (IMemoryAuditLog); access control needs one.", nameof(options));
        var address = ParseHost(options.Host);
        var loggerFactory = new ProtocolLogFilter(options.LoggerFactory ?? NullLoggerFactory.Instance);
        var tools = new MemoryToolHost(options.Store, options.Mcp, options.ConfigureStore, loggerFactory, Identify);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(SkMemoryHttpServer).Assembly.GetName().Name });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<ILoggerFactory>(loggerFactory);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = options.Mcp.MaxRequestBytes;
                if (address is null)
                {
                    kestrel.ListenLocalhost(options.Port);
                }
                else
                {
                    kestrel.Listen(address, options.Port);
                }
            });
            builder.Services.AddMcpServer(o => MemoryMcpServer.Configure(o, options.Mcp, tools))
                .WithHttpTransport(o => o.Stateless = true);
            var app = builder.Build();
            var logger = loggerFactory.CreateLogger<SkMemoryHttpServer>();
            app.Use(next => context => GuardAsync(context, next, keys, audit, options.Mcp.MaxRequestBytes, logger));
            app.MapGet("/healthz", () => Results.Json(new HealthBody("ok", GC.GetTotalMemory(forceFullCollection: false)), HttpJsonContext.Default.HealthBody));
            app.MapMcp("/mcp");
            options.ConfigureApp?.Invoke(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var url = app.Urls.First();
            var baseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
            LogStarted(logger, baseAddress);
            return new SkMemoryHttpServer(app, tools, baseAddress);
        }
        catch
        {
            await tools.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops accepting requests, lets the ones in flight finish, and waits for background ingestion runs (cancelled with the token).</summary>
    /// <param name="cancellationToken">Cuts the graceful shutdown short.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        await _tools.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server (cancelling background ingestion runs) and releases it. The store is not disposed.</summary>
    /// <returns>A task that completes when the server is disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _tools.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress? ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new ArgumentException($"Host must be an IP address or localhost; it is \"{host}\".", nameof(host));
    }

    private static ToolCaller? Identify(ClaimsPrincipal? user) =>
        user?.Identities.OfType<ApiKeyIdentity>().FirstOrDefault() is { } identity ? new ToolCaller(identity.Key.ToCaller(), identity.Key) : null;

    // Everything under /mcp: authenticate the bearer key first (401, audited), then refuse oversized bodies (413) before
    // the MCP handler reads a byte of them.
    private static async Task GuardAsync(HttpContext context, RequestDelegate next, IMemoryApiKeyStore keys, IMemoryAuditLog audit, long maxBytes, ILogger logger)
    {
        // Routing matches /mcp case-insensitively, so the guard must too (/MCP is the same endpoint).
        if (!context.Request.Path.StartsWithSegments("/mcp", StringComparison.OrdinalIgnoreCase))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var key = string.IsNullOrEmpty(secret) ? null : await keys.AuthenticateAsync(secret, context.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            await RefuseAsync(context, secret, keys, audit, logger).ConfigureAwait(false);
            return;
        }

        if (context.Request.ContentLength > maxBytes)
        {
            LogTooLarge(logger, key.Id, context.Request.ContentLength.Value, maxBytes);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.Headers.Connection = "close";
            await WriteErrorAsync(context, $"The request body is {context.Request.ContentLength} bytes; this server accepts at most {maxBytes} bytes per request. Send less (for example fewer messages per ingest call). Nothing was written.").ConfigureAwait(false);
            return;
        }

        // A body without a length (chunked) is cut off by Kestrel once it passes the limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        // The SDK answers unparseable JSON with "invalid request"; JSON-RPC says "parse error" (-32700). The body is at most
        // maxBytes, so it is buffered and checked here, then handed on from its start.
        if (HttpMethods.IsPost(context.Request.Method))
        {
            context.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: maxBytes);
            string? problem;
            try
            {
                problem = await JsonProblemAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // A chunked body has no length to check up front; Kestrel stops it at the limit, and it gets the same answer.
                LogTooLarge(logger, key.Id, maxBytes + 1, maxBytes);
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                context.Response.Headers.Connection = "close";
                await WriteErrorAsync(context, $"The request body is larger than the {maxBytes} bytes this server accepts per request. Send less (for example fewer messages per ingest call). Nothing was written.").ConfigureAwait(false);
                return;
            }

            if (problem is not null)
            {
                LogParseError(logger, key.Id);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    JsonSerializer.Serialize(new JsonRpcParseError("2.0", null, new JsonRpcErrorBody(-32700, "Parse error: the request body is not valid JSON (" + problem + ")."))
                    , HttpJsonContext.Default.JsonRpcParseError),
                    context.RequestAborted).ConfigureAwait(false);
                return;
            }

            context.Request.Body.Position = 0;
        }

        context.User = new ClaimsPrincipal(new ApiKeyIdentity(key));
        await next(context).ConfigureAwait(false);
    }

    private static async Task RefuseAsync(HttpContext context, string? secret, IMemoryApiKeyStore keys, IMemoryAuditLog audit, ILogger logger)
    {
        var keyId = KeyIdOf(secret);
        string message;
        var tenant = "unknown";
        if (secret is null)
        {
            message = "No API key: send 'Authorization: Bearer skm_...' with a key created by 'skmem keys create'.";
        }
        else if (keyId is null)
        {
            message = "The bearer token is not an SkMemory API key (skm_<id>_<secret>); create one with 'skmem keys create'.";
        }
        else
        {
            var known = await keys.GetAsync(keyId, context.RequestAborted).ConfigureAwait(false);
            tenant = known?.Tenant ?? tenant;
            message = known?.RevokedAt is { } revoked
                ? $"The API key {keyId} was revoked on {revoked:u}; create a new one with 'skmem keys create'."
                : $"The API key {keyId} is not valid (unknown key or wrong secret); check the secret, or create a key with 'skmem keys create'.";
        }

        await audit.RecordDenialAsync(
            new MemoryAccessDenial
            {
                Tenant = tenant,
                Actor = new MemoryActor(MemoryActorKind.Service, keyId is null ? "anonymous" : "api_key:" + keyId),
                Operation = "authenticate",
                Reason = MemoryAccessDenialReason.NoCaller,
                Detail = message,
                DeniedAt = DateTimeOffset.UtcNow,
            },
            context.RequestAborted).ConfigureAwait(false);
        LogUnauthorized(logger, keyId ?? "none", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"skmemory\"";
        await WriteErrorAsync(context, message).ConfigureAwait(false);
    }

    private static async Task<string?> JsonProblemAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (JsonException ex)
        {
            return $"line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}";
        }
    }

    // skm_<id>_<secret>: the id is the 12 hex characters between the first and second underscore; anything else is no key id
    // (so an attacker's text never reaches the audit log or a lookup).
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private static string? KeyIdOf(string? secret) =>
        secret is { Length: > 17 } token && token.StartsWith("skm_", StringComparison.Ordinal) && token[16] == '_' && !token.AsSpan(4, 12).ContainsAnyExcept(LowerHex)
            ? token[4..16]
            : null;

    private static Task WriteErrorAsync(HttpContext context, string message)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new HttpErrorBody(message), HttpJsonContext.Default.HttpErrorBody), context.RequestAborted);
    }

    [LoggerMessage(1120, LogLevel.Information, "SkMemory MCP server listening on {BaseAddress}.")]
    private static partial void LogStarted(ILogger logger, Uri baseAddress);

    [LoggerMessage(1121, LogLevel.Warning, "Refused an MCP request without a valid API key (key {KeyId}, from {Remote}).")]
    private static partial void LogUnauthorized(ILogger logger, string keyId, string remote);

    [LoggerMessage(1123, LogLevel.Information, "Answered a request of key {KeyId} that is not valid JSON with a JSON-RPC parse error.")]
    private static partial void LogParseError(ILogger logger, string keyId);

    [LoggerMessage(1122, LogLevel.Warning, "Refused an MCP request of {Length} bytes from key {KeyId}: the limit is {Limit}.")]
    private static partial void LogTooLarge(ILogger logger, string keyId, long length, long limit);
}
