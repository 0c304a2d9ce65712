using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SkMemory.Governance.Retention;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests.Retention;

/// <summary>The hosted service runs the sweeper on a real SQLite store; the store's state shows it ran.</summary>
public sealed class MemoryRetentionServiceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-retention-").FullName;
    private readonly ManualTimeProvider _clock = new(Start);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle may outlive the test by a moment; the temp folder is cleaned by the OS.
        }
    }

    [Fact]
    public async Task Service_SweepsOnStartAndOnItsInterval()
    {
        using var store = await OpenAsync();
        var tea = await WriteAsync(store, "Ana prefers tea");
        _clock.UtcNow = Start.AddDays(366);
        var options = new MemoryRetentionServiceOptions
        {
            Interval = TimeSpan.FromMilliseconds(20),
            Policy = MemoryRetentionPolicy.Parse("""{ "version": 1, "rules": [ { "type": "preference", "expireAfterDays": 365, "purgeAfterDays": 10 } ] }"""),
            TimeProvider = _clock,
        };
        using var service = new MemoryRetentionService(store, options);

        await service.StartAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(() => service.CompletedSweeps >= 1);
        Assert.Equal(MemoryStatus.Expired, (await store.GetAsync("t1", tea.Id, TestContext.Current.CancellationToken))!.Status);

        // Later sweeps on the interval purge once the delay has passed.
        _clock.UtcNow = Start.AddDays(377);
        var after = service.CompletedSweeps;
        await WaitForAsync(() => service.CompletedSweeps >= after + 2);
        await service.StopAsync(TestContext.Current.CancellationToken);

        var purged = (await store.GetAsync("t1", tea.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal((MemoryStatus.Deleted, string.Empty), (purged.Status, purged.Value.Text));
        Assert.True(service.LastReport!.IsEmpty);
    }

    [Fact]
    public async Task Service_InvalidPolicyFileOrInterval_FailsAtConstruction()
    {
        using var store = await OpenAsync();
        var path = Path.Combine(_directory, "retention.json");
        await File.WriteAllTextAsync(path, """{ "version": 1, "rules": [ { "type": "fact", "anchor": "touched" } ] }""", TestContext.Current.CancellationToken);

        var policy = Assert.Throws<MemoryRetentionPolicyException>(() => new MemoryRetentionService(store, new MemoryRetentionServiceOptions { PolicyPath = path }));
        var interval = Assert.Throws<InvalidOperationException>(() => new MemoryRetentionService(store, new MemoryRetentionServiceOptions { Interval = TimeSpan.Zero }));

        Assert.Equal((path, "rules[0].anchor"), (policy.PolicySource, policy.Path));
        Assert.Contains("Interval must be positive", interval.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMemoryRetention_RegistersTheOptionsAndTheHostedService()
    {
        var services = new ServiceCollection();

        services.AddMemoryRetention(o => o.Interval = TimeSpan.FromMinutes(5));

        var options = Assert.Single(services, d => d.ServiceType == typeof(MemoryRetentionServiceOptions));
        Assert.Equal(TimeSpan.FromMinutes(5), ((MemoryRetentionServiceOptions)options.ImplementationInstance!).Interval);
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // A generous bound, not a timing assertion: the interval is 20 ms.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private async Task<SqliteMemoryStore> OpenAsync() =>
        await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, $"{Guid.NewGuid():N}.db"), TimeProvider = _clock }, cancellationToken: TestContext.Current.CancellationToken);

    private static async Task<MemoryRecord> WriteAsync(SqliteMemoryStore store, string text) =>
        (await store.WriteAsync(new MemoryWriteRequest { Tenant = "t1", Type = MemoryTypes.Preference, Subject = "ana", Actor = MemoryActor.User("ana"), Value = text }, TestContext.Current.CancellationToken)).Record;
}
