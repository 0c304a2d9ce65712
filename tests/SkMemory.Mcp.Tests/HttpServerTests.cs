using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;

namespace SkMemory.Mcp.Tests;

/// <summary>The HTTP edge: API-key auth (401, audited), tenants and scope kinds per key, isolation of concurrent callers, size limit, malformed JSON-RPC, health.</summary>
public sealed class HttpServerTests(McpServerFixture fixture) : IClassFixture<McpServerFixture>
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_AnswersOk_WithoutAuth()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(fixture.Server.BaseAddress, "healthz"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString());
        Assert.Equal(fixture.Server.BaseAddress + "mcp", fixture.Server.McpEndpoint.ToString());
        Assert.Equal("127.0.0.1", fixture.Server.BaseAddress.Host);
    }

    [Theory]
    [InlineData("MCP")]
    [InlineData("Mcp/")]
    [InlineData("mCp")]
    public async Task TheMcpEndpointUnderAnotherCase_StillNeedsAKey(string path)
    {
        using var http = new HttpClient();
        using var body = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}""", System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Server.BaseAddress, path)) { Content = body };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task MissingBadOrRevokedKey_Is401_WithWwwAuthenticate_AJsonBody_AndADenial()
    {
        var revoked = await fixture.Keys.CreateAsync(new MemoryApiKeyRequest { Tenant = "initech", Actor = MemoryActor.User("ivy") }, Ct);
        Assert.True(await fixture.Keys.RevokeAsync(revoked.Key.Id, Ct));
        foreach (var secret in new string?[] { null, "not-a-key", "skm_0123456789ab_" + new string('a', 43), "skm_" + new string('x', 5000) + "_y", revoked.Secret })
        {
            using var http = new HttpClient();
            using var request = Post(Initialize);
            if (secret is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            }

            var response = await http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetString();
            Assert.Contains("skmem keys create", error, StringComparison.Ordinal);
        }

        var denials = await fixture.Audit.GetDenialsAsync("initech", cancellationToken: Ct);
        var denial = Assert.Single(denials, d => d.Operation == "authenticate");
        Assert.Equal("api_key:" + revoked.Key.Id, denial.Actor.Id);
        Assert.Contains("revoked", denial.Detail, StringComparison.Ordinal);
        Assert.Contains(await fixture.Audit.GetDenialsAsync("unknown", cancellationToken: Ct), d => d.Actor.Id == "anonymous");

        // The official client gets the 401 too.
        await Assert.ThrowsAnyAsync<Exception>(async () => await fixture.ConnectAsync(revoked.Secret, Ct));
    }

    [Fact]
    public async Task OversizedBody_Is413_AndWritesNothing()
    {
        var before = await fixture.CountAsync("acme", Ct);
        var text = new string('x', McpServerFixture.MaxRequestBytes + 10);
        var body = JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            id = 2,
            method = "tools/call",
            @params = new { name = "write_with_provenance", arguments = new { scope = new { subject = "ana" }, text, type = "fact", evidence = new { source_kind = "manual" } } },
        });
        using var http = new HttpClient();
        using var request = Post(body, fixture.AcmeSecret);
        var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountAsync("acme", Ct));

        // The same body sent chunked (no Content-Length to check up front) is stopped at the limit with the same answer.
        using var chunkedHttp = new HttpClient();
        using var chunked = Post(body, fixture.AcmeSecret);
        chunked.Headers.TransferEncodingChunked = true;
        using var unknownLength = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        unknownLength.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Content = unknownLength;
        var chunkedResponse = await chunkedHttp.SendAsync(chunked, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
        Assert.Contains("larger than", JsonDocument.Parse(await chunkedResponse.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountAsync("acme", Ct));
    }

    [Fact]
    public async Task MalformedJsonRpc_IsAParseError_AndTheServerStillServes()
    {
        using var http = new HttpClient();
        using (var request = Post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", fixture.AcmeSecret))
        {
            var response = await http.SendAsync(request, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.Contains("-32700", body, StringComparison.Ordinal);
        }

        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        Assert.NotEmpty(await client.ListToolsAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task KeyOfOneTenant_NamingAnother_IsRefused_AndAudited()
    {
        var before = await fixture.CountAsync("globex", Ct);
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var error = await client.ErrorAsync("write_with_provenance", new()
        {
            ["scope"] = Calls.Scope("gil", tenant: "globex"),
            ["text"] = "Gil likes chess.",
            ["type"] = "preference",
            ["evidence"] = new Dictionary<string, object?> { ["source_kind"] = "manual" },
        }, Ct);
        Assert.Equal("access_denied", error.GetProperty("code").GetString());
        var read = await client.ErrorAsync("read_by_scope", new() { ["scope"] = Calls.Scope("gil", tenant: "globex") }, Ct);
        Assert.Equal("access_denied", read.GetProperty("code").GetString());
        Assert.Equal(before, await fixture.CountAsync("globex", Ct));
        Assert.Contains(await fixture.Audit.GetDenialsAsync("acme", cancellationToken: Ct), d => d.Reason == MemoryAccessDenialReason.CrossTenant && d.Detail.Contains("globex", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyLimitedToScopeKinds_IsRefusedTheOthers()
    {
        var limited = await fixture.Keys.CreateAsync(new MemoryApiKeyRequest
        {
            Tenant = "acme",
            Actor = MemoryActor.User("kai"),
            Roles = [MemoryRoles.PublicWriter],
            ScopeKinds = [MemoryScopeKind.Personal],
        }, Ct);
        await using var client = await fixture.ConnectAsync(limited.Secret, Ct);
        var before = await fixture.CountAsync("acme", Ct);
        var error = await client.ErrorAsync("write_with_provenance", new()
        {
            ["scope"] = Calls.Scope("kai", kind: "public"),
            ["text"] = "The office opens at nine.",
            ["type"] = "fact",
            ["evidence"] = new Dictionary<string, object?> { ["source_kind"] = "manual" },
        }, Ct);
        Assert.Equal("access_denied", error.GetProperty("code").GetString());
        Assert.Contains("personal", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountAsync("acme", Ct));

        var own = await client.WriteAsync("kai", "Kai drinks espresso.", Ct);
        Assert.Equal("personal", own.GetProperty("scope").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Ingest_ForASubjectTheKeyDoesNotActFor_IsRefused_BeforeAnyJobIsStored()
    {
        var jobs = (IMemoryIngestionJobStore)fixture.Store.GetService(typeof(IMemoryIngestionJobStore))!;
        var before = (await jobs.ListJobsAsync("acme", cancellationToken: Ct)).Count;
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var error = await client.ErrorAsync("ingest", new()
        {
            ["scope"] = Calls.Scope("zed"),
            ["messages"] = new[] { new Dictionary<string, object?> { ["id"] = "z1", ["role"] = "user", ["content"] = "I live in Oslo." } },
        }, Ct);
        Assert.Equal("access_denied", error.GetProperty("code").GetString());
        Assert.Equal(before, (await jobs.ListJobsAsync("acme", cancellationToken: Ct)).Count);
        Assert.Contains(await fixture.Audit.GetDenialsAsync("acme", cancellationToken: Ct), d => d.Operation == "ingest" && d.Subject == "zed");
    }

    [Fact]
    public async Task TwoKeysConcurrently_EachSeeOnlyTheirOwnCaller()
    {
        await using var acme = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        await using var globex = await fixture.ConnectAsync(fixture.GlobexSecret, Ct);
        var calls = Enumerable.Range(0, 20).Select(async i =>
        {
            var (client, subject, tenant) = i % 2 == 0 ? (acme, "ana", "acme") : (globex, "gil", "globex");
            var record = await client.WriteAsync(subject, $"{subject} note number {i}.", Ct, type: "fact", messageId: $"n{i}");
            Assert.Equal(tenant, record.GetProperty("tenant").GetString());
            Assert.Equal(subject, record.GetProperty("actor").GetProperty("id").GetString());
            var page = await client.OkAsync("read_by_scope", new() { ["scope"] = Calls.Scope(subject), ["page_size"] = 200 }, Ct);
            Assert.All(page.GetProperty("memories").EnumerateArray(), m => Assert.Equal(tenant, m.GetProperty("tenant").GetString()));
        });
        await Task.WhenAll(calls);

        // Gil cannot read Ana's memories even naming her as the subject.
        var page = await globex.OkAsync("read_by_scope", new() { ["scope"] = Calls.Scope("ana") }, Ct);
        Assert.Empty(page.GetProperty("memories").EnumerateArray());
    }

    [Fact]
    public async Task ToolErrors_ComeAsProtocolErrorsOrIsErrorResults_NeverACrash()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var missingArg = await client.ProtocolErrorAsync("get_history", new() { ["scope"] = Calls.Scope("ana") }, Ct);
        Assert.Equal(McpErrorCode.InvalidParams, missingArg.ErrorCode);
        var wrongType = await client.ProtocolErrorAsync("get_history", new() { ["scope"] = Calls.Scope("ana"), ["id"] = "not-a-uuid" }, Ct);
        Assert.Equal(McpErrorCode.InvalidParams, wrongType.ErrorCode);
        var notMine = await client.ErrorAsync("forget", new() { ["scope"] = Calls.Scope("ana"), ["id"] = Guid.NewGuid().ToString(), ["reason"] = "test" }, Ct);
        Assert.Equal("not_found", notMine.GetProperty("code").GetString());
        Assert.NotEmpty(await client.ListToolsAsync(cancellationToken: Ct));
    }

    private HttpRequestMessage Post(string body, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.McpEndpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (secret is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return request;
    }
}
