namespace SkMemory.Mem0.Emulator;

/// <summary>A canned response the emulator returns instead of handling a matching request.</summary>
/// <param name="StatusCode">The HTTP status to answer with.</param>
/// <param name="Body">The response body (sent as application/json).</param>
public sealed record Mem0EmulatorFault(int StatusCode, string Body = "{\"detail\":\"emulated fault\"}")
{
    /// <summary>Gets a Retry-After value to send (whole seconds, rounded up).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets how long to wait before answering (the wait ends early if the client aborts).</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Gets the path prefix a request must have to match (null matches any path).</summary>
    public string? PathPrefix { get; init; }

    /// <summary>Gets the HTTP method a request must have to match (null matches any method).</summary>
    public string? Method { get; init; }
}
