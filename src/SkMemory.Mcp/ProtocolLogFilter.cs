using Microsoft.Extensions.Logging;
using ModelContextProtocol;

namespace SkMemory.Mcp;

/// <summary>
/// Wraps the logger factory handed to the MCP SDK: the SDK logs every JSON-RPC error a handler returns as a failure with
/// its stack trace, but invalid arguments and unknown tools are the client's mistake, answered as designed. Those are
/// logged at information level without the exception; everything else passes through unchanged.
/// </summary>
internal sealed class ProtocolLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Filtered(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The inner factory belongs to the caller; nothing is disposed here.</summary>
    public void Dispose()
    {
    }

    private static bool IsClientMistake(Exception? exception) =>
        exception is McpProtocolException { ErrorCode: McpErrorCode.InvalidParams or McpErrorCode.MethodNotFound or McpErrorCode.InvalidRequest or McpErrorCode.ParseError };

    private sealed class Filtered(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && IsClientMistake(exception))
            {
                var text = formatter(state, exception) + " " + exception!.Message;
                inner.Log(LogLevel.Information, eventId, text, null, static (s, _) => s);
                return;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
