using System.Text.Json.Nodes;
using SkMemory.Mem0.Emulator;
using SkMemory.Tests;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>The Platform v2/v3 filter grammar (reference §2.7) on v3 list and search.</summary>
public sealed class PlatformFilterGrammarTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<string>> ListAsync(EmulatorCalls calls, string filters)
    {
        var result = await calls.OkAsync("POST", "/v3/memories/", new JsonObject { ["filters"] = JsonNode.Parse(filters) });
        return EmulatorCalls.Memories(result);
    }

    private static async Task<(Mem0Emulator Emulator, EmulatorCalls Calls, ManualTimeProvider Clock)> SeedAsync()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var emulator = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions { TimeProvider = clock }, Ct);
        var calls = new EmulatorCalls(emulator, platform: true);
        await calls.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice", ["metadata"] = new JsonObject { ["topic"] = "food", ["level"] = 1 }, ["custom_categories"] = new JsonArray(new JsonObject { ["food"] = "eating" }) }, "alice food fact");
        clock.Advance(TimeSpan.FromDays(1));
        await calls.AddVerbatimAsync(new JsonObject { ["user_id"] = "alice", ["agent_id"] = "bot", ["metadata"] = new JsonObject { ["topic"] = "travel" } }, "alice travel fact");
        clock.Advance(TimeSpan.FromDays(1));
        await calls.AddVerbatimAsync(new JsonObject { ["agent_id"] = "bot", ["app_id"] = "app1" }, "bot fact");
        clock.Advance(TimeSpan.FromDays(1));
        await calls.AddVerbatimAsync(new JsonObject { ["user_id"] = "bob", ["run_id"] = "r1", ["metadata"] = new JsonObject { ["topic"] = "food", ["nested"] = new JsonObject { ["k"] = 1 } } }, "bob food fact");
        return (emulator, calls, clock);
    }

    [Fact]
    public async Task Entity_filters_support_equality_OR_AND_NOT_in_ne_and_wildcard()
    {
        var (emulator, calls, _) = await SeedAsync();
        await using var _e = emulator;
        using var _c = calls;

        Assert.Equal(["alice food fact", "alice travel fact"], await ListAsync(calls, """{"user_id":"alice"}"""));
        Assert.Equal(["alice travel fact"], await ListAsync(calls, """{"user_id":"alice","agent_id":"bot"}"""));
        Assert.Equal(["alice travel fact"], await ListAsync(calls, """{"AND":[{"user_id":"alice"},{"agent_id":"bot"}]}"""));
        Assert.Equal(["alice food fact", "alice travel fact", "bot fact"], await ListAsync(calls, """{"OR":[{"user_id":"alice"},{"agent_id":"bot"}]}"""));
        Assert.Equal(["alice food fact"], await ListAsync(calls, """{"user_id":"alice","NOT":[{"agent_id":"bot"}]}"""));
        Assert.Equal(["alice food fact", "alice travel fact", "bob food fact"], await ListAsync(calls, """{"user_id":{"in":["alice","bob"]}}"""));
        Assert.Equal(["bob food fact"], await ListAsync(calls, """{"user_id":"*","AND":[{"user_id":{"ne":"alice"}}]}"""));
        Assert.Equal(["alice travel fact", "bot fact"], await ListAsync(calls, """{"agent_id":"*"}"""));
        Assert.Equal(["bob food fact"], await ListAsync(calls, """{"run_id":"r1"}"""));
        Assert.Equal(["bot fact"], await ListAsync(calls, """{"app_id":{"eq":"app1"}}"""));
    }

    [Fact]
    public async Task Metadata_categories_dates_and_memory_ids_filter()
    {
        var (emulator, calls, _) = await SeedAsync();
        await using var _e = emulator;
        using var _c = calls;

        Assert.Equal(["alice food fact", "bob food fact"], await ListAsync(calls, """{"user_id":"*","metadata":{"topic":"food"}}"""));
        Assert.Equal(["bob food fact"], await ListAsync(calls, """{"user_id":"*","metadata":{"nested":{"k":1}}}"""));
        Assert.Equal(["alice travel fact"], await ListAsync(calls, """{"user_id":"*","metadata":{"ne":{"topic":"food"}}}"""));
        Assert.Equal(["alice food fact"], await ListAsync(calls, """{"user_id":"*","categories":{"in":["food","sports"]}}"""));
        Assert.Equal(["alice food fact"], await ListAsync(calls, """{"user_id":"*","categories":{"contains":"food"}}"""));
        Assert.Equal(["alice travel fact", "bob food fact"], await ListAsync(calls, """{"user_id":"*","created_at":{"gte":"2026-01-11"}}"""));
        Assert.Equal(["alice food fact"], await ListAsync(calls, """{"user_id":"*","created_at":{"lt":"2026-01-11T00:00:00Z"}}"""));
        Assert.Equal(["alice travel fact"], await ListAsync(calls, """{"user_id":"*","created_at":{"gt":"2026-01-11","lte":"2026-01-12T00:00:00+00:00"}}"""));
        Assert.Equal(["bot fact"], await ListAsync(calls, """{"agent_id":"*","updated_at":{"gt":"2026-01-12"}}"""));

        var all = await calls.OkAsync("POST", "/v3/memories/", new JsonObject { ["filters"] = new JsonObject { ["user_id"] = "*" } });
        var firstId = all["results"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(["alice food fact"], await ListAsync(calls, $$"""{"user_id":"*","memory_ids":["{{firstId}}"]}"""));
        Assert.Equal(["alice food fact"], await ListAsync(calls, """{"user_id":"*","keywords":{"icontains":"FOOD"},"NOT":[{"user_id":"bob"}]}"""));
    }

    [Fact]
    public async Task Invalid_filters_are_400_with_the_documented_message()
    {
        var (emulator, calls, _) = await SeedAsync();
        await using var _e = emulator;
        using var _c = calls;

        var (status, body) = await calls.SendAsync("POST", "/v3/memories/", new JsonObject { ["filters"] = JsonNode.Parse("""{"user_id":"alice","owner":"x"}""") });
        Assert.Equal(400, status);
        Assert.StartsWith("Top-level key must be a logical operator or an allowed field: [", body!["error"]!.GetValue<string>(), StringComparison.Ordinal);

        foreach (var bad in (string[])["""{"user_id":"alice","created_at":"2026-01-01"}""", """{"user_id":"alice","created_at":{"eq":"2026-01-01"}}""",
                                       """{"user_id":"alice","metadata":{"in":{"topic":"food"}}}""", """{"user_id":{"nin":["alice"]}}""", """{"user_id":{">=":"a"}}"""])
        {
            (status, body) = await calls.SendAsync("POST", "/v3/memories/search/", new JsonObject { ["query"] = "food", ["filters"] = JsonNode.Parse(bad) });
            Assert.True(status == 400, $"{bad} → {status} {body?.ToJsonString()}");
            Assert.NotNull(body!["error"]);
        }
    }

    [Fact]
    public async Task Search_applies_the_filters_the_threshold_and_top_k()
    {
        var (emulator, calls, _) = await SeedAsync();
        await using var _e = emulator;
        using var _c = calls;

        var result = await calls.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"food fact","filters":{"OR":[{"user_id":"alice"},{"user_id":"bob"}]}}"""));
        Assert.Equal(["alice food fact", "bob food fact", "alice travel fact"], EmulatorCalls.Memories(result));
        var scores = result["results"]!.AsArray().Select(r => r!["score"]!.GetValue<double>()).ToList();
        Assert.True(scores[0] == scores[1] && scores[1] > scores[2] && scores[2] > 0.1, string.Join(",", scores));

        result = await calls.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"food fact","filters":{"user_id":"*"},"top_k":1}"""));
        Assert.Equal(["alice food fact"], EmulatorCalls.Memories(result));

        result = await calls.OkAsync("POST", "/v3/memories/search/", JsonNode.Parse("""{"query":"food fact","filters":{"user_id":"*"},"threshold":0.99}"""));
        Assert.Empty(result["results"]!.AsArray());

        // v2's default threshold is 0.3: "travel" shares one word of three with the query.
        result = await calls.OkAsync("POST", "/v2/memories/search/", JsonNode.Parse("""{"query":"travel plans spain","filters":{"user_id":"alice"}}"""));
        Assert.Equal(["alice travel fact"], EmulatorCalls.Memories(result));
        result = await calls.OkAsync("POST", "/v2/memories/search/", JsonNode.Parse("""{"query":"travel plans spain italy france portugal greece","filters":{"user_id":"alice"}}"""));
        Assert.Empty(result.AsArray());
    }
}
