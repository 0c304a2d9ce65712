using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>Plain HttpClient calls against an emulator: Platform (Token) or OSS (X-API-Key) credentials.</summary>
internal sealed class EmulatorCalls : IDisposable
{
    private readonly HttpClient _http;

    public EmulatorCalls(Mem0Emulator emulator, bool platform, string? apiKey = null)
    {
        _http = new HttpClient { BaseAddress = emulator.BaseAddress };
        if (platform)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", apiKey ?? emulator.Options.PlatformApiKey);
        }
        else
        {
            _http.DefaultRequestHeaders.Add("X-API-Key", apiKey ?? emulator.Options.ServerAdminKey);
        }
    }

    public HttpClient Http => _http;

    public async Task<(int Status, JsonNode? Body)> SendAsync(string method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> OkAsync(string method, string path, JsonNode? body = null)
    {
        var (status, json) = await SendAsync(method, path, body);
        Assert.True(status == 200, $"{method} {path} → {status} {json?.ToJsonString()}");
        return json!;
    }

    /// <summary>Adds verbatim (infer=false) Platform memories and returns their ids.</summary>
    public async Task<List<string>> AddVerbatimAsync(JsonObject ids, params string[] texts)
    {
        var body = ids.DeepClone().AsObject();
        body["infer"] = false;
        body["messages"] = new JsonArray(texts.Select(t => (JsonNode)new JsonObject { ["role"] = "user", ["content"] = t }).ToArray());
        var result = await OkAsync("POST", "/v3/memories/add/", body);
        return [.. result["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>())];
    }

    public static List<string> Memories(JsonNode results) =>
        [.. (results as JsonArray ?? results["results"]!.AsArray()).Select(r => r!["memory"]!.GetValue<string>())];

    public void Dispose() => _http.Dispose();
}
