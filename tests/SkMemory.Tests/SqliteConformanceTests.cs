using Xunit;
using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests.Conformance;

namespace SkMemory.Tests;

/// <summary>The provider contract suite against the embedded SQLite store, one fresh database file per store.</summary>
public sealed class SqliteConformanceTests : MemoryStoreConformanceTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-sqlite-").FullName;

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

    protected override async Task<IMemoryStore> CreateStoreAsync(Action<MemoryStoreOptions> configure, CancellationToken cancellationToken)
    {
        var options = new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, $"{Guid.NewGuid():N}.db") };
        configure(options);
        return await SqliteMemoryStore.OpenAsync(options, cancellationToken: cancellationToken);
    }

    protected override async Task<IMemoryStore> ReopenStoreAsync(IMemoryStore store, Action<MemoryStoreOptions> configure, CancellationToken cancellationToken)
    {
        var options = new SqliteMemoryStoreOptions { Path = ((SqliteMemoryStore)store).DatabasePath };
        configure(options);
        return await SqliteMemoryStore.OpenAsync(options, cancellationToken: cancellationToken);
    }

    protected override Task<string?> ReadIngestedJobIdAsync(IMemoryStore store, string tenant, string itemKey, CancellationToken cancellationToken) =>
        SqliteTestDatabase.ReadIngestedJobIdAsync(((SqliteMemoryStore)store).DatabasePath, tenant, itemKey, cancellationToken);

    protected override Task TamperEventPayloadAsync(IMemoryStore store, string tenant, long sequence, string payload, CancellationToken cancellationToken) =>
        SqliteTestDatabase.TamperEventPayloadAsync(((SqliteMemoryStore)store).DatabasePath, tenant, sequence, payload, cancellationToken);

    protected override Task RemoveEventAsync(IMemoryStore store, string tenant, long sequence, CancellationToken cancellationToken) =>
        SqliteTestDatabase.RemoveEventAsync(((SqliteMemoryStore)store).DatabasePath, tenant, sequence, cancellationToken);

    protected override Task<IReadOnlyList<object?[]>> QuerySqlAsync(IMemoryStore store, string sql, params (string Name, object? Value)[] parameters) =>
        SqliteTestDatabase.QueryAsync(((SqliteMemoryStore)store).DatabasePath, sql, parameters);
}
