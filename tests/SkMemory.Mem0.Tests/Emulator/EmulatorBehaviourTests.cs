using System.Text.Json.Nodes;
using SkMemory.Mem0.Emulator;
using SkMemory.Tests;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>Emulator semantics beyond single exchanges: expiry, metadata round-trip, async delay, attribution, dedup, defaults, limits.</summary>
public sealed class EmulatorBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Messages(JsonObject body, params (string Role, string Content)[] messages)
    {
        body["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray());
        return body;
    }

    [Fact]
    public async Task The_base_address_is_a_loopback_root_and_both_apis_share_one_state()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        Assert.Equal("127.0.0.1", emulator.BaseAddress.Host);
        Assert.NotEqual(0, emulator.BaseAddress.Port);
        Assert.Equal("/", emulator.BaseAddress.AbsolutePath);

        using var platform = new EmulatorCalls(emulator, platform: true);
        using var oss = new EmulatorCalls(emulator, platform: false);
        await platform.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice", ["app_id"] = "app" }, "Platform fact");
        await oss.OkAsync("POST", "/memories", Messages(new JsonObject { ["user_id"] = "alice" }, ("user", "Server fact")));
        Assert.Equal(2, emulator.MemoryCount);

        Assert.Equal(["Platform fact", "Server fact"], EmulatorCalls.Memories(await oss.OkAsync("GET", "/memories?user_id=alice")));
        Assert.Equal(["Platform fact", "Server fact"], EmulatorCalls.Memories(await platform.OkAsync("GET", "/v1/memories/?user_id=alice")));
    }

    [Fact]
    public async Task Expired_memories_are_hidden_unless_show_expired()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var emulator = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions { TimeProvider = clock }, Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        using var oss = new EmulatorCalls(emulator, platform: false);
        await platform.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice", ["expiration_date"] = "2026-03-01" }, "Expiring coupon code");
        await platform.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice" }, "Permanent coupon preference");

        // Expiry is "expiration_date < today (UTC)": on the day itself the memory is still visible.
        Assert.Equal(2, EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"user_id":"alice"}}"""))).Count);
        clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(["Permanent coupon preference"], EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"user_id":"alice"}}"""))));
        Assert.Equal(2, EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"user_id":"alice"},"show_expired":true}"""))).Count);
        Assert.Equal(["Permanent coupon preference"], EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"coupon","filters":{"user_id":"alice"}}"""))));
        Assert.Equal(2, EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"coupon","filters":{"user_id":"alice"},"show_expired":true}"""))).Count);
        Assert.Equal(["Permanent coupon preference"], EmulatorCalls.Memories(await oss.OkAsync("GET", "/memories?user_id=alice")));
        Assert.Equal(2, EmulatorCalls.Memories(await oss.OkAsync("GET", "/memories?user_id=alice&show_expired=true")).Count);
        Assert.Equal(["Permanent coupon preference"], EmulatorCalls.Memories(await oss.OkAsync("POST", "/search", JsonNode.Parse("""{"query":"coupon","user_id":"alice"}"""))));
        Assert.Equal(2, EmulatorCalls.Memories(await oss.OkAsync("POST", "/search", JsonNode.Parse("""{"query":"coupon","user_id":"alice","show_expired":true}"""))).Count);

        // The admin raw listing does not filter expiry.
        Assert.Equal(2, EmulatorCalls.Memories(await oss.OkAsync("GET", "/memories")).Count);
    }

    [Fact]
    public async Task Nested_metadata_round_trips_and_merges_on_update()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        using var oss = new EmulatorCalls(emulator, platform: false);
        var metadata = JsonNode.Parse("""{"a":{"b":[1,2.5,{"c":null,"d":"é+<>"}],"e":true},"n":12345678901234,"s":"x","arr":[]}""")!.AsObject();

        var ids = await platform.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice", ["metadata"] = metadata.DeepClone() }, "Metadata carrier");
        var got = await platform.OkAsync("GET", $"/v1/memories/{ids[0]}/");
        Assert.True(JsonNode.DeepEquals(metadata, got["metadata"]), got["metadata"]!.ToJsonString());

        var ossAdd = await oss.OkAsync("POST", "/memories", Messages(new JsonObject { ["user_id"] = "bob", ["metadata"] = metadata.DeepClone() }, ("user", "Server carrier")));
        var ossId = ossAdd["results"]![0]!["id"]!.GetValue<string>();
        Assert.True(JsonNode.DeepEquals(metadata, (await oss.OkAsync("GET", $"/memories/{ossId}"))["metadata"]));

        await platform.OkAsync("PUT", $"/v1/memories/{ids[0]}/", JsonNode.Parse("""{"metadata":{"s":"y","extra":{"z":[true]}}}"""));
        var expected = metadata.DeepClone().AsObject();
        expected["s"] = "y";
        expected["extra"] = JsonNode.Parse("""{"z":[true]}""");
        Assert.True(JsonNode.DeepEquals(expected, (await platform.OkAsync("GET", $"/v1/memories/{ids[0]}/"))["metadata"]));

        // OSS update ignores entity ids inside metadata and keeps created_at while bumping updated_at.
        var before = await oss.OkAsync("GET", $"/memories/{ossId}");
        await oss.OkAsync("PUT", $"/memories/{ossId}", JsonNode.Parse("""{"text":"Server carrier v2","metadata":{"agent_id":"evil","s":"z"}}"""));
        var after = await oss.OkAsync("GET", $"/memories/{ossId}");
        Assert.Equal("z", after["metadata"]!["s"]!.GetValue<string>());
        Assert.Null(after["metadata"]!["agent_id"]);
        Assert.Null(after["agent_id"]);
        Assert.Equal(before["created_at"]!.GetValue<string>(), after["created_at"]!.GetValue<string>());
        Assert.NotEqual(before["hash"]!.GetValue<string>(), after["hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task Async_adds_stay_pending_until_the_configured_delay_has_elapsed()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 15, 10, 30, 0, TimeSpan.Zero));
        await using var emulator = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions { TimeProvider = clock, PlatformAsyncDelay = TimeSpan.FromSeconds(5) }, Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);

        var v3 = await platform.OkAsync("POST", "/v3/memories/add/", Messages(new JsonObject { ["user_id"] = "alice" }, ("user", "Lives in Dublin")));
        var v1 = await platform.OkAsync("POST", "/v1/memories/", Messages(new JsonObject { ["user_id"] = "alice" }, ("user", "Works in Cork")));
        Assert.Equal("PENDING", v3["status"]!.GetValue<string>());
        Assert.Equal("PENDING", v1[0]!["status"]!.GetValue<string>());
        Assert.Equal(0, emulator.MemoryCount);

        var pending = await platform.OkAsync("GET", $"/v1/event/{v3["event_id"]}/");
        Assert.Equal("PENDING", pending["status"]!.GetValue<string>());
        Assert.Empty(pending["results"]!.AsArray());
        Assert.Null(pending["completed_at"]);
        Assert.Empty((await platform.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"Dublin","filters":{"user_id":"alice"}}""")))["results"]!.AsArray());

        clock.Advance(TimeSpan.FromSeconds(5));
        var done = await platform.OkAsync("GET", $"/v1/event/{v3["event_id"]}/");
        Assert.Equal("SUCCEEDED", done["status"]!.GetValue<string>());
        Assert.Equal("Lives in Dublin", done["results"]![0]!["data"]!["memory"]!.GetValue<string>());
        Assert.Equal(2, emulator.MemoryCount);
        Assert.Equal(["Lives in Dublin"], EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"Dublin","filters":{"user_id":"alice"}}"""))));

        // infer=false is synchronous regardless of the delay.
        await platform.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice" }, "Verbatim now");
        Assert.Equal(3, emulator.MemoryCount);
    }

    [Fact]
    public async Task Inferred_v3_adds_attribute_speakers_and_skip_duplicates_but_verbatim_adds_keep_both_ids()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        var ids = new JsonObject { ["user_id"] = "alice", ["agent_id"] = "bot", ["run_id"] = "s1" };

        await platform.OkAsync("POST", "/v3/memories/add/", Messages(ids.DeepClone().AsObject(), ("system", "Be brief"), ("user", "  Likes green tea  "), ("assistant", "Recommended oolong")));
        await platform.OkAsync("POST", "/v3/memories/add/", Messages(ids.DeepClone().AsObject(), ("user", "Likes green tea")));
        Assert.Equal(2, emulator.MemoryCount);

        var list = await platform.OkAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"run_id":"s1"}}"""));
        var items = list["results"]!.AsArray();
        Assert.Equal("Likes green tea", items[0]!["memory"]!.GetValue<string>());
        Assert.Equal("alice", items[0]!["user_id"]!.GetValue<string>());
        Assert.Null(items[0]!["agent_id"]);
        Assert.Equal("s1", items[0]!["session_id"]!.GetValue<string>());
        Assert.Null(items[1]!["user_id"]);
        Assert.Equal("bot", items[1]!["agent_id"]!.GetValue<string>());

        var verbatim = ids.DeepClone().AsObject();
        verbatim["filters"] = new JsonObject();
        await platform.AddVerbatimAsync(verbatim, "Likes green tea");
        Assert.Equal(3, emulator.MemoryCount);
        var both = await platform.OkAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"AND":[{"user_id":"alice"},{"agent_id":"bot"}]}}"""));
        Assert.Equal(["Likes green tea"], EmulatorCalls.Memories(both));
    }

    [Fact]
    public async Task Oss_get_all_and_search_default_to_top_k_20_and_platform_search_to_10()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var oss = new EmulatorCalls(emulator, platform: false);
        using var platform = new EmulatorCalls(emulator, platform: true);
        var messages = Enumerable.Range(1, 25).Select(i => ("user", $"Memory number {i}")).ToArray();
        var added = await oss.OkAsync("POST", "/memories", Messages(new JsonObject { ["user_id"] = "alice" }, messages));
        Assert.Equal(25, added["results"]!.AsArray().Count);

        Assert.Equal(20, EmulatorCalls.Memories(await oss.OkAsync("GET", "/memories?user_id=alice")).Count);
        Assert.Equal(25, EmulatorCalls.Memories(await oss.OkAsync("GET", "/memories?user_id=alice&top_k=100")).Count);
        Assert.Equal(20, EmulatorCalls.Memories(await oss.OkAsync("POST", "/search", JsonNode.Parse("""{"query":"memory number","user_id":"alice"}"""))).Count);
        Assert.Equal(3, EmulatorCalls.Memories(await oss.OkAsync("POST", "/search", JsonNode.Parse("""{"query":"memory number","user_id":"alice","top_k":3}"""))).Count);
        Assert.Equal(10, EmulatorCalls.Memories(await platform.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"memory number","filters":{"user_id":"alice"}}"""))).Count);
        Assert.Equal(10, EmulatorCalls.Memories(await platform.OkAsync("POST", "/v1/memories/search/", JsonNode.Parse("""{"query":"memory number","user_id":"alice"}"""))).Count);

        // The exact text ranks first (more shared words → higher score).
        var top = await oss.OkAsync("POST", "/search", JsonNode.Parse("""{"query":"Memory number 17","user_id":"alice","top_k":1}"""));
        Assert.Equal(["Memory number 17"], EmulatorCalls.Memories(top));
        Assert.Equal(1.0, top["results"]![0]!["score"]!.GetValue<double>());

        var page = await platform.OkAsync("POST", "/v3/memories/", JsonNode.Parse("""{"filters":{"user_id":"alice"}}"""));
        Assert.Equal(25, page["count"]!.GetValue<int>());
        Assert.Equal(25, page["results"]!.AsArray().Count);
        Assert.Null(page["next"]);
    }

    [Fact]
    public async Task Batch_operations_reject_more_than_1000_items_without_changing_anything()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        var ids = await platform.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice" }, "Keep me");
        var items = new JsonArray(Enumerable.Range(0, 1001).Select(_ => (JsonNode)new JsonObject { ["memory_id"] = ids[0], ["text"] = "changed" }).ToArray());

        foreach (var method in (string[])["PUT", "DELETE"])
        {
            var (status, body) = await platform.SendAsync(method, "/v1/batch/", new JsonObject { ["memories"] = items.DeepClone() });
            Assert.Equal(400, status);
            Assert.Equal("""{"error":"Maximum of 1000 memories can be updated in a single request"}""", body!.ToJsonString());
        }

        Assert.Equal("Keep me", (await platform.OkAsync("GET", $"/v1/memories/{ids[0]}/"))["memory"]!.GetValue<string>());
        var (okStatus, okBody) = await platform.SendAsync("PUT", "/v1/batch/", new JsonObject { ["memories"] = new JsonArray(items.Take(1000).Select(i => i!.DeepClone()).ToArray()) });
        Assert.Equal(200, okStatus);
        Assert.Equal("Successfully updated 1000 memories", okBody!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reset_clears_memories_events_faults_and_the_request_log()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var platform = new EmulatorCalls(emulator, platform: true);
        var add = await platform.OkAsync("POST", "/v1/memories/", Messages(new JsonObject { ["user_id"] = "alice" }, ("user", "Something")));
        emulator.InjectFault(new Mem0EmulatorFault(503), times: 5);
        Assert.Equal(1, emulator.MemoryCount);
        Assert.Single(emulator.Requests);

        emulator.Reset();
        Assert.Equal(0, emulator.MemoryCount);
        Assert.Empty(emulator.Requests);
        var (status, body) = await platform.SendAsync("GET", $"/v1/event/{add[0]!["event_id"]}/");
        Assert.Equal(404, status);
        Assert.Equal("Event not found or you don't have permission to access it.", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Auth_disabled_server_treats_anonymous_callers_as_admin_and_custom_keys_apply()
    {
        await using var emulator = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions { ServerAuthDisabled = true, PlatformApiKey = "custom", ServerUserKey = "m0sk_custom" }, Ct);
        using var anonymous = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var response = await anonymous.DeleteAsync("/memories?user_id=alice", Ct);
        Assert.Equal(200, (int)response.StatusCode);

        using var user = new EmulatorCalls(emulator, platform: false, apiKey: "m0sk_custom");
        Assert.Equal(403, (await user.SendAsync("POST", "/reset")).Status);
        using var defaultKey = new EmulatorCalls(emulator, platform: true, apiKey: "m0-emulator-key");
        Assert.Equal(401, (await defaultKey.SendAsync("GET", "/v1/ping/")).Status);
        using var customKey = new EmulatorCalls(emulator, platform: true);
        Assert.Equal(200, (await customKey.SendAsync("GET", "/v1/ping/")).Status);
    }
}
