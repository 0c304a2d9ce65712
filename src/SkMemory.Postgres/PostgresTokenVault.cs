using Npgsql;
using SkMemory.Redaction;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// The token vault in the store's own schema, on the store's data source. Tokenizing takes a transaction-scoped advisory
/// lock on (tenant, kind, value), so two writers of the same value get the same token.
/// </summary>
internal sealed class PostgresTokenVault : TokenVault
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;

    public PostgresTokenVault(NpgsqlDataSource dataSource, PostgresNames names, TimeProvider timeProvider)
        : base(timeProvider)
    {
        _dataSource = dataSource;
        _names = names;
    }

    protected override async Task<string> GetOrInsertAsync(string tenant, string kind, string? subject, string value, string newToken, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@key, 7431))", connection, tx);
                await using (lockCommand.ConfigureAwait(false))
                {
                    PostgresRows.Text(lockCommand, "key", _names.Vault + "\n" + tenant + "\n" + kind + "\n" + value);
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var find = new NpgsqlCommand($"SELECT token FROM {_names.Vault} WHERE tenant = @tenant AND kind = @kind AND value = @value LIMIT 1", connection, tx);
                await using (find.ConfigureAwait(false))
                {
                    PostgresRows.Text(find, "tenant", tenant);
                    PostgresRows.Text(find, "kind", kind);
                    PostgresRows.Text(find, "value", value);
                    if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string existing)
                    {
                        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return existing;
                    }
                }

                var insert = new NpgsqlCommand(
                    $"""
                    INSERT INTO {_names.Vault} (tenant, token, kind, subject, value, created_at)
                    VALUES (@tenant, @token, @kind, @subject, @value, @created_at)
                    """,
                    connection,
                    tx);
                await using (insert.ConfigureAwait(false))
                {
                    PostgresRows.Text(insert, "tenant", tenant);
                    PostgresRows.Text(insert, "token", newToken);
                    PostgresRows.Text(insert, "kind", kind);
                    PostgresRows.Text(insert, "subject", subject);
                    PostgresRows.Text(insert, "value", value);
                    PostgresRows.Time(insert, "created_at", createdAt);
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return newToken;
            }
        }
    }

    protected override async Task<MemoryVaultEntry?> ReadAsync(string tenant, string token, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT kind, subject, value, created_at FROM {_names.Vault} WHERE tenant = @tenant AND token = @token");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "token", token);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
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
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(3),
                };
            }
        }
    }

    protected override async Task<bool> DeleteRowAsync(string tenant, string token, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"DELETE FROM {_names.Vault} WHERE tenant = @tenant AND token = @token");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "token", token);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    protected override async Task InsertRevealAsync(MemoryVaultReveal reveal, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand(
            $"""
            INSERT INTO {_names.VaultReveals} (tenant, token, actor_kind, actor_id, reason, revealed_at)
            VALUES (@tenant, @token, @actor_kind, @actor_id, @reason, @revealed_at)
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", reveal.Tenant);
            PostgresRows.Text(command, "token", reveal.Token);
            PostgresRows.Text(command, "actor_kind", MemoryJson.EnumName(reveal.Actor.Kind));
            PostgresRows.Text(command, "actor_id", reveal.Actor.Id);
            PostgresRows.Text(command, "reason", reveal.Reason);
            PostgresRows.Time(command, "revealed_at", reveal.RevealedAt);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task<IReadOnlyList<MemoryVaultReveal>> ReadRevealsAsync(string tenant, string token, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"SELECT actor_kind, actor_id, reason, revealed_at FROM {_names.VaultReveals} WHERE tenant = @tenant AND token = @token ORDER BY id");
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "token", token);
            var reveals = new List<MemoryVaultReveal>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    reveals.Add(new MemoryVaultReveal
                    {
                        Tenant = tenant,
                        Token = token,
                        Actor = new MemoryActor(ParseActorKind(reader.GetString(0)), reader.GetString(1)),
                        Reason = reader.GetString(2),
                        RevealedAt = reader.GetFieldValue<DateTimeOffset>(3),
                    });
                }
            }

            return reveals;
        }
    }
}
