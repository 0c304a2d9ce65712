using Microsoft.Agents.AI;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory.Capture;
using SkMemory.Context;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.AgentFramework.Tests;

/// <summary>A real SQLite store in a temp directory, a capture pipeline with the rule-based extractor, and its queue.</summary>
internal sealed class MemoryHost : IAsyncDisposable
{
    public const string Tenant = "acme";

    private readonly string _directory;
    private readonly TestEmbeddingGenerator _embeddings;

    private MemoryHost(string directory, SqliteMemoryStore store, TestEmbeddingGenerator embeddings)
    {
        _directory = directory;
        _embeddings = embeddings;
        Store = store;
        Pipeline = new MemoryCapturePipeline(store, new RuleBasedMemoryExtractor());
        Capture = new MemoryCaptureQueue(Pipeline);
    }

    public SqliteMemoryStore Store { get; }

    public MemoryCapturePipeline Pipeline { get; }

    public MemoryCaptureQueue Capture { get; }

    public static async Task<MemoryHost> OpenAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("skmemory-af-").FullName;
        var embeddings = new TestEmbeddingGenerator();
        var store = await SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = Path.Combine(directory, "memory.db"), EmbeddingGenerator = embeddings },
            cancellationToken: cancellationToken);
        return new MemoryHost(directory, store, embeddings);
    }

    public static SkMemoryContextProviderOptions Options(string subject = "ada", int budget = 800) => new()
    {
        Storage = new AgentMemoryStorageScope { Tenant = Tenant, Subject = subject },
        Search = new AgentMemorySearchScope { Tenant = Tenant, Subject = subject },
        Context = new MemoryContextOptions { TokenBudget = budget },
    };

    public static (ChatClientAgent Agent, InMemoryChatHistoryProvider History) Agent(IChatClient model, SkMemoryContextProvider provider)
    {
        var history = new InMemoryChatHistoryProvider();
        var options = new ChatClientAgentOptions
        {
            Name = "assistant",
            ChatOptions = new ChatOptions { Instructions = "You are a helpful assistant." },
            ChatHistoryProvider = history,
        }.AddSkMemory(provider);
        return (model.AsAIAgent(options), history);
    }

    public async Task<MemoryRecord> RememberAsync(string subject, string text, MemoryScope? scope = null, string type = "preference", CancellationToken cancellationToken = default) =>
        (await Store.WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = Tenant,
                Type = type,
                Subject = subject,
                Scope = scope ?? MemoryScope.Personal,
                Actor = MemoryActor.User(subject),
                Value = new MemoryValue(text),
            },
            cancellationToken)).Record;

    public async Task<IReadOnlyList<MemoryRecord>> AllAsync(CancellationToken cancellationToken) =>
        (await Store.ReadAsync(new MemoryQuery { Tenant = Tenant, PageSize = 1000 }, cancellationToken)).Items;

    public async ValueTask DisposeAsync()
    {
        await Capture.DisposeAsync();
        Store.Dispose();
        _embeddings.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
