using System.Collections.Concurrent;
using Npgsql;
using SkMemory.Postgres.Tests;

namespace SkMemory.Faults.Tests;

/// <summary>
/// The PostgreSQL server crashes (immediate shutdown: every server process quits at once, no checkpoint) while several
/// writers write through <see cref="Storage.Postgres.PostgresMemoryStore"/>, and restarts on the same data directory and
/// port. Runs on a dedicated cluster, never on the server other test projects share.
/// </summary>
public sealed class PostgresCrashTests : IAsyncLifetime
{
    private const string Tenant = "crash";
    private const int Writers = 4;
    private const int WritesPerWriter = 60;
    private readonly PostgresFixture _cluster = PostgresFixture.CreateDedicated();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _cluster.InitializeAsync();

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task ServerCrashMidWrite_WritersSeeErrorsAndRetry_NoAcknowledgedWriteIsLost_AndTheChainVerifies()
    {
        var schema = _cluster.NewSchema();
        using var store = await _cluster.OpenStoreAsync(schema: schema, cancellationToken: Ct);

        // Each logical write has an idempotency key and is retried with it until acknowledged: a write whose commit reached
        // the WAL but whose answer was lost in the crash comes back as a replay of the same memory, never as a second copy.
        var acknowledged = new ConcurrentDictionary<string, Guid>(StringComparer.Ordinal);
        var errors = new ConcurrentQueue<Exception>();
        var replays = 0;
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(
            async () =>
            {
                for (var i = 0; i < WritesPerWriter; i++)
                {
                    var key = $"w{w}-{i}";
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                    deadline.CancelAfter(TimeSpan.FromSeconds(60));
                    while (true)
                    {
                        try
                        {
                            var result = await store.WriteAsync(FaultChecks.Fact(Tenant, $"writer {w} wrote fact {i}", key), Ct);
                            Assert.True(acknowledged.TryAdd(key, result.Record.Id), $"{key} was acknowledged twice");
                            if (result.Outcome == MemoryWriteOutcome.IdempotentReplay)
                            {
                                Interlocked.Increment(ref replays);
                            }

                            break;
                        }
                        catch (Exception ex) when (ex is NpgsqlException or MemoryException)
                        {
                            errors.Enqueue(ex);
                            await Task.Delay(100, deadline.Token);
                        }
                    }
                }
            },
            Ct)).ToList();

        await WaitUntilAsync(() => acknowledged.Count >= 40, "40 acknowledged writes before the crash");
        var beforeCrash = acknowledged.Count;
        await _cluster.CrashServerAsync();
        await WaitUntilAsync(() => !errors.IsEmpty, "a writer to see the outage");
        await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        var duringOutage = errors.Count;
        await _cluster.StartServerAsync();
        await Task.WhenAll(writers);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"acknowledged before the crash: {beforeCrash}; errors seen: {errors.Count} ({string.Join(", ", errors.Select(e => e.GetType().Name).Distinct())}); replays: {replays}; acknowledged in all: {acknowledged.Count}");
        Assert.True(duringOutage > 0);
        Assert.All(errors, e => Assert.IsAssignableFrom<NpgsqlException>(e));
        Assert.Equal(Writers * WritesPerWriter, acknowledged.Count);

        // Exactly the acknowledged memories, each once, each with its one Created event; the chain verifies.
        var stored = await FaultChecks.ReadAllAsync(store, Tenant, Ct);
        Assert.Equal(Writers * WritesPerWriter, stored.Count);
        Assert.Equal(acknowledged.Values.Order(), stored.Select(r => r.Id).Order());
        Assert.Equal(Writers * WritesPerWriter, await FaultChecks.AssertVerifiesAsync(store, Ct, Tenant));

        // A fresh store on the restarted server sees the same.
        using var reopened = await _cluster.OpenStoreAsync(cancellationToken: Ct, schema: schema);
        Assert.Equal(Writers * WritesPerWriter, (await FaultChecks.ReadAllAsync(reopened, Tenant, Ct)).Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            try
            {
                await Task.Delay(10, deadline.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
        }
    }
}
