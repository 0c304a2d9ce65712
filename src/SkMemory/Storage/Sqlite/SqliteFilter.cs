using System.Text;
using Microsoft.Data.Sqlite;

namespace SkMemory.Storage.Sqlite;

/// <summary>Turns a <see cref="MemoryFilter"/> into a parameterized WHERE clause over <c>memory_objects o</c>.</summary>
internal static class SqliteFilter
{
    public static string Where(SqliteCommand command, MemoryFilter filter, DateTimeOffset now)
    {
        var sql = new StringBuilder("o.tenant = $f_tenant");
        var p = command.Parameters;
        p.AddWithValue("$f_tenant", filter.Tenant);
        if (filter.Subject is { } subject)
        {
            sql.Append(" AND o.subject = $f_subject");
            p.AddWithValue("$f_subject", subject);
        }

        if (filter.ScopeKinds is { Count: > 0 } kinds)
        {
            In(sql, p, "o.scope_kind", "f_kind", kinds.Select(k => MemoryJson.EnumName(k)));
        }

        if (filter.Ids is { } ids)
        {
            // An empty list matches nothing, as IN () would if SQLite allowed it.
            if (ids.Count == 0)
            {
                sql.Append(" AND 0");
            }
            else
            {
                In(sql, p, "o.id", "f_id", ids.Select(SqliteRows.Id));
            }
        }

        Equal(sql, p, "o.team", "f_team", filter.Team);
        Equal(sql, p, "o.agent", "f_agent", filter.Agent);
        Equal(sql, p, "o.session", "f_session", filter.Session);
        if (filter.Types is { Count: > 0 } types)
        {
            In(sql, p, "o.type", "f_type", types);
        }

        In(sql, p, "o.status", "f_status", filter.EffectiveStatuses().Select(s => MemoryJson.EnumName(s)));
        Range(sql, p, "o.created_at", "f_created", filter.CreatedFrom, filter.CreatedTo);
        Range(sql, p, "o.updated_at", "f_updated", filter.UpdatedFrom, filter.UpdatedTo);
        if (filter.ValidAt is { } at)
        {
            sql.Append(" AND o.valid_from <= $f_at AND (o.valid_to IS NULL OR o.valid_to > $f_at)");
            p.AddWithValue("$f_at", SqliteRows.Timestamp(at));
        }

        if (!filter.IncludeExpired)
        {
            sql.Append(" AND (o.expires_at IS NULL OR o.expires_at > $f_now)");
            p.AddWithValue("$f_now", SqliteRows.Timestamp(now));
        }

        if (filter.Access is { } access)
        {
            Access(sql, p, access, now);
        }

        if (filter.Metadata is { Count: > 0 } metadata)
        {
            var i = 0;
            foreach (var (key, value) in metadata)
            {
                sql.Append(" AND EXISTS (SELECT 1 FROM json_each(o.metadata) j WHERE j.key = $f_mk").Append(i).Append(" AND j.value = $f_mv").Append(i).Append(')');
                p.AddWithValue("$f_mk" + i, key);
                p.AddWithValue("$f_mv" + i, value);
                i++;
            }
        }

        return sql.ToString();
    }

    // Personal memories of the readable subjects, team memories of the caller's teams, public ones; never one whose subject
    // revoked consent (or let it lapse) for that scope: revocation stops reads at once, before retention purges.
    private static void Access(StringBuilder sql, SqliteParameterCollection p, MemoryAccessScope access, DateTimeOffset now)
    {
        if (!access.AllScopes)
        {
            sql.Append(" AND (");
            sql.Append(access.Public ? "o.scope_kind = 'public'" : "0");
            if (access.Subjects.Count > 0)
            {
                sql.Append(" OR (o.scope_kind = 'personal'");
                In(sql, p, "o.subject", "f_acc_subject", access.Subjects);
                sql.Append(')');
            }

            if (access.Teams.Count > 0)
            {
                sql.Append(" OR (o.scope_kind = 'team'");
                In(sql, p, "o.team", "f_acc_team", access.Teams);
                sql.Append(')');
            }

            sql.Append(')');
        }

        sql.Append(" AND NOT EXISTS (SELECT 1 FROM memory_consents c WHERE c.tenant = o.tenant AND c.subject = o.subject AND c.scope_kind = o.scope_kind")
            .Append(" AND (c.state = 'revoked' OR (c.expires_at IS NOT NULL AND c.expires_at <= $f_acc_now)))");
        p.AddWithValue("$f_acc_now", SqliteRows.Timestamp(now));
    }

    private static void Equal(StringBuilder sql, SqliteParameterCollection p, string column, string name, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = $").Append(name);
            p.AddWithValue("$" + name, value);
        }
    }

    private static void In(StringBuilder sql, SqliteParameterCollection p, string column, string name, IEnumerable<string> values)
    {
        sql.Append(" AND ").Append(column).Append(" IN (");
        var i = 0;
        foreach (var value in values)
        {
            sql.Append(i == 0 ? "$" : ", $").Append(name).Append(i);
            p.AddWithValue("$" + name + i, value);
            i++;
        }

        sql.Append(')');
    }

    private static void Range(StringBuilder sql, SqliteParameterCollection p, string column, string name, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f)
        {
            sql.Append(" AND ").Append(column).Append(" >= $").Append(name).Append("_from");
            p.AddWithValue("$" + name + "_from", SqliteRows.Timestamp(f));
        }

        if (to is { } t)
        {
            sql.Append(" AND ").Append(column).Append(" < $").Append(name).Append("_to");
            p.AddWithValue("$" + name + "_to", SqliteRows.Timestamp(t));
        }
    }
}
