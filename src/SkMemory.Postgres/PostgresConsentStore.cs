using Npgsql;
using SkMemory.Governance;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// Consent as data in the store's schema: the current consent per (tenant, subject, scope kind) in <c>memory_consents</c>,
/// every change appended to <c>memory_consent_changes</c> by the same statement (one CTE, so both or neither are written).
/// </summary>
internal sealed class PostgresConsentStore : IMemoryConsentStore
{
    private const string Columns = "tenant, subject, scope_kind, state, purpose, expires_at, changed_at, actor_kind, actor_id, reason";
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresNames _names;
    private readonly TimeProvider _timeProvider;

    public PostgresConsentStore(NpgsqlDataSource dataSource, PostgresNames names, TimeProvider timeProvider)
    {
        _dataSource = dataSource;
        _names = names;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public async Task SetAsync(MemoryConsent consent, CancellationToken cancellationToken = default)
    {
        var row = GovernanceRequestValidator.Consent(consent, _timeProvider.GetUtcNow());
        cancellationToken.ThrowIfCancellationRequested();
        var command = _dataSource.CreateCommand(
            $"""
            WITH current AS (
                INSERT INTO {_names.Consents} ({Columns})
                VALUES (@tenant, @subject, @scope_kind, @state, @purpose, @expires_at, @changed_at, @actor_kind, @actor_id, @reason)
                ON CONFLICT (tenant, subject, scope_kind) DO UPDATE SET state = excluded.state, purpose = excluded.purpose,
                    expires_at = excluded.expires_at, changed_at = excluded.changed_at, actor_kind = excluded.actor_kind,
                    actor_id = excluded.actor_id, reason = excluded.reason
                RETURNING 1
            )
            INSERT INTO {_names.ConsentChanges} ({Columns})
            SELECT @tenant, @subject, @scope_kind, @state, @purpose, @expires_at, @changed_at, @actor_kind, @actor_id, @reason FROM current
            """);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", row.Tenant);
            PostgresRows.Text(command, "subject", row.Subject);
            PostgresRows.Text(command, "scope_kind", MemoryJson.EnumName(row.Scope));
            PostgresRows.Text(command, "state", MemoryJson.EnumName(row.State));
            PostgresRows.Text(command, "purpose", row.Purpose);
            PostgresRows.Time(command, "expires_at", row.ExpiresAt);
            PostgresRows.Time(command, "changed_at", row.ChangedAt);
            PostgresRows.Text(command, "actor_kind", MemoryJson.EnumName(row.ChangedBy.Kind));
            PostgresRows.Text(command, "actor_id", row.ChangedBy.Id);
            PostgresRows.Text(command, "reason", row.Reason);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<MemoryConsent?> GetAsync(string tenant, string subject, MemoryScopeKind scope, CancellationToken cancellationToken = default)
    {
        GovernanceRequestValidator.ConsentKey(tenant, subject, subjectRequired: true);
        GovernanceRequestValidator.ScopeKind(scope);
        var rows = await QueryAsync(
            $"SELECT {Columns} FROM {_names.Consents} WHERE tenant = @tenant AND subject = @subject AND scope_kind = @scope_kind",
            command =>
            {
                PostgresRows.Text(command, "tenant", tenant);
                PostgresRows.Text(command, "subject", subject);
                PostgresRows.Text(command, "scope_kind", MemoryJson.EnumName(scope));
            },
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryConsent>> ListAsync(string tenant, string? subject = null, CancellationToken cancellationToken = default)
    {
        GovernanceRequestValidator.ConsentKey(tenant, subject, subjectRequired: false);

        // COLLATE "C": the same byte order as SQLite's, whatever the database's collation.
        return QueryAsync(
            $"""
            SELECT {Columns} FROM {_names.Consents}
            WHERE tenant = @tenant{(subject is null ? string.Empty : " AND subject = @subject")}
            ORDER BY subject COLLATE "C", scope_kind COLLATE "C"
            """,
            command =>
            {
                PostgresRows.Text(command, "tenant", tenant);
                if (subject is not null)
                {
                    PostgresRows.Text(command, "subject", subject);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryConsent>> GetHistoryAsync(string tenant, string subject, CancellationToken cancellationToken = default)
    {
        GovernanceRequestValidator.ConsentKey(tenant, subject, subjectRequired: true);
        return QueryAsync(
            $"SELECT {Columns} FROM {_names.ConsentChanges} WHERE tenant = @tenant AND subject = @subject ORDER BY id",
            command =>
            {
                PostgresRows.Text(command, "tenant", tenant);
                PostgresRows.Text(command, "subject", subject);
            },
            cancellationToken);
    }

    private static MemoryConsent Read(NpgsqlDataReader reader) => new()
    {
        Tenant = reader.GetString(0),
        Subject = reader.GetString(1),
        Scope = Parse<MemoryScopeKind>(reader.GetString(2)),
        State = Parse<MemoryConsentState>(reader.GetString(3)),
        Purpose = reader.GetString(4),
        ExpiresAt = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
        ChangedAt = reader.GetFieldValue<DateTimeOffset>(6),
        ChangedBy = new MemoryActor(Parse<MemoryActorKind>(reader.GetString(7)), reader.GetString(8)),
        Reason = reader.IsDBNull(9) ? null : reader.GetString(9),
    };

    private static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum =>
        MemoryJson.TryParseEnum<TEnum>(name, out var value) ? value : throw new InvalidDataException($"Unknown {typeof(TEnum).Name} '{name}' in the consent tables.");

    private async Task<IReadOnlyList<MemoryConsent>> QueryAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var command = _dataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            bind(command);
            var consents = new List<MemoryConsent>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    consents.Add(Read(reader));
                }
            }

            return consents;
        }
    }
}
