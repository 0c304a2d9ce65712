using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace SkMemory.Mcp.Tools;

/// <summary>
/// One memory tool: a strict input schema exported from <typeparamref name="TArgs"/>, arguments read with unknown and
/// missing properties refused, the call run as its caller on the governed store, and a result carrying both structured
/// content and its JSON as text. Invalid arguments are JSON-RPC invalid-params errors; refusals, missing memories and
/// conflicts are tool results with <c>isError</c> and <c>{"error": {"code", "message"}}</c>.
/// </summary>
internal abstract partial class MemoryTool<TArgs, TResult> : McpServerTool
    where TArgs : class
    where TResult : class
{
    private readonly JsonTypeInfo<TArgs> _args;
    private readonly JsonTypeInfo<TResult> _result;
    private readonly ILogger _logger;

    protected MemoryTool(MemoryToolHost host, string name, string title, string description, JsonTypeInfo<TArgs> args, JsonTypeInfo<TResult> result, ToolAnnotations annotations)
    {
        Host = host;
        _args = args;
        _result = result;
        _logger = host.Logger;
        ProtocolTool = new Tool
        {
            Name = name,
            Title = title,
            Description = description,
            InputSchema = ToolSchemas.Input(args),
            OutputSchema = ToolSchemas.Output(result),
            Annotations = annotations,
        };
    }

    /// <inheritdoc />
    public override Tool ProtocolTool { get; }

    /// <inheritdoc />
    public override IReadOnlyList<object> Metadata => [];

    protected MemoryToolHost Host { get; }

    /// <inheritdoc />
    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = ProtocolTool.Name;
        var identity = Host.Identify(request.User);
        if (identity is null)
        {
            // The HTTP middleware lets no unauthenticated request through; this is a defence in depth.
            LogNoCaller(name);
            return Error(new ToolError("access_denied", "No caller: authenticate with an API key (Authorization: Bearer skm_...)."));
        }

        TArgs args;
        try
        {
            args = Parse(request.Params?.Arguments);
        }
        catch (ToolArgumentException ex)
        {
            LogInvalidArguments(name, ex.Message);
            throw new McpProtocolException($"Invalid arguments for tool '{name}': {ex.Message}", McpErrorCode.InvalidParams);
        }

        Host.Enter(identity.Caller);
        var call = new ToolCall(Host, identity);
        try
        {
            var result = await RunAsync(call, args, cancellationToken).ConfigureAwait(false);
            LogCalled(name, identity.Caller.Actor.ToString(), identity.Caller.Tenant);
            var structured = JsonSerializer.SerializeToElement(result, _result);
            return new CallToolResult
            {
                Content = [new TextContentBlock { Text = structured.GetRawText() }],
                StructuredContent = structured,
                IsError = false,
            };
        }
        catch (ToolArgumentException ex)
        {
            LogInvalidArguments(name, ex.Message);
            throw new McpProtocolException($"Invalid arguments for tool '{name}': {ex.Message}", McpErrorCode.InvalidParams);
        }
        catch (MemoryException ex) when (ex.Code == MemoryErrorCode.Validation)
        {
            LogInvalidArguments(name, ex.Message);
            throw new McpProtocolException($"Invalid arguments for tool '{name}': {ex.Message}", McpErrorCode.InvalidParams);
        }
        catch (MemoryConcurrencyException ex)
        {
            LogRefused(name, ToolErrorCodes.Of(ex.Code));
            return Error(new ToolError(ToolErrorCodes.Of(ex.Code), ex.Message, CurrentVersion: ex.ActualVersion));
        }
        catch (MemoryConflictException ex)
        {
            LogRefused(name, ToolErrorCodes.Of(ex.Code));
            return Error(new ToolError(ToolErrorCodes.Of(ex.Code), ex.Message, ExistingId: ex.ExistingId));
        }
        catch (MemoryException ex)
        {
            LogRefused(name, ToolErrorCodes.Of(ex.Code));
            return Error(new ToolError(ToolErrorCodes.Of(ex.Code), ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Any other failure is reported to the client as a tool error, never as a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(name, ex);
            return Error(new ToolError("internal", $"The {name} tool failed unexpectedly ({ex.GetType().Name}); nothing more is known to the client. The server log has the details."));
        }
    }

    /// <summary>Runs the tool as <paramref name="call"/>'s caller.</summary>
    protected abstract Task<TResult> RunAsync(ToolCall call, TArgs args, CancellationToken cancellationToken);

    private static CallToolResult Error(ToolError error)
    {
        var structured = JsonSerializer.SerializeToElement(new ErrorResult(error), McpJsonContext.Default.ErrorResult);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = $"{error.Code}: {error.Message}" }],
            StructuredContent = structured,
            IsError = true,
        };
    }

    private TArgs Parse(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null)
        {
            throw new ToolArgumentException("no arguments were given; every tool needs at least \"scope\".");
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in arguments)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.WrittenSpan, _args)
                ?? throw new ToolArgumentException("the arguments must be an object.");
        }
        catch (JsonException ex)
        {
            throw new ToolArgumentException(Describe(ex), ex);
        }
    }

    // System.Text.Json's messages name the .NET type; models need the JSON path and what to send.
    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        message = message.Replace("SkMemory.Mcp.Tools.", string.Empty, StringComparison.Ordinal).Replace("SkMemory.", string.Empty, StringComparison.Ordinal);
        return ex.Path is { Length: > 1 } path ? $"at {path}: {message}" : message;
    }

    [LoggerMessage(1110, LogLevel.Debug, "Tool {Tool} ran for {Actor} in tenant {Tenant}.")]
    private partial void LogCalled(string tool, string actor, string tenant);

    [LoggerMessage(1111, LogLevel.Information, "Tool {Tool} refused invalid arguments: {Problem}")]
    private partial void LogInvalidArguments(string tool, string problem);

    [LoggerMessage(1112, LogLevel.Information, "Tool {Tool} answered with error {Code}.")]
    private partial void LogRefused(string tool, string code);

    [LoggerMessage(1113, LogLevel.Error, "Tool {Tool} failed unexpectedly.")]
    private partial void LogFailed(string tool, Exception exception);

    [LoggerMessage(1114, LogLevel.Warning, "Tool {Tool} was called with no caller.")]
    private partial void LogNoCaller(string tool);
}
