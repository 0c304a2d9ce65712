using Microsoft.Data.Sqlite;
using SkMemory.Capture;
using SkMemory.Context;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>A real embedded store in a temp file, the shared core over it, and Ana's session with the concierge agent.</summary>
public abstract class MemoryTestBase : IAsyncLifetime
{
    protected const string Tenant = "acme";

    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-sk-").FullName;
    private readonly TestEmbeddingGenerator _embeddings = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected SqliteMemoryStore Store { get; private set; } = null!;

    protected MemorySession Ana { get; } = MemorySession.ForAgent(Tenant, "ana", "concierge", "s1");

    protected MemorySessionAccessor Sessions { get; } = new();

    protected MemoryContextProvider Provider { get; private set; } = null!;

    protected MemoryCaptureQueue Queue { get; private set; } = null!;

    protected string DatabasePath => Path.Combine(_directory, "m.db");

    public virtual async ValueTask InitializeAsync()
    {
        Store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = DatabasePath, EmbeddingGenerator = _embeddings }, cancellationToken: Ct);
        Provider = new MemoryContextProvider(Store, new MemoryContextOptions { TokenBudget = 200 });
        Queue = new MemoryCaptureQueue(new MemoryCapturePipeline(Store, new RuleBasedMemoryExtractor()));
        Sessions.DefaultSession = Ana;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Queue.DisposeAsync();
        Store.Dispose();
        _embeddings.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle may outlive the test by a moment.
        }

        GC.SuppressFinalize(this);
    }

    protected async Task<Guid> WriteAsync(string subject, string text, string type = MemoryTypes.Preference) =>
        (await Store.WriteAsync(
            new MemoryWriteRequest { Tenant = Tenant, Type = type, Subject = subject, Actor = MemoryActor.User(subject), Value = text },
            Ct)).Record.Id;

    protected async Task<IReadOnlyList<MemoryRecord>> MemoriesOfAsync(string subject) =>
        (await Store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = subject }, Ct)).Items;

    protected async Task<IReadOnlyList<MemoryReadEntry>> ReadsOfAsync(Guid id) =>
        await ((IMemoryAuditLog)Store.GetService(typeof(IMemoryAuditLog))!).GetReadsAsync(Tenant, id, cancellationToken: Ct);
}
