using SkMemory.Storage.Postgres;
using SkMemory.Tests.Conformance;

namespace SkMemory.Postgres.Tests;

/// <summary>The provider contract suite against the Postgres store, one fresh schema per store.</summary>
public sealed class PostgresConformanceTests(PostgresFixture fixture) : MemoryStoreConformanceTests
{
    protected override async Task<IMemoryStore> CreateStoreAsync(Action<MemoryStoreOptions> configure, CancellationToken cancellationToken) =>
        await fixture.OpenStoreAsync(configure, cancellationToken: cancellationToken);

    protected override async Task TamperEventPayloadAsync(IMemoryStore store, string tenant, long sequence, string payload, CancellationToken cancellationToken)
    {
        var schema = ((PostgresMemoryStore)store).Schema;
        Assert.Equal(1, await fixture.ExecuteAsync(
            $"UPDATE \"{schema}\".memory_events SET payload = @payload WHERE tenant = @tenant AND sequence = @sequence",
            ("payload", payload),
            ("tenant", tenant),
            ("sequence", sequence)));
    }

    protected override async Task RemoveEventAsync(IMemoryStore store, string tenant, long sequence, CancellationToken cancellationToken)
    {
        var schema = ((PostgresMemoryStore)store).Schema;
        Assert.Equal(1, await fixture.ExecuteAsync(
            $"DELETE FROM \"{schema}\".memory_events WHERE tenant = @tenant AND sequence = @sequence",
            ("tenant", tenant),
            ("sequence", sequence)));
    }
}
