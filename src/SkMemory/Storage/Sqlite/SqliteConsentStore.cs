using Microsoft.Data.Sqlite;
using SkMemory.Governance;

namespace SkMemory.Storage.Sqlite;

/// <summary>
/// Consent as data in the embedded store's own file: the current consent per (tenant, subject, scope kind) in
/// <c>memory_consents</c>, every change appended to <c>memory_consent_changes</c> in the same write transaction (under the
/// file's write lock, the one the event log takes).
/// </summary>
internal sealed class SqliteConsentStore : IMemoryConsentStore
{
    private const string Columns = "tenant, subject, scope_kind, state, purpose, expires_at, changed_at, actor_kind, actor_id, reason";
    private readonly SqliteMemoryStore _store;

    public SqliteConsentStore(SqliteMemoryStore store)
    {
        _store = store;
    }

    /// <inheritdoc />
    public async Task SetAsync(MemoryConsent consent, CancellationToken cancellationToken = default)
    {
        var row = GovernanceRequestValidator.Consent(consent, _store.TimeProvider.GetUtcNow());
        cancellationToken.ThrowIfCancellationRequested();
        var tx = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            using (var upsert = tx.Command(
                $"""
                INSERT INTO memory_consents ({Columns})
                VALUES ($tenant, $subject, $scope_kind, $state, $purpose, $expires_at, $changed_at, $actor_kind, $actor_id, $reason)
                ON CONFLICT (tenant, subject, scope_kind) DO UPDATE SET state = excluded.state, purpose = excluded.purpose,
                    expires_at = excluded.expires_at, changed_at = excluded.changed_at, actor_kind = excluded.actor_kind,
                    actor_id = excluded.actor_id, reason = excluded.reason
                """))
            {
                AddParameters(upsert, row);
                await tx.ExecuteWriteAsync(upsert, cancellationToken).ConfigureAwait(false);
            }

            using (var append = tx.Command(
                $"""
                INSERT INTO memory_consent_changes ({Columns})
                VALUES ($tenant, $subject, $scope_kind, $state, $purpose, $expires_at, $changed_at, $actor_kind, $actor_id, $reason)
                """))
            {
                AddParameters(append, row);
                await tx.ExecuteWriteAsync(append, cancellationToken).ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<MemoryConsent?> GetAsync(string tenant, string subject, MemoryScopeKind scope, CancellationToken cancellationToken = default)
    {
        GovernanceRequestValidator.ConsentKey(tenant, subject, subjectRequired: true);
        GovernanceRequestValidator.ScopeKind(scope);
        var rows = await QueryAsync(
            $"SELECT {Columns} FROM memory_consents WHERE tenant = $tenant AND subject = $subject AND scope_kind = $scope_kind",
            command =>
            {
                command.Parameters.AddWithValue("$tenant", tenant);
                command.Parameters.AddWithValue("$subject", subject);
                command.Parameters.AddWithValue("$scope_kind", MemoryJson.EnumName(scope));
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryConsent>> ListAsync(string tenant, string? subject = null, CancellationToken cancellationToken = default)
    {
        GovernanceRequestValidator.ConsentKey(tenant, subject, subjectRequired: false);
        return QueryAsync(
            $"SELECT {Columns} FROM memory_consents WHERE tenant = $tenant{(subject is null ? string.Empty : " AND subject = $subject")} ORDER BY subject, scope_kind",
            command =>
            {
                command.Parameters.AddWithValue("$tenant", tenant);
                if (subject is not null)
                {
                    command.Parameters.AddWithValue("$subject", subject);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryConsent>> GetHistoryAsync(string tenant, string subject, CancellationToken cancellationToken = default)
    {
        GovernanceRequestValidator.ConsentKey(tenant, subject, subjectRequired: true);
        return QueryAsync(
            $"SELECT {Columns} FROM memory_consent_changes WHERE tenant = $tenant AND subject = $subject ORDER BY id",
            command =>
            {
                command.Parameters.AddWithValue("$tenant", tenant);
                command.Parameters.AddWithValue("$subject", subject);
            },
            cancellationToken);
    }

    private static void AddParameters(SqliteCommand command, MemoryConsent c)
    {
        var p = command.Parameters;
        p.AddWithValue("$tenant", c.Tenant);
        p.AddWithValue("$subject", c.Subject);
        p.AddWithValue("$scope_kind", MemoryJson.EnumName(c.Scope));
        p.AddWithValue("$state", MemoryJson.EnumName(c.State));
        p.AddWithValue("$purpose", c.Purpose);
        p.AddWithValue("$expires_at", SqliteRows.Timestamp(c.ExpiresAt));
        p.AddWithValue("$changed_at", SqliteRows.Timestamp(c.ChangedAt));
        p.AddWithValue("$actor_kind", MemoryJson.EnumName(c.ChangedBy.Kind));
        p.AddWithValue("$actor_id", c.ChangedBy.Id);
        p.AddWithValue("$reason", (object?)c.Reason ?? DBNull.Value);
    }

    private static MemoryConsent Read(SqliteDataReader reader) => new()
    {
        Tenant = reader.GetString(0),
        Subject = reader.GetString(1),
        Scope = Parse<MemoryScopeKind>(reader.GetString(2)),
        State = Parse<MemoryConsentState>(reader.GetString(3)),
        Purpose = reader.GetString(4),
        ExpiresAt = reader.IsDBNull(5) ? null : SqliteRows.ParseTimestamp(reader.GetString(5)),
        ChangedAt = SqliteRows.ParseTimestamp(reader.GetString(6)),
        ChangedBy = new MemoryActor(Parse<MemoryActorKind>(reader.GetString(7)), reader.GetString(8)),
        Reason = reader.IsDBNull(9) ? null : reader.GetString(9),
    };

    private static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum =>
        MemoryJson.TryParseEnum<TEnum>(name, out var value) ? value : throw new InvalidDataException($"Unknown {typeof(TEnum).Name} '{name}' in the consent tables.");

    private async Task<IReadOnlyList<MemoryConsent>> QueryAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var consents = new List<MemoryConsent>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            consents.Add(Read(reader));
        }

        return consents;
    }
}
