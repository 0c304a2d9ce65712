using System.Text.Json;
using ModelContextProtocol;

namespace SkMemory.Mcp.Tests;

/// <summary>The nine tools through the official C# client over streamable HTTP, as an API key's caller.</summary>
public sealed class ToolTests(McpServerFixture fixture) : IClassFixture<McpServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListTools_NamesTheNineTools_EachRequiringAStrictScope()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var tools = await client.ListToolsAsync(cancellationToken: Ct);
        Assert.Equal(
            ["explain", "forget", "get_history", "get_job", "ingest", "read_by_scope", "search_by_semantics", "update_with_conflict_resolution", "write_with_provenance"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var tool in tools)
        {
            var schema = tool.ProtocolTool.InputSchema;
            Assert.Contains("scope", schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
            Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
            var scope = schema.GetProperty("properties").GetProperty("scope");
            Assert.Equal(["personal", "team", "public"], scope.GetProperty("properties").GetProperty("kind").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
            Assert.False(string.IsNullOrWhiteSpace(tool.Description));
            Assert.NotNull(tool.ProtocolTool.OutputSchema);
        }
    }

    [Fact]
    public async Task WriteThenSearch_PacksWithinBudget_QuotedWithIds_AndExplainShowsTheInjection()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var tea = await client.WriteAsync("bo", "Bo prefers green tea in the morning.", Ct);
        await client.WriteAsync("bo", "Bo is allergic to peanuts.", Ct, type: "constraint", messageId: "m2");
        var again = await client.OkAsync("write_with_provenance", new()
        {
            ["scope"] = Calls.Scope("bo"),
            ["text"] = "Bo prefers green tea in the morning.",
            ["type"] = "preference",
            ["evidence"] = new Dictionary<string, object?> { ["message_ids"] = new[] { "m1" } },
        }, Ct);
        Assert.Equal("duplicate_content", again.GetProperty("outcome").GetString());

        var found = await client.OkAsync("search_by_semantics", new() { ["scope"] = Calls.Scope("bo"), ["query"] = "what tea does bo like", ["token_budget"] = 200, ["task"] = "answer a drink question" }, Ct);
        var packet = found.GetProperty("packet");
        Assert.True(packet.GetProperty("tokens").GetInt32() <= 200);
        Assert.Equal(200, packet.GetProperty("budget").GetInt32());
        var id = tea.GetProperty("id").GetString()!;
        Assert.Contains(id, packet.GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.Contains(packet.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        var first = found.GetProperty("results")[0];
        Assert.True(first.GetProperty("score").GetDouble() > 0);
        Assert.True(first.TryGetProperty("breakdown", out _));

        var explained = await client.OkAsync("explain", new() { ["scope"] = Calls.Scope("bo"), ["id"] = id }, Ct);
        Assert.Equal("created", explained.GetProperty("writes")[0].GetProperty("event_type").GetString());
        var injected = explained.GetProperty("reads").EnumerateArray().Where(r => r.GetProperty("injected").GetBoolean()).ToList();
        var read = Assert.Single(injected);
        Assert.Equal("inject", read.GetProperty("operation").GetString());
        Assert.Equal("answer a drink question", read.GetProperty("task").GetString());
        Assert.Equal("ana", read.GetProperty("reader").GetProperty("id").GetString());
    }

    [Fact]
    public async Task ReadByScope_PagesWithACursor()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        for (var i = 0; i < 5; i++)
        {
            await client.WriteAsync("cy", $"Cy owns bicycle number {i}.", Ct, type: "asset", messageId: $"c{i}");
        }

        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var args = new Dictionary<string, object?> { ["scope"] = Calls.Scope("cy"), ["page_size"] = 2 };
            if (cursor is not null)
            {
                args["cursor"] = cursor;
            }

            var page = await client.OkAsync("read_by_scope", args, Ct);
            ids.AddRange(page.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(3, pages);

        var tooBig = await client.ProtocolErrorAsync("read_by_scope", new() { ["scope"] = Calls.Scope("cy"), ["page_size"] = 201 }, Ct);
        Assert.Equal(McpErrorCode.InvalidParams, tooBig.ErrorCode);
    }

    [Fact]
    public async Task Update_StaleVersion_IsAConflict_AndChangesNothing()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var record = await client.WriteAsync("dee", "Dee lives in Lisbon.", Ct, type: "fact");
        var id = record.GetProperty("id").GetString()!;
        var updated = await client.OkAsync("update_with_conflict_resolution", new() { ["scope"] = Calls.Scope("dee"), ["id"] = id, ["text"] = "Dee lives in Porto.", ["expected_version"] = 1 }, Ct);
        Assert.Equal("updated", updated.GetProperty("decision").GetString());
        Assert.Equal(2, updated.GetProperty("record").GetProperty("version").GetInt64());

        var stale = await client.OkAsync("update_with_conflict_resolution", new() { ["scope"] = Calls.Scope("dee"), ["id"] = id, ["text"] = "Dee lives in Faro.", ["expected_version"] = 1 }, Ct);
        Assert.Equal("conflict", stale.GetProperty("decision").GetString());
        Assert.Equal(2, stale.GetProperty("current_version").GetInt64());
        Assert.Equal("Dee lives in Porto.", stale.GetProperty("record").GetProperty("value").GetProperty("text").GetString());
        var stored = await fixture.Store.GetAsync("acme", Guid.Parse(id), Ct);
        Assert.Equal(2, stored!.Version);
        Assert.Equal("Dee lives in Porto.", stored.Value.Text);
    }

    [Fact]
    public async Task Update_Policies_Supersede_Merge_AndAutoNoOp()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var milk = await client.WriteAsync("eve", "Eve takes almond milk.", Ct);
        var superseded = await client.OkAsync("update_with_conflict_resolution", new()
        {
            ["scope"] = Calls.Scope("eve"),
            ["id"] = milk.GetProperty("id").GetString(),
            ["text"] = "Eve takes oat milk.",
            ["policy"] = "supersede",
            ["evidence"] = new Dictionary<string, object?> { ["message_ids"] = new[] { "m9" } },
        }, Ct);
        Assert.Equal("superseded", superseded.GetProperty("decision").GetString());
        Assert.Equal("superseded", superseded.GetProperty("previous").GetProperty("status").GetString());
        var oat = superseded.GetProperty("record");
        Assert.Equal("Eve takes oat milk.", oat.GetProperty("value").GetProperty("text").GetString());

        var merged = await client.OkAsync("update_with_conflict_resolution", new()
        {
            ["scope"] = Calls.Scope("eve"),
            ["id"] = oat.GetProperty("id").GetString(),
            ["text"] = "Eve takes oat milk.",
            ["policy"] = "merge",
            ["evidence"] = new Dictionary<string, object?> { ["message_ids"] = new[] { "m10" } },
        }, Ct);
        Assert.Equal("merged", merged.GetProperty("decision").GetString());
        Assert.Contains("m10", merged.GetProperty("record").GetProperty("provenance").GetProperty("message_ids").EnumerateArray().Select(e => e.GetString()));

        var same = await client.OkAsync("update_with_conflict_resolution", new()
        {
            ["scope"] = Calls.Scope("eve"),
            ["text"] = "Eve takes oat milk.",
            ["type"] = "preference",
            ["policy"] = "auto",
            ["evidence"] = new Dictionary<string, object?> { ["message_ids"] = new[] { "m10" } },
        }, Ct);
        Assert.Equal("no_op", same.GetProperty("decision").GetString());
        Assert.Equal(oat.GetProperty("id").GetString(), same.GetProperty("record").GetProperty("id").GetString());

        var added = await client.OkAsync("update_with_conflict_resolution", new()
        {
            ["scope"] = Calls.Scope("eve"),
            ["text"] = "Eve likes hiking in the mountains.",
            ["type"] = "preference",
            ["policy"] = "auto",
            ["evidence"] = new Dictionary<string, object?> { ["message_ids"] = new[] { "m11" } },
        }, Ct);
        Assert.Equal("added", added.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Forget_WithReason_LeavesSearch_AndHistoryShowsTheDeletion()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var record = await client.WriteAsync("fay", "Fay collects vintage stamps.", Ct, type: "fact");
        var id = record.GetProperty("id").GetString()!;
        var noReason = await client.ProtocolErrorAsync("forget", new() { ["scope"] = Calls.Scope("fay"), ["id"] = id }, Ct);
        Assert.Equal(McpErrorCode.InvalidParams, noReason.ErrorCode);

        var forgotten = await client.OkAsync("forget", new() { ["scope"] = Calls.Scope("fay"), ["id"] = id, ["reason"] = "the user asked to forget it" }, Ct);
        Assert.Equal("deleted", forgotten.GetProperty("record").GetProperty("status").GetString());
        var found = await client.OkAsync("search_by_semantics", new() { ["scope"] = Calls.Scope("fay"), ["query"] = "stamps" }, Ct);
        Assert.Empty(found.GetProperty("results").EnumerateArray());

        var history = await client.OkAsync("get_history", new() { ["scope"] = Calls.Scope("fay"), ["id"] = id }, Ct);
        Assert.Equal(["created", "deleted"], history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()));
        Assert.Equal("the user asked to forget it", history.GetProperty("events")[1].GetProperty("reason").GetString());

        var missing = await client.ErrorAsync("get_history", new() { ["scope"] = Calls.Scope("fay"), ["id"] = Guid.NewGuid().ToString() }, Ct);
        Assert.Equal("not_found", missing.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ingest_ReturnsAJobAtOnce_ThatCompletes_WithMemories()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var started = await client.OkAsync("ingest", new()
        {
            ["scope"] = Calls.Scope("gus"),
            ["messages"] = new[]
            {
                new Dictionary<string, object?> { ["id"] = "g1", ["role"] = "user", ["content"] = "I'm allergic to shellfish." },
                new Dictionary<string, object?> { ["id"] = "g2", ["role"] = "user", ["content"] = "I prefer window seats on flights." },
            },
        }, Ct);
        var jobId = started.GetProperty("job_id").GetString()!;
        Assert.StartsWith("ing_", jobId, StringComparison.Ordinal);
        Assert.Equal(2, started.GetProperty("items").GetInt32());

        JsonElement job;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            job = await client.OkAsync("get_job", new() { ["scope"] = Calls.Scope("gus"), ["job_id"] = jobId }, Ct);
            if (job.GetProperty("state").GetString() is "completed" or "failed")
            {
                break;
            }

            await Task.Delay(50, Ct);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("counts").GetProperty("added").GetInt32() >= 1, job.GetRawText());

        var page = await client.OkAsync("read_by_scope", new() { ["scope"] = Calls.Scope("gus") }, Ct);
        Assert.NotEmpty(page.GetProperty("memories").EnumerateArray());

        var otherTenant = await fixture.ConnectAsync(fixture.GlobexSecret, Ct);
        await using (otherTenant)
        {
            var hidden = await otherTenant.ErrorAsync("get_job", new() { ["scope"] = Calls.Scope("gil"), ["job_id"] = jobId }, Ct);
            Assert.Equal("not_found", hidden.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task BadArguments_AreInvalidParams_AndWriteNothing()
    {
        await using var client = await fixture.ConnectAsync(fixture.AcmeSecret, Ct);
        var before = await fixture.CountAsync("acme", Ct);
        var evidence = new Dictionary<string, object?> { ["message_ids"] = new[] { "x1" } };
        Dictionary<string, object?>[] bad =
        [
            new() { ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = evidence },                                        // no scope
            new() { ["scope"] = Calls.Scope("hal"), ["type"] = "preference", ["evidence"] = evidence },                                       // no text
            new() { ["scope"] = Calls.Scope("hal"), ["text"] = 42, ["type"] = "preference", ["evidence"] = evidence },                        // wrong type
            new() { ["scope"] = Calls.Scope("hal"), ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = evidence, ["colour"] = "red" }, // unknown
            new() { ["scope"] = Calls.Scope("hal", kind: "galaxy"), ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = evidence },   // bad kind
            new() { ["scope"] = Calls.Scope("hal", kind: "team"), ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = evidence },    // team without team
            new() { ["scope"] = new Dictionary<string, object?> { ["kind"] = "personal" }, ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = evidence }, // no subject
            new() { ["scope"] = Calls.Scope("hal"), ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = new Dictionary<string, object?>() }, // no evidence
            new() { ["scope"] = Calls.Scope("hal"), ["text"] = " ", ["type"] = "preference", ["evidence"] = evidence },                       // blank text
            new() { ["scope"] = Calls.Scope("hal"), ["text"] = "Hal likes jazz.", ["type"] = "preference", ["evidence"] = evidence, ["confidence"] = 7 }, // out of range
        ];
        for (var i = 0; i < bad.Length; i++)
        {
            var result = await Record.ExceptionAsync(async () => await client.CallToolAsync("write_with_provenance", bad[i], cancellationToken: Ct));
            var error = result as McpProtocolException;
            Assert.True(error is not null, $"case {i}: {result?.Message ?? "no error"}");
            Assert.True(error.ErrorCode == McpErrorCode.InvalidParams, $"case {i}: {error.ErrorCode} {error.Message}");
        }

        var unknown = await client.ProtocolErrorAsync("no_such_tool", new() { ["scope"] = Calls.Scope("hal") }, Ct);
        Assert.Equal(McpErrorCode.InvalidParams, unknown.ErrorCode);
        Assert.Contains("no_such_tool", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(before, await fixture.CountAsync("acme", Ct));

        var manual = await client.OkAsync("write_with_provenance", new()
        {
            ["scope"] = Calls.Scope("hal"),
            ["text"] = "Hal likes jazz.",
            ["type"] = "preference",
            ["evidence"] = new Dictionary<string, object?> { ["source_kind"] = "manual" },
        }, Ct);
        Assert.Equal("created", manual.GetProperty("outcome").GetString());
    }
}

/// <summary>The same tools over a pair of streams, as the one fixed caller of <see cref="SkMemoryStdioServer"/>.</summary>
public sealed class ToolStreamTransportTests(McpServerFixture fixture) : IClassFixture<McpServerFixture>
{
    [Fact]
    public async Task OverStreams_ToolsRunAsTheFixedCaller_AndEndWithTheInput()
    {
        var ct = TestContext.Current.CancellationToken;
        var toServer = new System.IO.Pipelines.Pipe();
        var toClient = new System.IO.Pipelines.Pipe();
        var caller = new MemoryCaller { Tenant = "streams", Actor = MemoryActor.User("sam") };
        var server = SkMemoryStdioServer.RunAsync(fixture.Store, caller, toServer.Reader.AsStream(), toClient.Writer.AsStream(), cancellationToken: ct);
        var clientTransport = new ModelContextProtocol.Protocol.StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream());
        var client = await ModelContextProtocol.Client.McpClient.CreateAsync(clientTransport, cancellationToken: ct);
        await using (client)
        {
            var record = await client.WriteAsync("sam", "Sam prefers tabs over spaces.", ct);
            Assert.Equal("streams", record.GetProperty("tenant").GetString());
            Assert.Equal("sam", record.GetProperty("actor").GetProperty("id").GetString());
            var denied = await client.ErrorAsync("write_with_provenance", new()
            {
                ["scope"] = Calls.Scope("someone-else"),
                ["text"] = "Someone else likes tea.",
                ["type"] = "preference",
                ["evidence"] = new Dictionary<string, object?> { ["source_kind"] = "manual" },
            }, ct);
            Assert.Equal("access_denied", denied.GetProperty("code").GetString());
        }

        await toServer.Writer.CompleteAsync();
        await server.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }
}
