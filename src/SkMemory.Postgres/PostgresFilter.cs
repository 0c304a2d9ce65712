using System.Text;
using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>Turns a <see cref="MemoryFilter"/> into a parameterized WHERE clause over <c>memory_objects o</c>.</summary>
/// <remarks>The one filter used by reads, full-text search and vector search, so the three always agree.</remarks>
internal static class PostgresFilter
{
    public static string Where(NpgsqlCommand command, MemoryFilter filter, DateTimeOffset now, PostgresNames names)
    {
        var sql = new StringBuilder("o.tenant = @f_tenant");
        PostgresRows.Text(command, "f_tenant", filter.Tenant);
        Equal(sql, command, "o.subject", "f_subject", filter.Subject);
        if (filter.ScopeKinds is { Count: > 0 } kinds)
        {
            Any(sql, command, "o.scope_kind", "f_kinds", kinds.Select(k => MemoryJson.EnumName(k)));
        }

        if (filter.Ids is { } ids)
        {
            sql.Append(" AND o.id = ANY(@f_ids)");
            PostgresRows.Add(command, "f_ids", ids.ToArray());
        }

        Equal(sql, command, "o.team", "f_team", filter.Team);
        Equal(sql, command, "o.agent", "f_agent", filter.Agent);
        Equal(sql, command, "o.session", "f_session", filter.Session);
        if (filter.Types is { Count: > 0 } types)
        {
            Any(sql, command, "o.type", "f_types", types);
        }

        Any(sql, command, "o.status", "f_statuses", filter.EffectiveStatuses().Select(s => MemoryJson.EnumName(s)));
        Range(sql, command, "o.created_at", "f_created", filter.CreatedFrom, filter.CreatedTo);
        Range(sql, command, "o.updated_at", "f_updated", filter.UpdatedFrom, filter.UpdatedTo);
        if (filter.ValidAt is { } at)
        {
            sql.Append(" AND o.valid_from <= @f_at AND (o.valid_to IS NULL OR o.valid_to > @f_at)");
            PostgresRows.Time(command, "f_at", at);
        }

        if (!filter.IncludeExpired)
        {
            sql.Append(" AND (o.expires_at IS NULL OR o.expires_at > @f_now)");
            PostgresRows.Time(command, "f_now", now);
        }

        if (filter.Access is { } access)
        {
            Access(sql, command, access, now, names.Consents);
        }

        if (filter.Metadata is { Count: > 0 } metadata)
        {
            sql.Append(" AND o.metadata @> @f_metadata");
            PostgresRows.Json(command, "f_metadata", PostgresRows.MetadataJson(metadata));
        }

        return sql.ToString();
    }

    // Personal memories of the readable subjects, team memories of the caller's teams, public ones; never one whose subject
    // revoked consent (or let it lapse) for that scope: revocation stops reads at once, before retention purges.
    private static void Access(StringBuilder sql, NpgsqlCommand command, MemoryAccessScope access, DateTimeOffset now, string consents)
    {
        if (!access.AllScopes)
        {
            sql.Append(" AND (").Append(access.Public ? "o.scope_kind = 'public'" : "false");
            if (access.Subjects.Count > 0)
            {
                sql.Append(" OR (o.scope_kind = 'personal' AND o.subject = ANY(@f_acc_subjects))");
                PostgresRows.TextArray(command, "f_acc_subjects", access.Subjects);
            }

            if (access.Teams.Count > 0)
            {
                sql.Append(" OR (o.scope_kind = 'team' AND o.team = ANY(@f_acc_teams))");
                PostgresRows.TextArray(command, "f_acc_teams", access.Teams);
            }

            sql.Append(')');
        }

        sql.Append(" AND NOT EXISTS (SELECT 1 FROM ").Append(consents).Append(" c WHERE c.tenant = o.tenant AND c.subject = o.subject AND c.scope_kind = o.scope_kind")
            .Append(" AND (c.state = 'revoked' OR (c.expires_at IS NOT NULL AND c.expires_at <= @f_acc_now)))");
        PostgresRows.Time(command, "f_acc_now", now);
    }

    private static void Equal(StringBuilder sql, NpgsqlCommand command, string column, string name, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = @").Append(name);
            PostgresRows.Text(command, name, value);
        }
    }

    private static void Any(StringBuilder sql, NpgsqlCommand command, string column, string name, IEnumerable<string> values)
    {
        sql.Append(" AND ").Append(column).Append(" = ANY(@").Append(name).Append(')');
        PostgresRows.TextArray(command, name, values);
    }

    private static void Range(StringBuilder sql, NpgsqlCommand command, string column, string name, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f)
        {
            sql.Append(" AND ").Append(column).Append(" >= @").Append(name).Append("_from");
            PostgresRows.Time(command, name + "_from", f);
        }

        if (to is { } t)
        {
            sql.Append(" AND ").Append(column).Append(" < @").Append(name).Append("_to");
            PostgresRows.Time(command, name + "_to", t);
        }
    }
}
