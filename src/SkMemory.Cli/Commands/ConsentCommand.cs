using System.CommandLine;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem consent grant|revoke|show</c>: a subject's consent per scope kind, kept as data beside the memories. Revoking
/// stops reads of the subject's memories in that scope at once; <c>skmem sweep</c> purges them after the policy's grace.
/// </summary>
internal static class ConsentCommand
{
    private static readonly string[] ScopeNames = [.. MemoryJson.EnumNamesOf<MemoryScopeKind>()];

    public static Command Create(CommandRunner runner)
    {
        var command = new Command(
            "consent",
            "Record and show consent per subject and scope: granted or revoked, for a purpose, until an expiry. Revoking stops reads at "
            + "once; 'skmem sweep' purges the subject's memories in that scope after the retention policy's grace.");
        command.Subcommands.Add(CreateChange(runner, MemoryConsentState.Granted));
        command.Subcommands.Add(CreateChange(runner, MemoryConsentState.Revoked));
        command.Subcommands.Add(CreateShow(runner));
        return command;
    }

    private static Command CreateChange(CommandRunner runner, MemoryConsentState state)
    {
        var granting = state == MemoryConsentState.Granted;
        var subject = SubjectOption(required: true);
        var scope = ScopeOption();
        var purpose = new Option<string?>("--purpose")
        {
            Description = granting
                ? "What the subject consents to (\"personalization\", \"support history\")."
                : "The purpose revoked (default: the current consent's purpose).",
            HelpName = "text",
            Required = granting,
        };
        var expires = new Option<string?>("--expires")
        {
            Description = "When the grant lapses: an ISO 8601 time (2026-01-01) or a duration from now (365d, 12w).",
            HelpName = "time|duration",
        };
        var reason = new Option<string?>("--reason", "-r") { Description = "Why (kept in the consent's history).", HelpName = "text" };
        var command = granting
            ? new Command("grant", "Grant consent for a subject in a scope kind; it replaces the current consent and is kept in the history.") { subject, scope, purpose, expires, reason }
            : new Command("revoke", "Revoke a subject's consent in a scope kind: reads of their memories there stop at once, and 'skmem sweep' purges them after the policy's grace.") { subject, scope, purpose, reason };
        runner.SetStoreAction(command, StoreAccess.Write, (context, parseResult) =>
        {
            var who = parseResult.GetValue(subject)!;
            var kind = ParseScope(parseResult.GetValue(scope)!);
            var caller = context.Caller;
            if (!caller.ActsFor(who) && !caller.HasRole(MemoryRoles.Admin))
            {
                throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot change the consent of subject '{who}'", $"run as the subject (--as user:{who}), an agent acting for it (--acting-for {who}), or with the {MemoryRoles.Admin} role");
            }

            var now = DateTimeOffset.UtcNow;
            DateTimeOffset? until = granting && parseResult.GetValue(expires) is { } text ? Expiry(text, now) : null;
            return async store =>
            {
                var consents = Consents(store);
                var stated = parseResult.GetValue(purpose);
                var current = granting ? null : await consents.GetAsync(context.Tenant, who, kind, context.CancellationToken).ConfigureAwait(false);
                var consent = new MemoryConsent
                {
                    Tenant = context.Tenant,
                    Subject = who,
                    Scope = kind,
                    State = state,
                    Purpose = stated ?? current?.Purpose ?? "all purposes",
                    ExpiresAt = until,
                    ChangedAt = now,
                    ChangedBy = caller.Actor,
                    Reason = parseResult.GetValue(reason),
                };
                await consents.SetAsync(consent, context.CancellationToken).ConfigureAwait(false);
                Write(context, [consent], granting
                    ? $"granted: {who} consents to {MemoryJson.EnumName(kind)} memories for {consent.Purpose}{(until is { } u ? $" until {HumanFormat.Time(u)}" : string.Empty)}"
                    : $"revoked: reads of {who}'s {MemoryJson.EnumName(kind)} memories stop now; 'skmem sweep' purges them after the retention policy's grace");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command CreateShow(CommandRunner runner)
    {
        var subject = SubjectOption(required: false);
        var history = new Option<bool>("--history") { Description = "Show every change of the subject's consents, oldest first (needs --subject)." };
        var command = new Command("show", "Show the current consents of a subject (or of every subject of the tenant), or with --history every change.") { subject, history };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var who = parseResult.GetValue(subject);
            var withHistory = parseResult.GetValue(history);
            if (withHistory && who is null)
            {
                throw CliException.Invalid("subject", "is required with --history", "add --subject <subject>");
            }

            return async store =>
            {
                var consents = Consents(store);
                var rows = withHistory
                    ? await consents.GetHistoryAsync(context.Tenant, who!, context.CancellationToken).ConfigureAwait(false)
                    : await consents.ListAsync(context.Tenant, who, context.CancellationToken).ConfigureAwait(false);
                Write(context, rows, rows.Count == 0 ? $"no consents recorded{(who is null ? string.Empty : $" for subject '{who}'")} in tenant '{context.Tenant}'" : null);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Option<string?> SubjectOption(bool required) => new("--subject", "-s")
    {
        Description = "The subject whose consent it is.",
        HelpName = "subject",
        Required = required,
    };

    private static Option<string> ScopeOption()
    {
        var scope = new Option<string>("--scope")
        {
            Description = "The scope kind the consent covers.",
            HelpName = string.Join('|', ScopeNames),
            DefaultValueFactory = _ => "personal",
        };
        scope.AcceptOnlyFromAmong(ScopeNames);
        return scope;
    }

    private static MemoryScopeKind ParseScope(string name) =>
        MemoryJson.TryParseEnum<MemoryScopeKind>(name, out var kind) ? kind : throw CliException.Invalid("scope", $"'{name}' is not a scope kind", "use --scope personal, team or public");

    private static DateTimeOffset Expiry(string text, DateTimeOffset now) =>
        (text.Length > 0 && char.IsAsciiDigit(text[^1])) || text.Contains('-', StringComparison.Ordinal)
            ? ValueParsers.Time(text, "expires_at")
            : now + ValueParsers.Ttl(text);

    private static IMemoryConsentStore Consents(IMemoryStore store) =>
        store.GetService(typeof(IMemoryConsentStore)) as IMemoryConsentStore
            ?? throw new CliException(ExitCodes.Usage, "this store keeps no consents", "use an embedded (SQLite) or PostgreSQL store");

    private static void Write(CliContext context, IReadOnlyList<MemoryConsent> consents, string? summary)
    {
        if (context.Json)
        {
            context.Out.WriteLine(JsonOutput.Render(w =>
            {
                w.WriteStartArray();
                foreach (var c in consents)
                {
                    w.WriteStartObject();
                    w.WriteString("tenant", c.Tenant);
                    w.WriteString("subject", c.Subject);
                    w.WriteString("scope", MemoryJson.EnumName(c.Scope));
                    w.WriteString("state", MemoryJson.EnumName(c.State));
                    w.WriteString("purpose", c.Purpose);
                    if (c.ExpiresAt is { } expiresAt)
                    {
                        w.WriteString("expires_at", MemoryEventChain.FormatTimestamp(expiresAt));
                    }
                    else
                    {
                        w.WriteNull("expires_at");
                    }

                    w.WriteString("changed_at", MemoryEventChain.FormatTimestamp(c.ChangedAt));
                    w.WriteString("changed_by", c.ChangedBy.ToString());
                    w.WriteString("reason", c.Reason);
                    w.WriteBoolean("in_force", c.IsInForce(DateTimeOffset.UtcNow));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
            return;
        }

        if (summary is not null)
        {
            context.Out.WriteLine(summary);
        }

        if (consents.Count == 0)
        {
            return;
        }

        var table = new TextTable(("SUBJECT", 32, false), ("SCOPE", 8, false), ("STATE", 7, false), ("PURPOSE", 32, false), ("EXPIRES", 20, false), ("CHANGED", 20, false), ("BY", 24, false), ("REASON", 40, false));
        foreach (var c in consents)
        {
            table.Add(c.Subject, MemoryJson.EnumName(c.Scope), MemoryJson.EnumName(c.State), c.Purpose, HumanFormat.Time(c.ExpiresAt), HumanFormat.Time(c.ChangedAt), c.ChangedBy.ToString(), c.Reason ?? "-");
        }

        table.Write(context.Out);
    }
}
