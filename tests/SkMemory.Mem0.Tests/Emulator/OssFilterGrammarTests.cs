using System.Text.Json.Nodes;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>The OSS server's search filter grammar (reference §1.6): operators on metadata fields, wildcard, AND/OR/NOT.</summary>
public sealed class OssFilterGrammarTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<string>> SearchAsync(EmulatorCalls calls, string filters, string query = "note")
    {
        var result = await calls.OkAsync("POST", "/search", new JsonObject { ["query"] = query, ["filters"] = JsonNode.Parse(filters) });
        return EmulatorCalls.Memories(result).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Operators_wildcard_and_logic_filter_on_ids_and_metadata()
    {
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: Ct);
        using var calls = new EmulatorCalls(emulator, platform: false);
        foreach (var (text, user, agent, metadata) in new[]
        {
            ("note one", "alice", (string?)null, """{"priority":1,"tag":"Work","tags":["a","b"]}"""),
            ("note two", "alice", "bot", """{"priority":5,"tag":"home"}"""),
            ("note three", "alice", null, """{"priority":9}"""),
            ("note four", "bob", null, """{"priority":5,"tag":"work"}"""),
        })
        {
            var body = new JsonObject { ["user_id"] = user, ["infer"] = false, ["metadata"] = JsonNode.Parse(metadata), ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }) };
            if (agent is not null)
            {
                body["agent_id"] = agent;
            }

            await calls.OkAsync("POST", "/memories", body);
        }

        Assert.Equal(["note one", "note three", "note two"], await SearchAsync(calls, """{"user_id":"alice"}"""));
        Assert.Equal(["note two"], await SearchAsync(calls, """{"user_id":"alice","agent_id":"*"}"""));
        Assert.Equal(["note two"], await SearchAsync(calls, """{"user_id":"alice","priority":5}"""));
        Assert.Equal(["note three", "note two"], await SearchAsync(calls, """{"user_id":"alice","priority":{"gt":1}}"""));
        Assert.Equal(["note one", "note two"], await SearchAsync(calls, """{"user_id":"alice","priority":{"gte":1,"lte":5}}"""));
        Assert.Equal(["note one"], await SearchAsync(calls, """{"user_id":"alice","priority":{"lt":5}}"""));
        Assert.Equal(["note one", "note three"], await SearchAsync(calls, """{"user_id":"alice","priority":{"ne":5}}"""));
        Assert.Equal(["note one", "note three"], await SearchAsync(calls, """{"user_id":"alice","priority":{"in":[1,9]}}"""));
        Assert.Equal(["note two"], await SearchAsync(calls, """{"user_id":"alice","priority":{"nin":[1,9]}}"""));
        Assert.Equal(["note one"], await SearchAsync(calls, """{"user_id":"alice","tag":{"contains":"Wo"}}"""));
        Assert.Equal(["note four", "note one"], await SearchAsync(calls, """{"user_id":{"in":["alice","bob"]},"tag":{"icontains":"WORK"}}"""));
        Assert.Equal(["note one"], await SearchAsync(calls, """{"user_id":"alice","tags":{"contains":"b"}}"""));
        Assert.Equal(["note one", "note two"], await SearchAsync(calls, """{"user_id":"alice","tag":"*"}"""));
        Assert.Equal(["note one", "note three"], await SearchAsync(calls, """{"user_id":"alice","OR":[{"priority":1},{"priority":9}]}"""));
        Assert.Equal(["note two"], await SearchAsync(calls, """{"user_id":"alice","AND":[{"priority":{"gte":5}},{"tag":"home"}]}"""));
        Assert.Equal(["note three"], await SearchAsync(calls, """{"user_id":"alice","NOT":[{"tag":"*"}]}"""));
        Assert.Equal(["note four"], await SearchAsync(calls, """{"user_id":"bob"}"""));

        var (status, body2) = await calls.SendAsync("POST", "/search", JsonNode.Parse("""{"query":"note","filters":{"user_id":"alice","priority":{"regex":"x"}}}"""));
        Assert.Equal(400, status);
        Assert.Equal("Unsupported metadata filter operator: regex", body2!["detail"]!.GetValue<string>());
    }
}
