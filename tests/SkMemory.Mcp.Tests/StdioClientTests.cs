using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

using SkMemory.Tests;

namespace SkMemory.Mcp.Tests;

/// <summary>The official C# MCP client against the real <c>skmem mcp</c>, started as a child process over stdio.</summary>
public sealed class StdioClientTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("skmem-mcp-stdio-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task The_official_client_runs_a_session_against_skmem_mcp_over_stdio()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = Path.Combine(_home, "memory.db");
        var serverErrors = new List<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "skmem",
            Command = "dotnet",
            Arguments = SkmemProcess.McpArguments(store),
            EnvironmentVariables = new Dictionary<string, string?> { ["SKMEMORY_HOME"] = _home, ["USER"] = "skmem-test" },
            StandardErrorLines = line =>
            {
                lock (serverErrors)
                {
                    serverErrors.Add(line);
                }
            },
        });
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: ct);

        var tools = await client.ListToolsAsync(cancellationToken: ct);
        Assert.Equal(
            ["explain", "forget", "get_history", "get_job", "ingest", "read_by_scope", "search_by_semantics", "update_with_conflict_resolution", "write_with_provenance"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));

        var scope = Json("""{"kind":"personal","subject":"ana"}""");
        var written = await client.CallToolAsync(
            "write_with_provenance",
            new Dictionary<string, object?>
            {
                ["scope"] = scope,
                ["text"] = "Ana prefers green tea in the morning.",
                ["type"] = "preference",
                ["evidence"] = Json("""{"message_ids":["m1"],"quoted_spans":["I always have green tea in the morning"]}"""),
            },
            cancellationToken: ct);
        Assert.True(written.IsError is not true, Text(written));
        var record = written.StructuredContent!.Value.GetProperty("record");
        var id = record.GetProperty("id").GetString()!;
        Assert.Equal(1, record.GetProperty("version").GetInt64());
        Assert.False(string.IsNullOrWhiteSpace(Text(written)));

        var found = await client.CallToolAsync(
            "search_by_semantics",
            new Dictionary<string, object?> { ["scope"] = scope, ["query"] = "green tea morning", ["top"] = 5, ["token_budget"] = 300 },
            cancellationToken: ct);
        Assert.True(found.IsError is not true, Text(found));
        var results = found.StructuredContent!.Value.GetProperty("results");
        Assert.Contains(results.EnumerateArray(), r => r.GetProperty("record").GetProperty("id").GetString() == id);
        var packet = found.StructuredContent!.Value.GetProperty("packet");
        Assert.Contains("green tea", packet.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(packet.GetProperty("tokens").GetInt32() <= 300);

        var stale = await client.CallToolAsync(
            "update_with_conflict_resolution",
            new Dictionary<string, object?>
            {
                ["scope"] = scope,
                ["id"] = id,
                ["text"] = "Ana prefers black coffee in the morning.",
                ["expected_version"] = 7,
                ["policy"] = "fail",
            },
            cancellationToken: ct);
        Assert.Equal("conflict", Decision(stale));

        var superseded = await client.CallToolAsync(
            "update_with_conflict_resolution",
            new Dictionary<string, object?>
            {
                ["scope"] = scope,
                ["id"] = id,
                ["text"] = "Ana prefers black coffee in the morning.",
                ["expected_version"] = 1,
                ["policy"] = "supersede",
                ["evidence"] = Json("""{"message_ids":["m2"]}"""),
            },
            cancellationToken: ct);
        Assert.True(superseded.IsError is not true, Text(superseded));
        Assert.Equal("superseded", Decision(superseded));
        var currentId = superseded.StructuredContent!.Value.GetProperty("record").GetProperty("id").GetString()!;

        var forgotten = await client.CallToolAsync(
            "forget",
            new Dictionary<string, object?> { ["scope"] = scope, ["id"] = currentId, ["reason"] = "the user asked to forget it" },
            cancellationToken: ct);
        Assert.True(forgotten.IsError is not true, Text(forgotten));
        Assert.Equal("deleted", forgotten.StructuredContent!.Value.GetProperty("record").GetProperty("status").GetString());

        // A bad call (no scope) is an error result or a protocol error, and the server keeps serving.
        string problem;
        try
        {
            var bad = await client.CallToolAsync("search_by_semantics", new Dictionary<string, object?> { ["query"] = "tea" }, cancellationToken: ct);
            Assert.True(bad.IsError, "a call without a scope should fail");
            problem = Text(bad);
        }
        catch (McpException ex)
        {
            problem = ex.Message;
        }

        Assert.Contains("scope", problem, StringComparison.OrdinalIgnoreCase);
        var after = await client.ListToolsAsync(cancellationToken: ct);
        Assert.Equal(tools.Count, after.Count);

        lock (serverErrors)
        {
            Assert.DoesNotContain(serverErrors, l => l.Contains("   at ", StringComparison.Ordinal));
        }
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Text(CallToolResult result) =>
        string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    private static string? Decision(CallToolResult result)
    {
        var content = result.StructuredContent ?? throw new InvalidOperationException("no structured content: " + Text(result));
        return content.TryGetProperty("decision", out var decision)
            ? decision.GetString()
            : content.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
