using System.Net;
using System.Text.RegularExpressions;

namespace SkMemory.Inspector.Tests;

/// <summary>A browser stand-in: cookies, no automatic redirects, and forms posted with the antiforgery token of their page.</summary>
public sealed partial class InspectorClient : IDisposable
{
    private readonly HttpClient _http;

    public InspectorClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative), Token);

    public async Task<(HttpStatusCode Status, string Html)> PageAsync(string path)
    {
        using var response = await GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Token));
    }

    /// <summary>Posts a form with the antiforgery token taken from <paramref name="formPage"/>'s HTML.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, string formPage, params (string Name, string Value)[] fields)
    {
        var (_, html) = await PageAsync(formPage);
        var token = TokenOf(html);
        return await PostRawAsync(path, [("__csrf", token), .. fields]);
    }

    public Task<HttpResponseMessage> PostRawAsync(string path, params (string Name, string Value)[] fields) =>
        _http.PostAsync(new Uri(path.TrimStart('/'), UriKind.Relative), new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))), Token);

    public async Task<HttpResponseMessage> SignInAsync(string secret) =>
        await PostAsync("/inspector/signin", "/inspector/signin", ("key", secret));

    public static string TokenOf(string html)
    {
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, "The page has no antiforgery field:\n" + html);
        return match.Groups[1].Value;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
