using System.Collections.Concurrent;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>The transport under the client: forwards to a real socket handler (the emulator over loopback) and records what went on the wire, headers included, which the emulator's own log does not keep.</summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    public RecordingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
