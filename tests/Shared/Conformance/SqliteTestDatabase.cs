using Microsoft.Data.Sqlite;

namespace SkMemory.Tests;

/// <summary>Raw SQL on an embedded store's file, for the conformance hooks of every suite whose canonical store is SQLite.</summary>
internal static class SqliteTestDatabase
{
    public static async Task<string?> ReadIngestedJobIdAsync(string path, string tenant, string itemKey, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT job_id FROM memory_ingested_items WHERE tenant = $tenant AND item_key = $key";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$key", itemKey);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public static Task TamperEventPayloadAsync(string path, string tenant, long sequence, string payload, CancellationToken cancellationToken) =>
        ExecuteAsync(path, "UPDATE memory_events SET payload = $payload WHERE tenant = $tenant AND sequence = $sequence", tenant, sequence, payload, cancellationToken);

    public static Task RemoveEventAsync(string path, string tenant, long sequence, CancellationToken cancellationToken) =>
        ExecuteAsync(path, "DELETE FROM memory_events WHERE tenant = $tenant AND sequence = $sequence", tenant, sequence, null, cancellationToken);

    public static async Task<IReadOnlyList<object?[]>> QueryAsync(string path, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
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

    private static async Task ExecuteAsync(string path, string sql, string tenant, long sequence, string? payload, CancellationToken cancellationToken)
    {
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
