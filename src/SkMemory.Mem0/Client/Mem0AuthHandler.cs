using System.Net.Http.Headers;

namespace SkMemory.Mem0;

/// <summary>
/// Adds the credentials each API expects (Platform: <c>Authorization: Token</c>, not Bearer; server: <c>X-API-Key</c>, only
/// when a key is set) and, on the Platform, the legacy <c>org_id</c>/<c>project_id</c> query parameters. It sits inside the
/// resilience handler so every attempt carries them.
/// </summary>
internal sealed class Mem0AuthHandler : DelegatingHandler
{
    private readonly Mem0ApiFlavor _flavor;
    private readonly string? _apiKey;
    private readonly string? _orgProjectQuery;

    public Mem0AuthHandler(Mem0ClientOptions options, HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
        _flavor = options.Flavor;
        _apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey.Trim();
        if (_flavor == Mem0ApiFlavor.Platform && options.OrgId is not null && options.ProjectId is not null)
        {
            _orgProjectQuery = $"org_id={Uri.EscapeDataString(options.OrgId)}&project_id={Uri.EscapeDataString(options.ProjectId)}";
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_apiKey is not null)
        {
            if (_flavor == Mem0ApiFlavor.Platform)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Token", _apiKey);
            }
            else
            {
                request.Headers.Remove("X-API-Key");
                request.Headers.TryAddWithoutValidation("X-API-Key", _apiKey);
            }
        }

        if (_orgProjectQuery is not null && request.RequestUri is { } uri && !uri.Query.Contains("org_id=", StringComparison.Ordinal))
        {
            var builder = new UriBuilder(uri);
            builder.Query = builder.Query.Length > 1 ? $"{builder.Query[1..]}&{_orgProjectQuery}" : _orgProjectQuery;
            request.RequestUri = builder.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
