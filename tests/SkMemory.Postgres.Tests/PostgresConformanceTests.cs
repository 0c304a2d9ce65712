using SkMemory.Storage.Postgres;
using SkMemory.Tests.Conformance;

namespace SkMemory.Postgres.Tests;

/// <summary>The provider contract suite against the Postgres store, one fresh schema per store.</summary>
public sealed class PostgresConformanceTests(PostgresFixture fixture) : MemoryStoreConformanceTests
{
    protected override async Task<IMemoryStore> CreateStoreAsync(Action<MemoryStoreOptions> configure, CancellationToken cancellationToken) =>
        await fixture.OpenStoreAsync(configure, cancellationToken: cancellationToken);

    protected override async Task<IMemoryStore> ReopenStoreAsync(IMemoryStore store, Action<MemoryStoreOptions> configure, CancellationToken cancellationToken) =>
        await fixture.OpenStoreAsync(configure, ((PostgresMemoryStore)store).Schema, cancellationToken);

    protected override async Task<string?> ReadIngestedJobIdAsync(IMemoryStore store, string tenant, string itemKey, CancellationToken cancellationToken)
    {
        var schema = ((PostgresMemoryStore)store).Schema;
        var rows = await fixture.QueryAsync(
            $"SELECT job_id FROM \"{schema}\".memory_ingested_items WHERE tenant = @tenant AND item_key = @key",
            ("tenant", tenant),
            ("key", itemKey));
        return rows.Count == 0 ? null : (string?)rows[0][0];
    }

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

    protected override async Task<IReadOnlyList<object?[]>> QuerySqlAsync(IMemoryStore store, string sql, params (string Name, object? Value)[] parameters) =>
        await fixture.QueryAsync(
            sql.Replace("{s}", $"\"{((PostgresMemoryStore)store).Schema}\".", StringComparison.Ordinal),
            parameters.Select(p => (p.Name, p.Value ?? (object)DBNull.Value)).ToArray());
}
