using Microsoft.Extensions.Logging;

namespace SkMemory.Cli;

/// <summary>
/// Logs of the servers (<c>skmem serve</c>, <c>skmem mcp</c>) as one line each on stderr, never stdout (it carries the
/// stdio protocol): the level, the message and an exception's message, without stack traces, like every other CLI error.
/// </summary>
internal sealed class StderrLoggerProvider(TextWriter error) : ILoggerProvider
{
    private readonly Lock _gate = new();

    /// <summary>Creates a logger factory with this provider: warnings and errors only, start-up failures left to the command's own error line.</summary>
    /// <param name="error">Where the lines go.</param>
    /// <returns>The factory.</returns>
    public static ILoggerFactory CreateFactory(TextWriter error) =>
        LoggerFactory.Create(b => b
            .ClearProviders()
            .SetMinimumLevel(LogLevel.Warning)
            // A start-up failure (a taken port) is reported once, as an error line with a hint.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical)
            .AddProvider(new StderrLoggerProvider(error)));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        var name = level switch
        {
            LogLevel.Critical => "crit",
            LogLevel.Error => "fail",
            LogLevel.Warning => "warn",
            LogLevel.Information => "info",
            _ => "dbug",
        };
        var detail = exception is null || message.Contains(exception.Message, StringComparison.Ordinal) ? string.Empty : $" ({exception.Message})";
        lock (_gate)
        {
            error.WriteLine($"{name}: {message.ReplaceLineEndings(" ")}{detail}");
            error.Flush();
        }
    }

    private sealed class Logger(StderrLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
