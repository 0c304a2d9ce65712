using Microsoft.Data.Sqlite;
using SkMemory.Redaction;

namespace SkMemory.Storage.Sqlite;

/// <summary>The token vault in the embedded store's own file: reads on pooled connections, writes under the store's write lock.</summary>
internal sealed class SqliteTokenVault : TokenVault
{
    private readonly SqliteMemoryStore _store;

    public SqliteTokenVault(SqliteMemoryStore store)
        : base(store.TimeProvider)
    {
        _store = store;
    }

    protected override async Task<string> GetOrInsertAsync(string tenant, string kind, string? subject, string value, string newToken, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using (var find = tx.Command("SELECT token FROM memory_vault WHERE tenant = $tenant AND kind = $kind AND value = $value LIMIT 1"))
            {
                find.Parameters.AddWithValue("$tenant", tenant);
                find.Parameters.AddWithValue("$kind", kind);
                find.Parameters.AddWithValue("$value", value);
                if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string existing)
                {
                    return existing;
                }
            }

            using var insert = tx.Command(
                """
                INSERT INTO memory_vault (tenant, token, kind, subject, value, created_at)
                VALUES ($tenant, $token, $kind, $subject, $value, $created_at)
                """);
            insert.Parameters.AddWithValue("$tenant", tenant);
            insert.Parameters.AddWithValue("$token", newToken);
            insert.Parameters.AddWithValue("$kind", kind);
            insert.Parameters.AddWithValue("$subject", (object?)subject ?? DBNull.Value);
            insert.Parameters.AddWithValue("$value", value);
            insert.Parameters.AddWithValue("$created_at", SqliteRows.Timestamp(createdAt));
            await tx.ExecuteWriteAsync(insert, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return newToken;
        }
    }

    protected override async Task<MemoryVaultEntry?> ReadAsync(string tenant, string token, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, subject, value, created_at FROM memory_vault WHERE tenant = $tenant AND token = $token";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$token", token);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new MemoryVaultEntry
        {
            Tenant = tenant,
            Token = token,
            Kind = reader.GetString(0),
            Subject = reader.IsDBNull(1) ? null : reader.GetString(1),
            Value = reader.GetString(2),
            CreatedAt = SqliteRows.ParseTimestamp(reader.GetString(3)),
        };
    }

    protected override async Task<bool> DeleteRowAsync(string tenant, string token, CancellationToken cancellationToken)
    {
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command("DELETE FROM memory_vault WHERE tenant = $tenant AND token = $token");
            command.Parameters.AddWithValue("$tenant", tenant);
            command.Parameters.AddWithValue("$token", token);
            var deleted = await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false) == 1;
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return deleted;
        }
    }

    protected override async Task InsertRevealAsync(MemoryVaultReveal reveal, CancellationToken cancellationToken)
    {
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using var command = tx.Command(
                """
                INSERT INTO memory_vault_reveals (tenant, token, actor_kind, actor_id, reason, revealed_at)
                VALUES ($tenant, $token, $actor_kind, $actor_id, $reason, $revealed_at)
                """);
            command.Parameters.AddWithValue("$tenant", reveal.Tenant);
            command.Parameters.AddWithValue("$token", reveal.Token);
            command.Parameters.AddWithValue("$actor_kind", MemoryJson.EnumName(reveal.Actor.Kind));
            command.Parameters.AddWithValue("$actor_id", reveal.Actor.Id);
            command.Parameters.AddWithValue("$reason", reveal.Reason);
            command.Parameters.AddWithValue("$revealed_at", SqliteRows.Timestamp(reveal.RevealedAt));
            await tx.ExecuteWriteAsync(command, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<IReadOnlyList<MemoryVaultReveal>> ReadRevealsAsync(string tenant, string token, CancellationToken cancellationToken)
    {
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT actor_kind, actor_id, reason, revealed_at FROM memory_vault_reveals WHERE tenant = $tenant AND token = $token ORDER BY id";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$token", token);
        var reveals = new List<MemoryVaultReveal>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reveals.Add(new MemoryVaultReveal
            {
                Tenant = tenant,
                Token = token,
                Actor = new MemoryActor(ParseActorKind(reader.GetString(0)), reader.GetString(1)),
                Reason = reader.GetString(2),
                RevealedAt = SqliteRows.ParseTimestamp(reader.GetString(3)),
            });
        }

        return reveals;
    }
}
