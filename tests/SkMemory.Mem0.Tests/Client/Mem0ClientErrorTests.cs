using System.Net;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>Auth failures, Mem0's validation messages and the checks the client makes before any request.</summary>
public sealed class Mem0ClientErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task A_wrong_key_is_access_denied_with_Mem0s_message(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var (client, _) = h.CreateClient(o => o.ApiKey = "wrong-key");

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => client.PingAsync(Ct));

        Assert.Equal(MemoryErrorCode.AccessDenied, ex.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("Invalid API key", ex.Mem0Message, StringComparison.Ordinal);
        Assert.Contains(ex.Mem0Message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("MEM0_API_KEY", ex.Message, StringComparison.Ordinal);

        // Auth failures are not retried.
        Assert.Single(h.Emulator.Requests);
    }

    [Fact]
    public async Task The_server_without_a_key_asks_for_one()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        var (client, recorder) = h.CreateClient(o => o.ApiKey = null);

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => client.PingAsync(Ct));

        Assert.Equal(MemoryErrorCode.AccessDenied, ex.Code);
        Assert.Contains("Authentication required", ex.Mem0Message, StringComparison.Ordinal);
        Assert.False(Assert.Single(recorder.Requests).Headers.ContainsKey("X-API-Key"));
    }

    [Fact]
    public async Task A_server_user_key_cannot_delete_all_and_the_message_says_why()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        var (client, _) = h.CreateClient(o => o.ApiKey = h.Emulator.Options.ServerUserKey);

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => client.DeleteAllAsync(ClientHarness.Scope(), Ct));

        Assert.Equal(MemoryErrorCode.AccessDenied, ex.Code);
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("Admin role required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Platform_400_keeps_Mem0s_message()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.Platform);

        // The Platform refuses an id that is not a UUID.
        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.Client.UpdateAsync("not-a-uuid", new Mem0UpdateRequest { Text = "x" }, Ct));

        Assert.Equal(MemoryErrorCode.Validation, ex.Code);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("UUID", ex.Mem0Message, StringComparison.Ordinal);
        Assert.Contains(ex.Mem0Message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_400_detail_and_request_id_are_kept()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        h.Emulator.InjectFault(new Mem0EmulatorFault(400, """{"detail":"Invalid expiration_date format. Use YYYY-MM-DD.","request_id":"ab12cd34"}"""));

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.AddVerbatimAsync(ClientHarness.Scope(), "x"));

        Assert.Equal(MemoryErrorCode.Validation, ex.Code);
        Assert.Equal("Invalid expiration_date format. Use YYYY-MM-DD.", ex.Mem0Message);
        Assert.NotNull(ex.RequestId);
        Assert.Contains(ex.RequestId, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FastAPI_422_lists_each_error_with_its_location()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);
        h.Emulator.InjectFault(new Mem0EmulatorFault(422, """{"detail":[{"loc":["body","messages",0,"content"],"msg":"Input should be a valid string","type":"string_type"}]}"""));

        var ex = await Assert.ThrowsAsync<Mem0ApiException>(() => h.AddVerbatimAsync(ClientHarness.Scope(), "x"));

        Assert.Equal(MemoryErrorCode.Validation, ex.Code);
        Assert.Equal("Input should be a valid string (at body.messages.0.content)", ex.Mem0Message);
    }

    [Fact]
    public async Task The_server_has_no_app_id()
    {
        await using var h = await ClientHarness.StartAsync(Mem0ApiFlavor.OpenSource);

        var ex = await Assert.ThrowsAsync<MemoryException>(() => h.AddVerbatimAsync(new Mem0Entities(UserId: "alice", AppId: "app"), "x"));

        Assert.Equal(MemoryErrorCode.NotSupported, ex.Code);
        Assert.Contains("the self-hosted Mem0 server has no app_id", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(h.Emulator.Requests);
    }

    [Theory]
    [InlineData(Mem0ApiFlavor.Platform)]
    [InlineData(Mem0ApiFlavor.OpenSource)]
    public async Task Bad_requests_are_refused_before_any_call(Mem0ApiFlavor flavor)
    {
        await using var h = await ClientHarness.StartAsync(flavor);
        var c = h.Client;

        await Refused(() => c.AddAsync(new Mem0AddRequest { Messages = [], Entities = ClientHarness.Scope() }, Ct), "at least one message");
        await Refused(() => c.AddAsync(new Mem0AddRequest { Messages = [new("user", "x")], Entities = new() }, Ct), "at least one entity id");
        await Refused(() => c.SearchAsync(new Mem0SearchRequest { Query = "  ", Entities = ClientHarness.Scope() }, Ct), "non-blank query");
        await Refused(() => c.SearchAsync(new Mem0SearchRequest { Query = "x", Entities = new() }, Ct), "at least one entity id");
        await Refused(() => c.SearchAsync(new Mem0SearchRequest { Query = "x", Entities = ClientHarness.Scope(), Threshold = 1.5 }, Ct), "Threshold");
        await Refused(() => c.SearchAsync(new Mem0SearchRequest { Query = "x", Entities = new Mem0Entities(UserId: "has space") }, Ct), "whitespace");
        await Refused(() => c.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), PageSize = 1001 }, Ct), "PageSize");
        await Refused(() => c.UpdateAsync(Guid.NewGuid().ToString(), new Mem0UpdateRequest(), Ct), "needs text");
        await Refused(() => c.DeleteAllAsync(new Mem0Entities(), Ct), "at least one entity id");
        await Assert.ThrowsAnyAsync<ArgumentException>(() => c.GetAsync(" ", Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => c.DeleteAsync("", Ct));

        if (flavor == Mem0ApiFlavor.Platform)
        {
            await Refused(() => c.ListAsync(new Mem0ListRequest { Entities = ClientHarness.Scope(), PageSize = 201 }, Ct), "between 1 and 200");
        }

        Assert.Empty(h.Emulator.Requests);

        static async Task Refused(Func<Task> call, string expected)
        {
            var ex = await Assert.ThrowsAsync<MemoryException>(call);
            Assert.Equal(MemoryErrorCode.Validation, ex.Code);
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_are_validated_when_the_client_is_built()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Mem0Client(new Mem0ClientOptions { BaseAddress = new Uri("http://localhost:1"), Flavor = Mem0ApiFlavor.Platform }));
        Assert.Contains("MEM0_API_KEY", ex.Message, StringComparison.Ordinal);
    }
}
