using System.Net;

namespace SkMemory.Mem0;

/// <summary>A Mem0 call failed: the status, Mem0's own message (from <c>detail</c>, <c>error</c> or <c>message</c>, or the raw body) and the request id.</summary>
public sealed class Mem0ApiException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="Mem0ApiException"/> class.</summary>
    public Mem0ApiException(MemoryErrorCode code, HttpStatusCode? statusCode, string mem0Message, string message, string? requestId = null, Exception? innerException = null)
        : base(code, message, innerException)
    {
        StatusCode = statusCode;
        Mem0Message = mem0Message;
        RequestId = requestId;
    }

    /// <summary>Gets the HTTP status, or null when no response arrived (timeout, connection refused).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets Mem0's message, kept as Mem0 wrote it.</summary>
    public string Mem0Message { get; }

    /// <summary>Gets the server's request id (<c>X-Request-ID</c>), when it sent one.</summary>
    public string? RequestId { get; }
}
