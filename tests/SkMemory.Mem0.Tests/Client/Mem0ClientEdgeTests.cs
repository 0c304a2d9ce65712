using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>Edge cases: retry logging, 204 deletes, cancellation, unreadable bodies and paging past the end.</summary>
public sealed class Mem0ClientEdgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_retry_is_logged_with_its_status()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        using var logs = new ListLoggerFactory();
        using var recorder = new RecordingHandler();
        using var client = new Mem0Client(
            new Mem0ClientOptions { BaseAddress = h.Emulator.BaseAddress, Flavor = Mem0ApiFlavor.OpenSource, ApiKey = h.Emulator.Options.ServerAdminKey, RetryBaseDelay = TimeSpan.FromMilliseconds(10) },
            recorder,
            logs);
        h.Emulator.InjectFault(new Mem0EmulatorFault(503) { PathPrefix = "/search" }, times: 2);

        await client.SearchAsync(new Mem0SearchRequest { Query = "x", Entities = ClientHarness.Scope() }, Ct);

        var retries = logs.Entries.Where(e => e.EventId.Id == 1001).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, e => Assert.Contains("ServiceUnavailable", e.Message, StringComparison.Ordinal));
        Assert.Contains("retry 1 of 4", retries[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_204_delete_is_success()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        h.Emulator.InjectFault(new Mem0EmulatorFault(204, string.Empty) { Method = "DELETE" });

        await h.Client.DeleteAsync(Guid.NewGuid().ToString(), Ct);

        Assert.Equal(204, Assert.Single(h.Emulator.Requests).StatusCode);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_turned_into_an_error()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        h.Emulator.InjectFault(new Mem0EmulatorFault(200) { Delay = TimeSpan.FromSeconds(5), PathPrefix = "/search" });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Client.SearchAsync(new Mem0SearchRequest { Query = "x", Entities = ClientHarness.Scope() }, cts.Token));
    }

    [Fact]
    public async Task A_success_with_an_unreadable_body_says_to_check_the_address_and_flavor()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        h.Emulator.InjectFault(new Mem0EmulatorFault(200, "<html>a proxy page</html>") { PathPrefix = "/search" });

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.Client.SearchAsync(new Mem0SearchRequest { Query = "x", Entities = ClientHarness.Scope() }, Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, ex.Code);
        Assert.Contains("cannot read", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Flavor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Platform_page_past_the_end_is_empty()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        await h.AddVerbatimAsync(ClientHarness.Scope(), "only one");

        var page = await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), Page = 5 }, Ct);

        Assert.Empty(page.Results);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Platform_entities_are_read_across_pages()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        for (var i = 0; i < 130; i++)
        {
            await h.AddVerbatimAsync(new Mem0Entities(UserId: $"user{i}"), $"fact of user {i}");
        }

        var entities = await h.Client.ListEntitiesAsync(Ct);

        Assert.Equal(130, entities.Count(e => e.Type == "user"));
        Assert.Contains(h.Emulator.Requests, r => r.PathAndQuery.StartsWith("/v1/entities/?page=2", StringComparison.Ordinal));
    }
}
