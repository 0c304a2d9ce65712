using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.Mcp.Tests;

/// <summary>
/// One real Kestrel server on a free loopback port over a temporary SQLite store (with the deterministic test embedder),
/// shared by a test class, and API keys for two tenants. Tests use their own subjects, so they do not see each other.
/// </summary>
public sealed class McpServerFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "skm-mcp-" + Guid.NewGuid().ToString("N"));

    public SqliteMemoryStore Store { get; private set; } = null!;

    public SkMemoryHttpServer Server { get; private set; } = null!;

    public IMemoryApiKeyStore Keys => (IMemoryApiKeyStore)Store.GetService(typeof(IMemoryApiKeyStore))!;

    public IMemoryAuditLog Audit => (IMemoryAuditLog)Store.GetService(typeof(IMemoryAuditLog))!;

    /// <summary>A key of tenant acme acting as user ana, for subjects ana and bo, auditor.</summary>
    public string AcmeSecret { get; private set; } = null!;

    /// <summary>A key of tenant globex acting as user gil.</summary>
    public string GlobexSecret { get; private set; } = null!;

    public const int MaxRequestBytes = 64 * 1024;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, "memory.db"), EmbeddingGenerator = new TestEmbeddingGenerator() });
        Server = await SkMemoryHttpServer.StartAsync(new SkMemoryHttpServerOptions
        {
            Store = Store,
            Port = 0,
            Mcp = new SkMemoryMcpOptions { MaxRequestBytes = MaxRequestBytes },
        });
        AcmeSecret = (await Keys.CreateAsync(new MemoryApiKeyRequest
        {
            Tenant = "acme",
            Actor = MemoryActor.User("ana"),
            ActingFor = ["bo", "cy", "dee", "eve", "fay", "gus", "hal"],
            Roles = [MemoryRoles.Auditor],
            Label = "test acme",
        })).Secret;
        GlobexSecret = (await Keys.CreateAsync(new MemoryApiKeyRequest { Tenant = "globex", Actor = MemoryActor.User("gil"), Label = "test globex" })).Secret;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Store.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Connects the official C# client over streamable HTTP with a bearer key.</summary>
    public async Task<McpClient> ConnectAsync(string secret, CancellationToken cancellationToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Server.McpEndpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + secret },
        });
        return await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);
    }

    /// <summary>Counts a tenant's memories in every status, below access control.</summary>
    public async Task<int> CountAsync(string tenant, CancellationToken cancellationToken)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await Store.ReadAsync(new MemoryQuery { Tenant = tenant, Statuses = Enum.GetValues<MemoryStatus>(), IncludeExpired = true, PageSize = 1000, Cursor = cursor }, cancellationToken);
            count += page.Items.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return count;
    }
}

/// <summary>Helpers to call tools and read their structured results.</summary>
internal static class Calls
{
    public static Dictionary<string, object?> Scope(string subject, string kind = "personal", string? tenant = null) =>
        tenant is null
            ? new() { ["subject"] = subject, ["kind"] = kind }
            : new() { ["subject"] = subject, ["kind"] = kind, ["tenant"] = tenant };

    public static async Task<JsonElement> OkAsync(this McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
        Assert.True(result.IsError != true, $"{tool} failed: {Text(result)}");
        Assert.NotNull(result.StructuredContent);
        Assert.Contains(result.Content, c => c is TextContentBlock);
        return result.StructuredContent!.Value;
    }

    public static async Task<JsonElement> ErrorAsync(this McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
        Assert.True(result.IsError, $"{tool} should have failed: {Text(result)}");
        return result.StructuredContent!.Value.GetProperty("error");
    }

    public static async Task<McpProtocolException> ProtocolErrorAsync(this McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken) =>
        await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken));

    public static async Task<JsonElement> WriteAsync(this McpClient client, string subject, string text, CancellationToken cancellationToken, string type = "preference", string messageId = "m1") =>
        (await client.OkAsync("write_with_provenance", new()
        {
            ["scope"] = Scope(subject),
            ["text"] = text,
            ["type"] = type,
            ["evidence"] = new Dictionary<string, object?> { ["message_ids"] = new[] { messageId } },
        }, cancellationToken)).GetProperty("record");

    public static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
