using System.Diagnostics;
using System.Text.Json.Nodes;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>InjectFault: canned status/body, Retry-After, delay (client timeouts), path/method matching, counts; and the request log.</summary>
public sealed class EmulatorFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fault_answers_the_next_matching_requests_with_its_status_body_and_retry_after_then_stops()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        emulator.InjectFault(new Mem0EmulatorFault(429, """{"detail":"Request was throttled."}""") { RetryAfter = TimeSpan.FromMilliseconds(1500) }, times: 2);

        for (var i = 0; i < 2; i++)
        {
            using var response = await platform.Http.GetAsync("/v1/ping/", Ct);
            Assert.Equal(429, (int)response.StatusCode);
            Assert.Equal("2", Assert.Single(response.Headers.GetValues("Retry-After")));
            Assert.Equal("""{"detail":"Request was throttled."}""", await response.Content.ReadAsStringAsync(Ct));
        }

        using (var ok = await platform.Http.GetAsync("/v1/ping/", Ct))
        {
            Assert.Equal(200, (int)ok.StatusCode);
            Assert.False(ok.Headers.Contains("Retry-After"));
        }

        Assert.Equal([429, 429, 200], emulator.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task A_fault_does_not_change_state_and_is_logged_with_its_body()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var oss = new EmulatorCalls(emulator, platform: false);
        emulator.InjectFault(new Mem0EmulatorFault(502, """{"detail":"Provider rate limit hit. Retry shortly.","code":"provider_rate_limited","request_id":"a1b2c3d4"}"""));
        var body = JsonNode.Parse("""{"user_id":"alice","messages":[{"role":"user","content":"Faulted add"}]}""");

        var (status, error) = await oss.SendAsync("POST", "/memories", body);
        Assert.Equal(502, status);
        Assert.Equal("provider_rate_limited", error!["code"]!.GetValue<string>());
        Assert.Equal(0, emulator.MemoryCount);

        await oss.OkAsync("POST", "/memories", body);
        Assert.Equal(1, emulator.MemoryCount);
        var log = emulator.Requests;
        Assert.Equal(2, log.Count);
        Assert.Equal(new Mem0EmulatorRequest("POST", "/memories", 502, body!.ToJsonString()), log[0]);
        Assert.Equal(200, log[1].StatusCode);
    }

    [Fact]
    public async Task Path_prefix_and_method_restrict_which_requests_a_fault_hits()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        emulator.InjectFault(new Mem0EmulatorFault(500) { PathPrefix = "/v3/memories/search/", Method = "POST" });

        Assert.Equal(200, (await platform.SendAsync("GET", "/v1/ping/")).Status);
        Assert.Equal(200, (await platform.SendAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"user_id":"a"}}"""))).Status);
        Assert.Equal(404, (await platform.SendAsync("GET", "/v3/memories/search")).Status);
        var (status, body) = await platform.SendAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"x","filters":{"user_id":"a"}}"""));
        Assert.Equal(500, status);
        Assert.Equal("emulated fault", body!["detail"]!.GetValue<string>());
        Assert.Equal(200, (await platform.SendAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"x","filters":{"user_id":"a"}}"""))).Status);
    }

    [Fact]
    public async Task A_delayed_fault_provokes_a_client_timeout_and_the_server_keeps_serving()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        emulator.InjectFault(new Mem0EmulatorFault(200, "{}") { Delay = TimeSpan.FromSeconds(30) });
        using var impatient = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) };
        impatient.DefaultRequestHeaders.Add("Authorization", "Token m0-emulator-key");

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync("/v1/ping/", Ct));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());

        using var response = await impatient.GetAsync("/v1/ping/", Ct);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Disposing_the_emulator_ends_a_pending_delayed_fault_promptly()
    {
        var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        emulator.InjectFault(new Mem0EmulatorFault(200, "{}") { Delay = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        var pending = http.GetAsync("/v1/ping/", Ct);
        var deadline = Stopwatch.StartNew();
        while (emulator.Requests.Count == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, Ct);
        }

        Assert.Single(emulator.Requests);
        var watch = Stopwatch.StartNew();
        await emulator.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        try
        {
            using var response = await pending;
        }
        catch (HttpRequestException)
        {
            // The connection may be closed instead of answered; either way the request is over.
        }
    }

    [Fact]
    public async Task A_short_delay_is_waited_out_before_the_fault_answers()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        emulator.InjectFault(new Mem0EmulatorFault(503) { Delay = TimeSpan.FromMilliseconds(400) });

        var watch = Stopwatch.StartNew();
        Assert.Equal(503, (await platform.SendAsync("GET", "/v1/ping/")).Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(350), watch.Elapsed.ToString());
    }

    [Fact]
    public async Task Rejected_requests_are_logged_too()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var anonymous = new HttpClient { BaseAddress = emulator.BaseAddress };
        using (await anonymous.GetAsync("/v1/ping/", Ct))
        using (await anonymous.GetAsync("/memories?user_id=alice", Ct))
        {
        }

        Assert.Equal([("GET", "/v1/ping/", 401), ("GET", "/memories?user_id=alice", 401)], emulator.Requests.Select(r => (r.Method, r.PathAndQuery, r.StatusCode)));
        Assert.All(emulator.Requests, r => Assert.Null(r.Body));
    }
}
