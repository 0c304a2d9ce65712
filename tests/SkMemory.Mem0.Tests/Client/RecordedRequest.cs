namespace SkMemory.Mem0.Tests.Client;

/// <summary>One request as the client sent it.</summary>
internal sealed record RecordedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body);
