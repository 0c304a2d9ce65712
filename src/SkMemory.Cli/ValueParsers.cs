using System.Globalization;

namespace SkMemory.Cli;

/// <summary>Parses the CLI's own value syntaxes (--ttl 30d, --meta k=v, --actor kind:id, --scope team:x...) into contract types.</summary>
/// <remarks>Every failure is a usage error (exit code 2) naming the contract field, like the store's validation errors.</remarks>
internal static class ValueParsers
{
    public static Guid Id(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Guid.TryParse(value.Trim(), out var id)
            ? id
            : throw CliException.Invalid("id", $"'{value}' is not a memory id (a UUID such as 0197f3c2-5a1e-7c3b-9d2e-1f2a3b4c5d6e)", "copy the id from 'skmem list' or 'skmem recall'");
    }

    /// <summary>Parses a duration such as <c>30d</c>, <c>12h</c>, <c>90m</c>, <c>45s</c>, <c>2w</c> or a combination (<c>1d12h</c>).</summary>
    public static TimeSpan Ttl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        var total = TimeSpan.Zero;
        var i = 0;
        var parts = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length
                || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                throw BadTtl(value);
            }

            TimeSpan unit = char.ToLowerInvariant(text[i]) switch
            {
                'w' => TimeSpan.FromDays(7),
                'd' => TimeSpan.FromDays(1),
                'h' => TimeSpan.FromHours(1),
                'm' => TimeSpan.FromMinutes(1),
                's' => TimeSpan.FromSeconds(1),
                _ => throw BadTtl(value),
            };
            i++;
            parts++;
            try
            {
                total = checked(total + (unit * amount));
            }
            catch (OverflowException)
            {
                throw CliException.Invalid("ttl", $"'{value}' is too long", "use a shorter time to live, for example --ttl 365d");
            }
        }

        if (parts == 0)
        {
            throw BadTtl(value);
        }

        return total <= TimeSpan.Zero
            ? throw CliException.Invalid("ttl", $"must be positive; it is '{value}'", "use for example --ttl 30d, 12h or 90m")
            : total;
    }

    public static DateTimeOffset Time(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value);
        return DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw CliException.Invalid(field, $"'{value}' is not an ISO 8601 time", $"use for example {ErrorReporter.OptionFor(field)} 2025-03-01 or 2025-03-01T14:05:00Z");
    }

    /// <summary>Parses repeated <c>key=value</c> pairs.</summary>
    public static Dictionary<string, string>? Metadata(IReadOnlyList<string>? pairs)
    {
        if (pairs is null || pairs.Count == 0)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw CliException.Invalid("metadata", $"'{pair}' is not key=value", "use --meta key=value, once per entry");
            }

            var key = pair[..eq].Trim();
            if (!metadata.TryAdd(key, pair[(eq + 1)..]))
            {
                throw CliException.Invalid($"metadata.{key}", "is given more than once", "give each --meta key once");
            }
        }

        return metadata;
    }

    /// <summary>Parses <c>kind:id</c>, for example <c>agent:planner</c> or <c>user:ana</c>.</summary>
    public static MemoryActor Actor(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var kinds = string.Join(", ", MemoryJson.EnumNamesOf<MemoryActorKind>());
        if (colon <= 0 || colon == value.Length - 1)
        {
            throw CliException.Invalid("actor", $"'{value}' is not kind:id", $"use for example --actor user:ana or --actor agent:planner (kinds: {kinds})");
        }

        var kindName = value[..colon].Trim().ToLowerInvariant();
        return MemoryJson.TryParseEnum<MemoryActorKind>(kindName, out var kind)
            ? new MemoryActor(kind, value[(colon + 1)..].Trim())
            : throw CliException.Invalid("actor.kind", $"unknown actor kind '{kindName}'", $"use one of: {kinds}");
    }

    /// <summary>The default actor: <c>user:$USER</c>, or <c>user:cli</c>.</summary>
    public static MemoryActor DefaultActor() =>
        MemoryActor.User(Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user ? user : "cli");

    /// <summary>Parses <c>personal</c>, <c>public</c> or <c>team:&lt;name&gt;</c>.</summary>
    public static MemoryScope Scope(string? value, string? agent, string? session)
    {
        var text = value?.Trim() ?? "personal";
        MemoryScope scope;
        if (string.Equals(text, "personal", StringComparison.OrdinalIgnoreCase))
        {
            scope = MemoryScope.Personal;
        }
        else if (string.Equals(text, "public", StringComparison.OrdinalIgnoreCase))
        {
            scope = MemoryScope.Public;
        }
        else if (text.StartsWith("team:", StringComparison.OrdinalIgnoreCase) && text.Length > 5)
        {
            scope = MemoryScope.ForTeam(text[5..]);
        }
        else
        {
            throw CliException.Invalid("scope", $"'{text}' is not a scope", "use --scope personal, --scope public or --scope team:<name>");
        }

        return scope with { Agent = agent, Session = session };
    }

    /// <summary>Parses --scope as a filter: the scope kinds and team to match.</summary>
    public static (IReadOnlyList<MemoryScopeKind>? Kinds, string? Team) ScopeFilter(string? value)
    {
        if (value is null)
        {
            return (null, null);
        }

        var scope = Scope(value, null, null);
        return ([scope.Kind], scope.Team);
    }

    /// <summary>Parses --status values; <c>all</c> means every status.</summary>
    public static IReadOnlyList<MemoryStatus>? Statuses(IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return null;
        }

        var statuses = new List<MemoryStatus>();
        foreach (var value in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (string.Equals(value, "all", StringComparison.OrdinalIgnoreCase))
            {
                return Enum.GetValues<MemoryStatus>();
            }

            if (!MemoryJson.TryParseEnum<MemoryStatus>(value.ToLowerInvariant(), out var status))
            {
                throw CliException.Invalid("status", $"unknown status '{value}'", $"use one or more of: {string.Join(", ", MemoryJson.EnumNamesOf<MemoryStatus>())}, or all");
            }

            if (!statuses.Contains(status))
            {
                statuses.Add(status);
            }
        }

        return statuses;
    }

    /// <summary>Parses --type values (repeated or comma-separated).</summary>
    public static IReadOnlyList<string>? Types(IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return null;
        }

        return values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
    }

    public static MemorySearchMode Mode(string? value) =>
        value?.Trim().ToLowerInvariant() switch
        {
            null or "hybrid" => MemorySearchMode.Hybrid,
            "text" => MemorySearchMode.Text,
            "vector" => MemorySearchMode.Vector,
            _ => throw CliException.Invalid("mode", $"unknown search mode '{value}'", "use --mode hybrid, --mode text or --mode vector"),
        };

    private static CliException BadTtl(string value) =>
        CliException.Invalid("ttl", $"'{value}' is not a duration", "use a number and a unit: s, m, h, d or w (for example --ttl 30d, 12h, 90m or 1d12h)");
}
