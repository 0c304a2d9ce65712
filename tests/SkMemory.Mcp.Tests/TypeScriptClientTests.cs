using System.Text.Json;
using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;

using SkMemory.Tests;

namespace SkMemory.Mcp.Tests;

/// <summary>
/// The official TypeScript MCP SDK client (tests/SkMemory.Mcp.Tests/ts, installed by scripts/test.sh with npm ci) runs a
/// scripted session (ts/session.mjs) against the streamable HTTP server with an API key, and against <c>skmem mcp</c> over stdio.
/// </summary>
public sealed class TypeScriptClientTests : IDisposable
{
    private static readonly string[] SessionSteps = ["connect", "list_tools", "write", "search", "update_conflict", "update", "forget", "missing_scope", "still_serving"];

    private readonly string _home = Directory.CreateTempSubdirectory("skmem-mcp-ts-").FullName;

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
    public async Task The_TypeScript_SDK_runs_a_session_over_streamable_HTTP_with_an_API_key()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_home, "memory.db") }, cancellationToken: ct);
        var keys = (IMemoryApiKeyStore)store.GetService(typeof(IMemoryApiKeyStore))!;
        var issue = await keys.CreateAsync(
            new MemoryApiKeyRequest { Tenant = "default", Actor = MemoryActor.Agent("ts-client"), ActingFor = ["ana"], Label = "TypeScript SDK test" },
            ct);
        await using var server = await SkMemoryHttpServer.StartAsync(new SkMemoryHttpServerOptions { Store = store, Port = 0 }, ct);

        var steps = await RunSessionAsync(["http", server.McpEndpoint.AbsoluteUri, issue.Secret, "ana"]);

        Assert.Equal([.. SessionSteps, "bad_key"], steps.Keys);
        Assert.Equal("conflict", steps["update_conflict"].GetProperty("decision").GetString());
        Assert.True(steps["search"].GetProperty("found_written").GetBoolean());
        Assert.Equal("deleted", steps["forget"].GetProperty("status").GetString());
        Assert.Equal(401, steps["bad_key"].GetProperty("status").GetInt32());
        var used = (await keys.ListAsync("default", ct)).Single();
        Assert.NotNull(used.LastUsedAt);
    }

    [Fact]
    public async Task The_TypeScript_SDK_runs_a_session_against_skmem_mcp_over_stdio()
    {
        var steps = await RunSessionAsync(["stdio", "dotnet", .. SkmemProcess.McpArguments(Path.Combine(_home, "memory.db"))]);

        Assert.Equal(SessionSteps, steps.Keys);
        Assert.Equal("stdio", steps["connect"].GetProperty("transport").GetString());
        Assert.Equal(9, steps["list_tools"].GetProperty("tools").GetArrayLength());
        Assert.Equal("conflict", steps["update_conflict"].GetProperty("decision").GetString());
        Assert.Equal("superseded", steps["update"].GetProperty("decision").GetString());
    }

    /// <summary>Runs <c>node session.mjs</c> with the arguments; returns each step's line by name, in order, all of them ok.</summary>
    private async Task<Dictionary<string, JsonElement>> RunSessionAsync(string[] arguments)
    {
        var folder = Path.Combine(SkmemProcess.RepositoryRoot, "tests", "SkMemory.Mcp.Tests", "ts");
        Assert.True(
            Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")),
            $"the TypeScript MCP SDK is not installed in {folder}: run scripts/test.sh (or 'npm ci' there; needs Node.js 18+)");
        var (exitCode, output, error) = await SkmemProcess.RunAsync(
            "node",
            ["session.mjs", .. arguments],
            folder,
            new Dictionary<string, string> { ["SKMEMORY_HOME"] = _home, ["USER"] = "skmem-test" },
            TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"node session.mjs exited with {exitCode}\nstdout:\n{output}\nstderr:\n{error}");
        var steps = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var document = JsonDocument.Parse(line);
            var step = document.RootElement.Clone();
            Assert.True(step.GetProperty("ok").GetBoolean(), line);
            steps.Add(step.GetProperty("step").GetString()!, step);
        }

        return steps;
    }
}
