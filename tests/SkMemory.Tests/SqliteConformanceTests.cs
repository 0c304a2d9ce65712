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

    protected override async Task<string?> ReadIngestedJobIdAsync(IMemoryStore store, string tenant, string itemKey, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={((SqliteMemoryStore)store).DatabasePath}");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT job_id FROM memory_ingested_items WHERE tenant = $tenant AND item_key = $key";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$key", itemKey);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    protected override Task TamperEventPayloadAsync(IMemoryStore store, string tenant, long sequence, string payload, CancellationToken cancellationToken) =>
        ExecuteAsync(store, "UPDATE memory_events SET payload = $payload WHERE tenant = $tenant AND sequence = $sequence", tenant, sequence, payload, cancellationToken);

    protected override Task RemoveEventAsync(IMemoryStore store, string tenant, long sequence, CancellationToken cancellationToken) =>
        ExecuteAsync(store, "DELETE FROM memory_events WHERE tenant = $tenant AND sequence = $sequence", tenant, sequence, null, cancellationToken);

    protected override async Task<IReadOnlyList<object?[]>> QuerySqlAsync(IMemoryStore store, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={((SqliteMemoryStore)store).DatabasePath}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql.Replace("{s}", string.Empty, StringComparison.Ordinal);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue("@" + name, value switch
            {
                null => DBNull.Value,
                Guid id => id.ToString("D"),
                DateTimeOffset time => MemoryEventChain.FormatTimestamp(time),
                _ => value,
            });
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static async Task ExecuteAsync(IMemoryStore store, string sql, string tenant, long sequence, string? payload, CancellationToken cancellationToken)
    {
        var path = ((SqliteMemoryStore)store).DatabasePath;
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$sequence", sequence);
        if (payload is not null)
        {
            command.Parameters.AddWithValue("$payload", payload);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync(cancellationToken));
    }
}
