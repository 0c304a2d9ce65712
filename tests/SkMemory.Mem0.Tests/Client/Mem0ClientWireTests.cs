using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>What each API receives: paths, slashes, auth headers and snake_case bodies.</summary>
public sealed class Mem0ClientWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Platform_requests_use_versioned_paths_with_a_trailing_slash_and_Token_auth()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        var id = Assert.Single(await h.AddVerbatimAsync(ClientHarness.Scope(), "wire fact")).Id;
        await h.Client.GetAsync(id, Ct);
        await h.Client.GetHistoryAsync(id, Ct);
        await h.Client.DeleteAsync(id, Ct);

        Assert.Equal(
            ["/v3/memories/add/", $"/v1/memories/{id}/", $"/v1/memories/{id}/history/", $"/v1/memories/{id}/"],
            h.Recorder.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.All(h.Recorder.Requests, r =>
        {
            Assert.Equal($"Token {h.Emulator.Options.PlatformApiKey}", r.Headers["Authorization"]);
            Assert.False(r.Headers.ContainsKey("X-API-Key"));
        });
    }

    [Fact]
    public async Task Server_requests_use_bare_paths_without_a_trailing_slash_and_X_API_Key()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        var id = Assert.Single(await h.AddVerbatimAsync(ClientHarness.Scope(), "wire fact")).Id;
        await h.Client.GetAsync(id, Ct);
        await h.Client.GetHistoryAsync(id, Ct);
        await h.Client.DeleteAsync(id, Ct);

        Assert.Equal(
            ["/memories", $"/memories/{id}", $"/memories/{id}/history", $"/memories/{id}"],
            h.Recorder.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.All(h.Recorder.Requests, r =>
        {
            Assert.Equal(h.Emulator.Options.ServerAdminKey, r.Headers["X-API-Key"]);
            Assert.False(r.Headers.ContainsKey("Authorization"));
        });
    }

    [Fact]
    public async Task Add_bodies_are_snake_case_without_nulls_and_metadata_keys_are_kept()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        await h.Client.AddAsync(
            new Mem0AddRequest
            {
                Messages = [new("user", "hello")],
                Entities = new(UserId: "alice", RunId: "run-1"),
                Metadata = new JsonObject { ["CamelKey"] = "v", ["nested"] = new JsonObject { ["InnerKey"] = 1 } },
                Infer = false,
                ExpirationDate = new DateOnly(2099, 5, 6),
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            },
            Ct);

        var body = JsonNode.Parse(h.Recorder.Requests.Single().Body!)!.AsObject();
        Assert.Equal("alice", body["user_id"]!.GetValue<string>());
        Assert.Equal("run-1", body["run_id"]!.GetValue<string>());
        Assert.False(body.ContainsKey("agent_id"));
        Assert.False(body.ContainsKey("app_id"));
        Assert.False(body.ContainsKey("immutable"));
        Assert.False(body["infer"]!.GetValue<bool>());
        Assert.Equal("2099-05-06", body["expiration_date"]!.GetValue<string>());
        Assert.Equal(1_700_000_000, body["timestamp"]!.GetValue<long>());
        Assert.Equal("""{"CamelKey":"v","nested":{"InnerKey":1}}""", body["metadata"]!.ToJsonString());
        Assert.Equal("""[{"role":"user","content":"hello"}]""", body["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task Platform_org_and_project_travel_as_query_parameters()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform, o =>
        {
            o.OrgId = "org 1";
            o.ProjectId = "proj-1";
        });
        await h.Client.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), Page = 1, PageSize = 10 }, Ct);

        var uri = h.Recorder.Requests.Single().Uri;
        Assert.Equal("/v3/memories/", uri.AbsolutePath);
        Assert.Equal("?page=1&page_size=10&org_id=org%201&project_id=proj-1", uri.Query);
    }

    [Fact]
    public async Task Batch_delete_sends_a_json_body_on_DELETE()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);
        var id = Assert.Single(await h.AddVerbatimAsync(ClientHarness.Scope(), "x")).Id;
        await h.Client.BatchDeleteAsync([id], Ct);

        var request = h.Recorder.Requests.Single(r => r.Method == "DELETE");
        Assert.Equal($$"""{"memories":[{"memory_id":"{{id}}"}]}""", request.Body);
    }
}
