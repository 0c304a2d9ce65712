using Microsoft.Extensions.Logging;

namespace SkMemory.Tests.Retrieval;

/// <summary>A logger factory that keeps every log entry, for asserting on warnings.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly List<RecordedLog> _entries = [];
    private readonly Lock _gate = new();

    /// <summary>Gets the entries logged so far.</summary>
    public IReadOnlyList<RecordedLog> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(RecordedLog entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }

    private sealed class Logger(RecordingLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            factory.Add(new RecordedLog(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
