namespace SkMemory.Mem0.Emulator;

/// <summary>One request the emulator handled.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">The path and query string as received.</param>
/// <param name="StatusCode">The status code answered.</param>
/// <param name="Body">The request body text (null when empty).</param>
public sealed record Mem0EmulatorRequest(string Method, string PathAndQuery, int StatusCode, string? Body);
