using SkMemory.Capture;
using SkMemory.Context;
using SkMemory.Governance;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests.Context;

/// <summary>The recall every integration injects, and background capture, on the real embedded store.</summary>
public sealed class MemoryContextTests : IAsyncLifetime
{
    private const string Tenant = "acme";
    private readonly TemporarySqliteStore _sqlite = new("skmemory-context-", "m.db");
    private SqliteMemoryStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await _sqlite.OpenAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _sqlite.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task GetContextAsync_PacksTheSubjectsMemoriesWithinTheBudget_AsQuotedDataWithIds()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        await WriteAsync("ana", "Ana is allergic to peanuts");
        var bos = await WriteAsync("bo", "Bo prefers whole milk in his coffee");
        for (var i = 0; i < 40; i++)
        {
            await WriteAsync("ana", $"Ana visited museum number {i} on a rainy afternoon with two old friends from school");
        }

        var provider = new MemoryContextProvider(_store, new MemoryContextOptions { TokenBudget = 120, Top = 30 });
        var context = await provider.GetContextAsync(Request("what milk does ana take in coffee"), Ct);

        Assert.False(context.IsEmpty);
        Assert.True(context.Packet.TokenCount <= 120, $"{context.Packet.TokenCount} tokens");
        Assert.Contains(milk.ToString(), context.Text, StringComparison.Ordinal);
        Assert.Contains("Ana prefers oat milk", context.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(bos.ToString(), context.Text, StringComparison.Ordinal);
        Assert.All(context.Retrieved, r => Assert.Equal("ana", r.Record.Subject));
        Assert.NotEmpty(context.Packet.Dropped);
        Assert.Same(MemoryContext.Empty, await provider.GetContextAsync(Request("   "), Ct));
    }

    [Fact]
    public async Task RecordInjectedAsync_WritesInjectReads_ThroughTheGovernedStoreOrTheAuditLog()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var audit = (IMemoryAuditLog)_store.GetService(typeof(IMemoryAuditLog))!;

        // Ungoverned: recorded as the request's reader.
        var plain = new MemoryContextProvider(_store);
        var request = Request("oat milk") with { Task = "make coffee" };
        await plain.RecordInjectedAsync(request, await plain.GetContextAsync(request, Ct), Ct);
        var reads = await audit.GetReadsAsync(Tenant, milk, cancellationToken: Ct);
        var inject = Assert.Single(reads);
        Assert.Equal(("inject", true, "make coffee"), (inject.Operation, inject.Injected, inject.Task));
        Assert.Equal(MemoryActor.Agent("barista"), inject.Reader);
        Assert.NotNull(inject.Score);

        // Governed: the search is audited as a search, the injection as the caller's.
        var caller = new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.Agent("concierge"), ActingFor = ["ana"] };
        var governed = new MemoryStoreBuilder(_store).UseAccessControl(MemoryCallerAccessor.Fixed(caller)).Build();
        var provider = new MemoryContextProvider(governed);
        await provider.RecordInjectedAsync(request, await provider.GetContextAsync(request, Ct), Ct);
        reads = await audit.GetReadsAsync(Tenant, milk, cancellationToken: Ct);
        Assert.Equal(["inject", "search", "inject"], reads.Select(r => r.Operation));
        Assert.Equal(MemoryActor.Agent("concierge"), reads[2].Reader);
    }

    [Fact]
    public async Task GetContextAsync_OnAGovernedStore_NeverRecallsWhatTheCallerMayNotRead()
    {
        await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var bo = new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.User("bo") };
        var provider = new MemoryContextProvider(new MemoryStoreBuilder(_store).UseAccessControl(MemoryCallerAccessor.Fixed(bo)).Build());
        Assert.True((await provider.GetContextAsync(Request("oat milk coffee"), Ct)).IsEmpty);
    }

    [Theory]
    [InlineData(nameof(MemoryContextOptions.TokenBudget))]
    [InlineData(nameof(MemoryContextOptions.Top))]
    [InlineData(nameof(MemoryContextOptions.MaxQueryCharacters))]
    [InlineData(nameof(MemoryContextOptions.ModelName))]
    public void Options_OutOfRange_AreRefusedNamingTheOption(string option)
    {
        var options = option switch
        {
            nameof(MemoryContextOptions.TokenBudget) => new MemoryContextOptions { TokenBudget = 0 },
            nameof(MemoryContextOptions.Top) => new MemoryContextOptions { Top = 0 },
            nameof(MemoryContextOptions.MaxQueryCharacters) => new MemoryContextOptions { MaxQueryCharacters = 1 },
            _ => new MemoryContextOptions { ModelName = " " },
        };
        var error = Assert.Throws<ArgumentException>(() => new MemoryContextProvider(_store, options));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaptureQueue_IngestsTurnsInTheBackground_SurvivesAFailingTurn_AndRefusesAfterDispose()
    {
        var pipeline = new MemoryCapturePipeline(_store, new RuleBasedMemoryExtractor());
        var queue = new MemoryCaptureQueue(pipeline);
        Assert.True(queue.TryEnqueue(Turn("t1", "I prefer oat milk in my coffee")));
        Assert.True(queue.TryEnqueue(new MemoryExtractionRequest { Tenant = " ", Subject = "ana" }));   // invalid: logged, the worker goes on
        Assert.True(queue.TryEnqueue(Turn("t2", "I'm allergic to peanuts")));
        await queue.FlushAsync(Ct);

        Assert.Equal(0, queue.Pending);
        var stored = (await _store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = "ana" }, Ct)).Items.Select(r => r.Value.Text).ToList();
        Assert.Contains(stored, t => t.Contains("oat milk", StringComparison.Ordinal));
        Assert.Contains(stored, t => t.Contains("peanuts", StringComparison.Ordinal));

        await queue.DisposeAsync();
        Assert.False(queue.TryEnqueue(Turn("t3", "I live in Lisbon")));
        await queue.FlushAsync(Ct);
    }

    private static MemoryContextRequest Request(string query) => new() { Tenant = Tenant, Subject = "ana", Query = query, Reader = MemoryActor.Agent("barista") };

    private static MemoryExtractionRequest Turn(string id, string text) => new()
    {
        Tenant = Tenant,
        Subject = "ana",
        Messages = [new MemoryMessage { Id = id, Speaker = "ana", Text = text, ObservedAt = new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero) }],
    };

    private async Task<Guid> WriteAsync(string subject, string text) =>
        (await _store.WriteAsync(new MemoryWriteRequest { Tenant = Tenant, Type = MemoryTypes.Fact, Subject = subject, Actor = MemoryActor.User(subject), Value = text }, Ct)).Record.Id;
}
