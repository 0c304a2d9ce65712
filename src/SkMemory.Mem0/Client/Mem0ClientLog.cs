using System.Net;
using Microsoft.Extensions.Logging;

namespace SkMemory.Mem0;

/// <summary>Source-generated log messages of the Mem0 client (event ids 1001-1009).</summary>
internal static partial class Mem0ClientLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Mem0 answered {Method} {Path} with {StatusCode}; retry {Retry} of {MaxRetries} in {DelayMs} ms.")]
    public static partial void RetryingStatus(ILogger logger, HttpMethod method, string? path, HttpStatusCode statusCode, int retry, int maxRetries, double delayMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Mem0 call {Method} {Path} failed ({Reason}); retry {Retry} of {MaxRetries} in {DelayMs} ms.")]
    public static partial void RetryingException(ILogger logger, HttpMethod method, string? path, string reason, int retry, int maxRetries, double delayMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Mem0 call {Method} {Path} failed after {Attempts} attempts: {Reason}")]
    public static partial void GaveUp(ILogger logger, HttpMethod method, string? path, int attempts, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Mem0 add is asynchronous (event {EventId}); polling every {IntervalMs} ms for up to {TimeoutMs} ms.")]
    public static partial void PollingEvent(ILogger logger, string eventId, double intervalMs, double timeoutMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "The self-hosted Mem0 server has no batch endpoint; {Operation} of {Count} memories runs one call per memory.")]
    public static partial void BatchEmulated(ILogger logger, string operation, int count);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Mem0 batch {Operation} of {Count} memories is sent in {Chunks} calls of at most 1000.")]
    public static partial void BatchChunked(ILogger logger, string operation, int count, int chunks);
}
