namespace SkMemory.Mem0.Emulator;

/// <summary>The parts of an HTTP request the engine needs, detached from ASP.NET Core.</summary>
internal sealed record EmulatorHttpRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    string? Authorization,
    string? ApiKey,
    string? Body,
    Uri BaseAddress);
