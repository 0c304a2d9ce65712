using SkMemory.Tests;
using System.Diagnostics;
using System.Net;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>Retries, Retry-After, timeouts and give-ups, with faults injected into the emulator.</summary>
public sealed class Mem0ClientResilienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string SearchPath(Mem0ApiFlavor flavor) => flavor == Mem0ApiFlavor.Platform ? "/v3/memories/search/" : "/search";

    private static Mem0SearchRequest Search => new() { Query = "anything", Entities = ClientHarness.Scope() };

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Two_503s_then_success_succeed_after_three_requests(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        h.Emulator.InjectFault(new Mem0EmulatorFault(503) { PathPrefix = SearchPath(flavor) }, times: 2);

        var results = await h.Client.SearchAsync(Search, Ct);

        Assert.Empty(results);
        var calls = h.Emulator.Requests.Where(r => r.PathAndQuery.StartsWith(SearchPath(flavor), StringComparison.Ordinal)).Select(r => r.StatusCode).ToList();
        Assert.Equal([503, 503, 200], calls);
    }

    [Fact]
    public async Task A_429_with_Retry_After_waits_as_asked_then_succeeds()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        h.Emulator.InjectFault(new Mem0EmulatorFault(429, """{"detail":"Request was throttled."}""") { RetryAfter = TimeSpan.FromSeconds(1), PathPrefix = "/v3/memories/search/" });

        var watch = Stopwatch.StartNew();
        await h.Client.SearchAsync(Search, Ct);
        watch.Stop();

        Assert.Equal([429, 200], h.Emulator.Requests.Select(r => r.StatusCode));

        // The back-off alone is 10 ms; only Retry-After explains a wait near a second.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"the retry came after {watch.Elapsed.TotalMilliseconds} ms, before Retry-After's 1 s");
    }

    [Fact]
    public async Task Retry_After_is_capped_at_MaxRetryDelay()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform, o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(100));
        h.Emulator.InjectFault(new Mem0EmulatorFault(429) { RetryAfter = TimeSpan.FromSeconds(60), PathPrefix = "/v3/memories/search/" });

        var watch = Stopwatch.StartNew();
        await h.Client.SearchAsync(Search, Ct);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Retry-After was not capped ({watch.Elapsed})");
        Assert.Equal(2, h.Emulator.Requests.Count);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Persistent_500s_fail_as_unavailable_after_MaxRetries_plus_one_attempts(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor, o => o.MaxRetries = 2);
        h.Emulator.InjectFault(new Mem0EmulatorFault(500, """{"detail":"vector store exploded"}"""), times: 5);

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.Client.SearchAsync(Search, Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, ex.Code);
        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("vector store exploded", ex.Mem0Message);
        Assert.Contains("after 3 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vector store exploded", ex.Message, StringComparison.Ordinal);
        Assert.Contains("skmem reconcile", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, h.Emulator.Requests.Count);
    }

    [Fact]
    public async Task A_slow_attempt_times_out_and_is_retried()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource, o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        h.Emulator.InjectFault(new Mem0EmulatorFault(200) { Delay = TimeSpan.FromSeconds(3), PathPrefix = "/search" });

        var watch = Stopwatch.StartNew();
        await h.Client.SearchAsync(Search, Ct);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the slow attempt was not cut off ({watch.Elapsed})");

        // Two attempts left the client; the recorder sees both even if the emulator logs the slow one late.
        Assert.Equal(2, h.Recorder.Requests.Count(r => r.Uri.AbsolutePath == "/search"));
    }

    [Fact]
    public async Task Attempts_that_all_time_out_fail_as_unavailable()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource, o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(100);
            o.MaxRetries = 1;
        });
        h.Emulator.InjectFault(new Mem0EmulatorFault(200) { Delay = TimeSpan.FromSeconds(2), PathPrefix = "/search" }, times: 2);

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.Client.SearchAsync(Search, Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, ex.Code);
        Assert.Null(ex.StatusCode);
        Assert.Contains("attempt timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_fails_as_unavailable()
    {
        using var recorder = new RecordingHandler();
        using var client = new Mem0Client(
            new Mem0ClientOptions
            {
                BaseAddress = new Uri($"http://127.0.0.1:{TestPorts.Free()}"),
                Flavor = Mem0ApiFlavor.OpenSource,
                MaxRetries = 1,
                RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            },
            recorder);

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => client.SearchAsync(Search, Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, ex.Code);
        Assert.Contains("could not be reached after 2 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, recorder.Requests.Count);
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        h.Emulator.InjectFault(new Mem0EmulatorFault(400, """{"detail":"bad things"}"""), times: 3);

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.Client.SearchAsync(Search, Ct));

        Assert.Equal(MemoryErrorCode.Validation, ex.Code);
        Assert.Single(h.Emulator.Requests);
    }
}
