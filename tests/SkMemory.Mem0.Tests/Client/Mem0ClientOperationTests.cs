using System.Text.Json.Nodes;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>Every client operation against the emulator, for both APIs.</summary>
public sealed class Mem0ClientOperationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Add_without_inference_stores_each_message_verbatim_and_get_reads_it_back(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var added = await h.Client.AddAsync(
            new Mem0AddRequest
            {
                Messages = [new("user", "I love vegetable pizza"), new("assistant", "Noted: vegetable pizza")],
                Entities = new(UserId: "alice", AgentId: "chef"),
                Metadata = new JsonObject { ["topic"] = "food" },
                Infer = false,
                ExpirationDate = new DateOnly(2099, 12, 31),
            },
            Ct);

        Assert.Equal(2, added.Count);
        Assert.All(added, a => Assert.Equal("ADD", a.Event));
        Assert.Contains(added, a => a.Memory == "I love vegetable pizza");

        var memory = await h.Client.GetAsync(added[0].Id, Ct);
        Assert.NotNull(memory);
        Assert.Equal(added[0].Id, memory.Id);
        Assert.Equal(added[0].Memory, memory.Memory);
        Assert.Equal("alice", memory.Entities.UserId);
        Assert.Equal("chef", memory.Entities.AgentId);
        Assert.Equal("food", memory.Metadata?["topic"]?.GetValue<string>());
        Assert.Equal(new DateOnly(2099, 12, 31), memory.ExpirationDate);
        Assert.NotNull(memory.CreatedAt);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Add_with_inference_returns_the_extracted_memories(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var added = await h.Client.AddAsync(
            new Mem0AddRequest { Messages = [new("user", "I live in Dublin")], Entities = ClientHarness.Scope() },
            Ct);

        var result = Assert.Single(added);
        Assert.False(string.IsNullOrEmpty(result.Id));
        Assert.Contains("Dublin", result.Memory, StringComparison.Ordinal);
        Assert.NotNull(await h.Client.GetAsync(result.Id, Ct));
    }

    [Fact]
    public async Task Platform_asynchronous_add_is_polled_until_the_event_succeeds()
    {
        await using var h = await ClientHarness.StartAsync(
            Mem0ApiFlavor.Platform,
            emulatorOptions: new Mem0EmulatorOptions { PlatformAsyncDelay = TimeSpan.FromMilliseconds(300) });

        var added = await h.Client.AddAsync(
            new Mem0AddRequest { Messages = [new("user", "My favourite colour is green")], Entities = ClientHarness.Scope() },
            Ct);

        var result = Assert.Single(added);
        Assert.Contains("green", result.Memory, StringComparison.Ordinal);
        var polls = h.Emulator.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/v1/event/", StringComparison.Ordinal));
        Assert.True(polls >= 2, $"expected the client to poll more than once while the event was pending; it polled {polls} times");

        // Once the event succeeded the memory is readable.
        Assert.NotNull(await h.Client.GetAsync(result.Id, Ct));
    }

    [Fact]
    public async Task Platform_asynchronous_add_that_outlasts_the_poll_timeout_fails_as_unavailable()
    {
        await using var h = await ClientHarness.StartAsync(
            Mem0ApiFlavor.Platform,
            o => o.EventPollTimeout = TimeSpan.FromMilliseconds(200),
            new Mem0EmulatorOptions { PlatformAsyncDelay = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<MemoryException>(() => h.Client.AddAsync(
            new Mem0AddRequest { Messages = [new("user", "slow fact")], Entities = ClientHarness.Scope() },
            Ct));

        Assert.Equal(MemoryErrorCode.Unavailable, ex.Code);
        Assert.Contains("EventPollTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Search_is_scoped_by_every_entity_id_and_the_metadata_filter(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        await AddAsync(h, new("alice", "chef"), "pizza", "alice likes pizza with olives");
        await AddAsync(h, new("alice", "chef"), "work", "alice orders pizza at the office");
        await AddAsync(h, new("alice"), "pizza", "alice dreams of pizza in Naples");
        await AddAsync(h, new("bob", "chef"), "pizza", "bob likes pizza too");

        var results = await h.Client.SearchAsync(
            new Mem0SearchRequest
            {
                Query = "pizza",
                Entities = new(UserId: "alice", AgentId: "chef"),
                Metadata = new Dictionary<string, string> { ["topic"] = "pizza" },
                TopK = 5,
                Threshold = 0,
            },
            Ct);

        var only = Assert.Single(results);
        Assert.Equal("alice likes pizza with olives", only.Memory);
        Assert.NotNull(only.Score);

        // top_k cuts the list.
        var top1 = await h.Client.SearchAsync(new Mem0SearchRequest { Query = "pizza", Entities = ClientHarness.Scope(), TopK = 1, Threshold = 0 }, Ct);
        Assert.Single(top1);

        var request = h.Recorder.Requests.Last(r => r.Method == "POST" && r.Body?.Contains("\"query\"", StringComparison.Ordinal) == true);
        var body = JsonNode.Parse(request.Body!)!.AsObject();
        Assert.Equal(1, body["top_k"]!.GetValue<int>());
        Assert.Equal(0d, body["threshold"]!.GetValue<double>());
        Assert.Null(body["user_id"]);
    }

    [Fact]
    public async Task Platform_search_sends_all_entity_ids_and_metadata_under_AND()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        await h.Client.SearchAsync(
            new Mem0SearchRequest
            {
                Query = "anything",
                Entities = new(UserId: "alice", AgentId: "chef", AppId: "app", RunId: "run1"),
                Metadata = new Dictionary<string, string> { ["topic"] = "pizza" },
            },
            Ct);

        var request = h.Recorder.Requests.Single(r => r.Uri.AbsolutePath == "/v3/memories/search/");
        var filters = JsonNode.Parse(request.Body!)!["filters"]!.ToJsonString();
        Assert.Equal("""{"AND":[{"user_id":"alice"},{"agent_id":"chef"},{"app_id":"app"},{"run_id":"run1"},{"metadata":{"topic":"pizza"}}]}""", filters);
    }

    [Fact]
    public async Task Server_search_sends_entity_ids_and_metadata_as_plain_filter_keys()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        await h.Client.SearchAsync(
            new Mem0SearchRequest
            {
                Query = "anything",
                Entities = new(UserId: "alice", AgentId: "chef", RunId: "run1"),
                Metadata = new Dictionary<string, string> { ["topic"] = "pizza" },
                ShowExpired = true,
            },
            Ct);

        var request = h.Recorder.Requests.Single(r => r.Uri.AbsolutePath == "/search");
        var body = JsonNode.Parse(request.Body!)!.AsObject();
        Assert.Equal("""{"user_id":"alice","agent_id":"chef","run_id":"run1","topic":"pizza"}""", body["filters"]!.ToJsonString());
        Assert.True(body["show_expired"]!.GetValue<bool>());
        Assert.False(body.ContainsKey("user_id"));
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Get_of_an_unknown_id_returns_null(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        Assert.Null(await h.Client.GetAsync(Guid.NewGuid().ToString(), Ct));
    }

    [Fact]
    public async Task Platform_list_pages_through_250_memories_in_three_pages()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        await h.AddVerbatimAsync(ClientHarness.Scope(), [.. Enumerable.Range(0, 250).Select(i => $"fact number {i}")]);

        var ids = new HashSet<string>();
        var pages = new List<Mem0Page>();
        for (var page = 1; ; page++)
        {
            var p = await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), Page = page, PageSize = 100 }, Ct);
            pages.Add(p);
            ids.UnionWith(p.Results.Select(m => m.Id));
            if (!p.HasMore)
            {
                break;
            }
        }

        Assert.Equal([100, 100, 50], pages.Select(p => p.Results.Count));
        Assert.Equal(250, ids.Count);
        Assert.All(pages, p => Assert.Equal(250, p.TotalCount));
        Assert.Contains(h.Emulator.Requests, r => r.Method == "POST" && r.PathAndQuery.StartsWith("/v3/memories/?", StringComparison.Ordinal) && r.PathAndQuery.Contains("page=3", StringComparison.Ordinal) && r.PathAndQuery.Contains("page_size=100", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_list_returns_one_page_and_refuses_later_pages()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        await h.AddVerbatimAsync(ClientHarness.Scope(), [.. Enumerable.Range(0, 30).Select(i => $"fact number {i}")]);

        var full = await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), PageSize = 20 }, Ct);
        Assert.Equal(20, full.Results.Count);
        Assert.True(full.HasMore);

        var all = await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), PageSize = 1000 }, Ct);
        Assert.Equal(30, all.Results.Count);
        Assert.False(all.HasMore);
        Assert.Contains(h.Emulator.Requests, r => r.Method == "GET" && r.PathAndQuery.StartsWith("/memories?", StringComparison.Ordinal) && r.PathAndQuery.Contains("top_k=1000", StringComparison.Ordinal));

        var before = h.Emulator.Requests.Count;
        var ex = await Assert.ThrowsAsync<MemoryException>(() => h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), Page = 2 }, Ct));
        Assert.Equal(MemoryErrorCode.NotSupported, ex.Code);
        Assert.Contains("no paging", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, h.Emulator.Requests.Count);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Update_changes_text_merges_metadata_and_clears_the_expiration_date(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var added = await h.Client.AddAsync(
            new Mem0AddRequest
            {
                Messages = [new("user", "likes tea")],
                Entities = ClientHarness.Scope(),
                Metadata = new JsonObject { ["a"] = "1" },
                Infer = false,
                ExpirationDate = new DateOnly(2099, 1, 1),
            },
            Ct);
        var id = Assert.Single(added).Id;

        await h.Client.UpdateAsync(id, new Mem0UpdateRequest { Text = "likes green tea", Metadata = new JsonObject { ["b"] = "2" }, ClearExpirationDate = true }, Ct);

        var memory = await h.Client.GetAsync(id, Ct);
        Assert.NotNull(memory);
        Assert.Equal("likes green tea", memory.Memory);
        Assert.Null(memory.ExpirationDate);
        Assert.Equal("2", memory.Metadata?["b"]?.GetValue<string>());
        Assert.Equal("1", memory.Metadata?["a"]?.GetValue<string>());

        var put = h.Recorder.Requests.Single(r => r.Method == "PUT");
        Assert.Contains("\"expiration_date\":null", put.Body, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"likes green tea\"", put.Body, StringComparison.Ordinal);

        await h.Client.UpdateAsync(id, new Mem0UpdateRequest { ExpirationDate = new DateOnly(2098, 2, 3) }, Ct);
        Assert.Equal(new DateOnly(2098, 2, 3), (await h.Client.GetAsync(id, Ct))!.ExpirationDate);
        Assert.Contains("\"expiration_date\":\"2098-02-03\"", h.Recorder.Requests.Last(r => r.Method == "PUT").Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Delete_removes_the_memory_and_a_missing_one_is_not_found(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var id = Assert.Single(await h.AddVerbatimAsync(ClientHarness.Scope(), "to be deleted")).Id;

        await h.Client.DeleteAsync(id, Ct);
        Assert.Null(await h.Client.GetAsync(id, Ct));

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.Client.DeleteAsync(id, Ct));
        Assert.Equal(MemoryErrorCode.NotFound, ex.Code);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(ex.Mem0Message));
        Assert.Contains(ex.Mem0Message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task DeleteAll_removes_only_the_scope(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        await h.AddVerbatimAsync(ClientHarness.Scope("alice"), "alice one", "alice two");
        await h.AddVerbatimAsync(ClientHarness.Scope("bob"), "bob one");

        await h.Client.DeleteAllAsync(ClientHarness.Scope("alice"), Ct);

        Assert.Empty((await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope("alice") }, Ct)).Results);
        Assert.Single((await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope("bob") }, Ct)).Results);
        var expected = flavor == Mem0ApiFlavor.Platform ? "/v1/memories/?user_id=alice" : "/memories?user_id=alice";
        Assert.Contains(h.Emulator.Requests, r => r.Method == "DELETE" && r.PathAndQuery == expected);
    }

    [Fact]
    public async Task DeleteAll_encodes_the_query_values()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        await h.Client.DeleteAllAsync(new Mem0Entities(UserId: "a&b=c", AppId: "x/y"), Ct);
        var request = h.Recorder.Requests.Single(r => r.Method == "DELETE");
        Assert.Equal("?user_id=a%26b%3Dc&app_id=x%2Fy", request.Uri.Query);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task History_lists_the_changes_oldest_first(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var id = Assert.Single(await h.AddVerbatimAsync(ClientHarness.Scope(), "likes tea")).Id;
        await h.Client.UpdateAsync(id, new Mem0UpdateRequest { Text = "likes coffee" }, Ct);

        var history = await h.Client.GetHistoryAsync(id, Ct);

        Assert.Equal(["ADD", "UPDATE"], history.Select(e => e.Event));
        Assert.All(history, e => Assert.Equal(id, e.MemoryId));
        Assert.Equal("likes tea", history[1].OldMemory);
        Assert.Equal("likes coffee", history[1].NewMemory);
        Assert.NotNull(history[0].CreatedAt);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Batch_update_and_delete_change_every_memory(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var ids = (await h.AddVerbatimAsync(ClientHarness.Scope(), "one", "two", "three")).Select(a => a.Id).ToList();

        await h.Client.BatchUpdateAsync([.. ids.Select((id, i) => new Mem0BatchUpdate(id, $"updated {i}", new JsonObject { ["batch"] = "yes" }))], Ct);
        var listed = (await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope() }, Ct)).Results;
        Assert.Equal(["updated 0", "updated 1", "updated 2"], listed.Select(m => m.Memory).Order(StringComparer.Ordinal));
        Assert.All(listed, m => Assert.Equal("yes", m.Metadata?["batch"]?.GetValue<string>()));

        await h.Client.BatchDeleteAsync(ids, Ct);
        Assert.Empty((await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope() }, Ct)).Results);

        if (flavor == Mem0ApiFlavor.Platform)
        {
            Assert.Single(h.Emulator.Requests, r => r.Method == "PUT" && r.PathAndQuery == "/v1/batch/");
            Assert.Single(h.Emulator.Requests, r => r.Method == "DELETE" && r.PathAndQuery == "/v1/batch/");
        }
        else
        {
            // The server has no batch endpoint: one call per memory.
            Assert.Equal(3, h.Emulator.Requests.Count(r => r.Method == "PUT" && r.PathAndQuery.StartsWith("/memories/", StringComparison.Ordinal)));
            Assert.Equal(3, h.Emulator.Requests.Count(r => r.Method == "DELETE" && r.PathAndQuery.StartsWith("/memories/", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Platform_batches_over_1000_are_sent_in_chunks()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        var ids = (await h.AddVerbatimAsync(ClientHarness.Scope(), [.. Enumerable.Range(0, 1001).Select(i => $"bulk fact {i}")])).Select(a => a.Id).ToList();
        Assert.Equal(1001, ids.Count);

        await h.Client.BatchUpdateAsync([.. ids.Select(id => new Mem0BatchUpdate(id, Metadata: new JsonObject { ["k"] = "v" }))], Ct);
        await h.Client.BatchDeleteAsync(ids, Ct);

        var puts = h.Emulator.Requests.Where(r => r.Method == "PUT" && r.PathAndQuery == "/v1/batch/").ToList();
        var deletes = h.Emulator.Requests.Where(r => r.Method == "DELETE" && r.PathAndQuery == "/v1/batch/").ToList();
        Assert.Equal(2, puts.Count);
        Assert.Equal(2, deletes.Count);
        Assert.All(puts.Concat(deletes), r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(0, h.Emulator.MemoryCount);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Entities_lists_users_and_agents_with_memories(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        await h.AddVerbatimAsync(new Mem0Entities(UserId: "alice"), "a1", "a2");
        await h.AddVerbatimAsync(new Mem0Entities(AgentId: "helper"), "h1");

        var entities = await h.Client.ListEntitiesAsync(Ct);

        Assert.Contains(entities, e => e.Type == "user" && e.Name == "alice" && e.TotalMemories == 2);
        Assert.Contains(entities, e => e.Type == "agent" && e.Name == "helper");
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Ping_succeeds_with_a_good_key(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        await h.Client.PingAsync(Ct);
        var expected = flavor == Mem0ApiFlavor.Platform ? "/v1/ping/" : "/entities";
        Assert.Equal(expected, Assert.Single(h.Emulator.Requests).PathAndQuery);
    }

    private static Task<IReadOnlyList<Mem0AddResult>> AddAsync(ClientHarness h, Mem0Entities entities, string topic, string text) =>
        h.Client.AddAsync(
            new Mem0AddRequest { Messages = [new("user", text)], Entities = entities, Metadata = new JsonObject { ["topic"] = topic }, Infer = false },
            Ct);
}
