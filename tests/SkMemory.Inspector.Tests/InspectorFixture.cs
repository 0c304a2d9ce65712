using SkMemory.Mcp;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.Inspector.Tests;

/// <summary>
/// A real <see cref="SkMemoryHttpServer"/> on a free loopback port with the Inspector mapped over a temporary SQLite store
/// (test embedder, signing key), and API keys: an admin of acme, ana of acme (no roles), bo of acme, an admin of globex.
/// Tests use their own subjects, so they do not see each other.
/// </summary>
public sealed class InspectorFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "skm-inspector-" + Guid.NewGuid().ToString("N"));

    public SqliteMemoryStore Store { get; private set; } = null!;

    public SkMemoryHttpServer Server { get; private set; } = null!;

    public IMemoryApiKeyStore Keys => (IMemoryApiKeyStore)Store.GetService(typeof(IMemoryApiKeyStore))!;

    public string AdminSecret { get; private set; } = null!;

    public string AnaSecret { get; private set; } = null!;

    public string BoSecret { get; private set; } = null!;

    public string GlobexSecret { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions
        {
            Path = Path.Combine(_directory, "memory.db"),
            EmbeddingGenerator = new TestEmbeddingGenerator(),
            AttestationSigner = MemoryAttestationSigner.Create(),
        });
        Server = await SkMemoryHttpServer.StartAsync(new SkMemoryHttpServerOptions
        {
            Store = Store,
            Port = 0,
            ConfigureApp = app => app.MapSkMemoryInspector(new InspectorOptions { Store = Store }),
        });
        AdminSecret = await CreateKeyAsync("acme", MemoryActor.User("admin"), MemoryRoles.Admin);
        AnaSecret = await CreateKeyAsync("acme", MemoryActor.User("ana"));
        BoSecret = await CreateKeyAsync("acme", MemoryActor.User("bo"));
        GlobexSecret = await CreateKeyAsync("globex", MemoryActor.User("gil"), MemoryRoles.Admin);
    }

    public Task<string> CreateKeyAsync(string tenant, MemoryActor actor, params string[] roles) => CreateKeyAsync(Store, tenant, actor, roles);

    /// <summary>Creates an API key in <paramref name="store"/> (this fixture's, or another fixture's) and returns its secret.</summary>
    public static async Task<string> CreateKeyAsync(SqliteMemoryStore store, string tenant, MemoryActor actor, params string[] roles) =>
        (await ((IMemoryApiKeyStore)store.GetService(typeof(IMemoryApiKeyStore))!).CreateAsync(new MemoryApiKeyRequest { Tenant = tenant, Actor = actor, Roles = roles, Label = "inspector test" })).Secret;

    /// <summary>Writes a memory below access control (as the system would), for a test to look at.</summary>
    public async Task<MemoryRecord> WriteAsync(string subject, string text, string tenant = "acme", string type = "preference", MemoryProvenance? provenance = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        (await Store.WriteAsync(new MemoryWriteRequest
        {
            Tenant = tenant,
            Type = type,
            Subject = subject,
            Actor = MemoryActor.User(subject),
            Value = text,
            Provenance = provenance ?? MemoryProvenance.Manual,
            Metadata = metadata,
        })).Record;

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
}
