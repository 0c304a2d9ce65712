using System.CommandLine;
using System.Text.Json;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem keys create|list|revoke</c>: the API keys of the HTTP MCP server (<c>skmem serve</c>). Each key acts as one
/// caller in one tenant (actor, roles, teams, subjects it acts for, scope kinds); only a hash of its secret is stored, so
/// the secret is printed once, when the key is created. Managing keys takes the admin role in the tenant.
/// </summary>
internal static class KeysCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command(
            "keys",
            "Create, list and revoke the API keys clients present to 'skmem serve' (Authorization: Bearer skm_...). "
            + "Needs the " + MemoryRoles.Admin + " role in the tenant (you have it as the store owner).");
        command.Subcommands.Add(CreateCreate(runner));
        command.Subcommands.Add(CreateList(runner));
        command.Subcommands.Add(CreateRevoke(runner));
        return command;
    }

    private static Command CreateCreate(CommandRunner runner)
    {
        var actor = new Option<string>("--actor")
        {
            Description = "Who the key acts as (kind:id, e.g. agent:planner or user:ana); required.",
            Required = true,
            HelpName = "kind:id",
        };
        var scopeKinds = new Option<string[]>("--scope-kind")
        {
            Description = "A scope kind the key may read and write (repeatable): personal, team or public. Default: every kind its roles allow.",
            HelpName = "personal|team|public",
        };
        var label = new Option<string?>("--label") { Description = "What the key is for, shown by 'skmem keys list'.", HelpName = "text" };
        var command = new Command(
            "create",
            "Create an API key and print its secret once. --role, --team and --acting-for (repeatable) give the key's roles, teams and the "
            + "subjects it acts for; the key works in --tenant only.")
        {
            actor, scopeKinds, label,
        };
        runner.SetCanonicalStoreAction(
            command,
            StoreAccess.Write,
            (context, parseResult) =>
            {
                // Here --role, --team and --acting-for describe the key, not an --as identity: keys are created by the store owner.
                if (parseResult.GetValue(runner.Globals.As) is not null)
                {
                    throw CliException.Invalid("as", "keys are created as the store owner; here --role, --team and --acting-for describe the new key", "drop --as");
                }

                Authorize(StoreOwner(context), "create");
                var request = new MemoryApiKeyRequest
                {
                    Tenant = context.Tenant,
                    Actor = ValueParsers.Actor(parseResult.GetValue(actor)!),
                    Roles = Distinct(parseResult.GetValue(runner.Globals.Roles)),
                    Teams = Distinct(parseResult.GetValue(runner.Globals.Teams)),
                    ActingFor = Distinct(parseResult.GetValue(runner.Globals.ActingFor)),
                    ScopeKinds = ScopeKinds(parseResult.GetValue(scopeKinds)),
                    Label = parseResult.GetValue(label),
                };
                if (request.Roles.Contains(MemoryRoles.StoreOwner, StringComparer.Ordinal))
                {
                    throw CliException.Invalid("role", $"a key can never hold the {MemoryRoles.StoreOwner} role", $"give it the roles it needs, e.g. --role {MemoryRoles.Admin}");
                }

                return async (store, _) =>
                {
                    MemoryApiKeyIssue issue;
                    try
                    {
                        issue = await Keys(store).CreateAsync(request, context.CancellationToken).ConfigureAwait(false);
                    }
                    catch (MemoryValidationException ex)
                    {
                        throw new CliException(ExitCodes.Usage, ex.Message, "check --actor, --role, --team, --acting-for and --scope-kind", "key", ex);
                    }

                    if (context.Json)
                    {
                        JsonOutput.Write(context.Out, w =>
                        {
                            WriteKey(w, issue.Key);
                            w.WriteString("secret", issue.Secret);
                        });
                    }
                    else
                    {
                        context.Out.WriteLine(issue.Secret);
                    }

                    context.Error.WriteLine($"created key {issue.Key.Id} for {issue.Key.Actor} in tenant '{issue.Key.Tenant}'{Describe(issue.Key)}");
                    context.Error.WriteLine("warning: this is the only time the secret is shown; store it now (only its hash is kept). Clients send it as 'Authorization: Bearer <secret>'.");
                    context.Error.WriteLine($"revoke it with 'skmem keys revoke {issue.Key.Id}'");
                    return ExitCodes.Ok;
                };
            },
            EmbedderUse.None);
        return command;
    }

    private static Command CreateList(CommandRunner runner)
    {
        var command = new Command("list", "List the tenant's API keys, revoked ones included, newest first (never their secrets).");
        runner.SetCanonicalStoreAction(
            command,
            StoreAccess.Read,
            (context, _) =>
            {
                // Checked before the store is opened: a caller who may not manage keys learns nothing about the store.
                Authorize(context.Caller, "list");
                return async (store, _) =>
                {
                    var keys = await Keys(store).ListAsync(context.Tenant, context.CancellationToken).ConfigureAwait(false);
                    if (context.Json)
                    {
                        context.Out.WriteLine(JsonOutput.Render(w =>
                        {
                            w.WriteStartArray();
                            foreach (var key in keys)
                            {
                                w.WriteStartObject();
                                WriteKey(w, key);
                                w.WriteEndObject();
                            }

                            w.WriteEndArray();
                        }));
                        return ExitCodes.Ok;
                    }

                    if (keys.Count == 0)
                    {
                        context.Error.WriteLine($"no API keys in tenant '{context.Tenant}'; create one with 'skmem keys create --actor agent:<name>'");
                        return ExitCodes.Ok;
                    }

                    foreach (var key in keys)
                    {
                        context.Out.WriteLine(
                            $"{key.Id}  {key.Actor}  {(key.RevokedAt is { } revoked ? "revoked " + HumanFormat.Time(revoked) : "live")}  "
                            + $"roles: {List(key.Roles)}  scope kinds: {(key.ScopeKinds.Count == 0 ? "all" : string.Join(',', key.ScopeKinds.Select(MemoryJson.EnumName)))}  "
                            + $"created {HumanFormat.Time(key.CreatedAt)}  last used {HumanFormat.Time(key.LastUsedAt, "never")}"
                            + (key.Teams.Count > 0 ? $"  teams: {List(key.Teams)}" : string.Empty)
                            + (key.ActingFor.Count > 0 ? $"  acting for: {List(key.ActingFor)}" : string.Empty)
                            + (key.Label is { Length: > 0 } text ? $"  \"{text}\"" : string.Empty));
                    }

                    context.Error.WriteLine($"{HumanFormat.Count(keys.Count, "key")} in tenant '{context.Tenant}', {keys.Count(k => k.RevokedAt is null)} live");
                    return ExitCodes.Ok;
                };
            },
            EmbedderUse.None);
        return command;
    }

    private static Command CreateRevoke(CommandRunner runner)
    {
        var id = new Argument<string>("key-id") { Description = "The key's id, as 'skmem keys list' shows it (the part of the secret after skm_)." };
        var command = new Command("revoke", "Revoke an API key: the server refuses it from the next request on. Revocation cannot be undone.") { id };
        runner.SetCanonicalStoreAction(
            command,
            StoreAccess.Read,
            (context, parseResult) =>
            {
                Authorize(context.Caller, "revoke");
                var keyId = parseResult.GetValue(id)!.Trim();
                return async (store, _) =>
                {
                    var keys = Keys(store);
                    var key = (await keys.ListAsync(context.Tenant, context.CancellationToken).ConfigureAwait(false))
                        .FirstOrDefault(k => string.Equals(k.Id, keyId, StringComparison.Ordinal))
                        ?? throw new CliException(ExitCodes.NotFound, $"there is no API key {keyId} in tenant '{context.Tenant}'", "list the keys with 'skmem keys list' (and check --tenant)");
                    if (key.RevokedAt is not null || !await keys.RevokeAsync(key.Id, context.CancellationToken).ConfigureAwait(false))
                    {
                        throw new CliException(ExitCodes.Conflict, $"the API key {key.Id} is already revoked", "nothing to do; 'skmem keys list' shows when it was revoked");
                    }

                    if (context.Json)
                    {
                        JsonOutput.Write(context.Out, w =>
                        {
                            w.WriteString("id", key.Id);
                            w.WriteBoolean("revoked", true);
                        });
                    }
                    else
                    {
                        context.Out.WriteLine($"revoked key {key.Id} ({key.Actor})");
                    }

                    return ExitCodes.Ok;
                };
            },
            EmbedderUse.None);
        return command;
    }

    /// <summary>The store owner in the command's tenant, who manages its keys.</summary>
    private static MemoryCaller StoreOwner(CliContext context) => new()
    {
        Tenant = context.Tenant,
        Actor = ValueParsers.DefaultActor(),
        Roles = [MemoryRoles.StoreOwner, MemoryRoles.Admin],
        Task = context.Task,
    };

    private static void Authorize(MemoryCaller caller, string operation)
    {
        if (!caller.HasRole(MemoryRoles.Admin) && !caller.HasRole(MemoryRoles.StoreOwner))
        {
            throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot {operation} API keys in tenant '{caller.Tenant}'", $"run as the store owner (without --as), or with --role {MemoryRoles.Admin}");
        }
    }

    /// <summary>The key store of the canonical store.</summary>
    /// <param name="store">The store.</param>
    /// <returns>Its API keys.</returns>
    /// <exception cref="CliException">The store keeps no API keys (exit code 2).</exception>
    internal static IMemoryApiKeyStore Keys(IMemoryStore store) =>
        store.GetService(typeof(IMemoryApiKeyStore)) as IMemoryApiKeyStore
            ?? throw new CliException(ExitCodes.Usage, "this store keeps no API keys", "use an embedded (SQLite) or PostgreSQL store");

    private static string[] Distinct(string[]? values) =>
        values is null ? [] : [.. values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)];

    private static MemoryScopeKind[] ScopeKinds(string[]? values)
    {
        var kinds = new List<MemoryScopeKind>();
        foreach (var value in values ?? [])
        {
            var name = value.Trim().ToLowerInvariant();
            if (!MemoryJson.TryParseEnum<MemoryScopeKind>(name, out var kind))
            {
                throw CliException.Invalid("scope_kind", $"'{value}' is not a scope kind", "use --scope-kind personal, team or public (repeatable)");
            }

            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }

        return [.. kinds];
    }

    private static string List(IReadOnlyList<string> values) => values.Count == 0 ? "none" : string.Join(',', values);

    private static string Describe(MemoryApiKey key) =>
        $" (roles: {List(key.Roles)}; scope kinds: {(key.ScopeKinds.Count == 0 ? "all its roles allow" : string.Join(',', key.ScopeKinds.Select(MemoryJson.EnumName)))}"
        + (key.Teams.Count > 0 ? $"; teams: {List(key.Teams)}" : string.Empty)
        + (key.ActingFor.Count > 0 ? $"; acting for: {List(key.ActingFor)}" : string.Empty)
        + ")";

    private static void WriteKey(Utf8JsonWriter w, MemoryApiKey key)
    {
        w.WriteString("id", key.Id);
        w.WriteString("tenant", key.Tenant);
        w.WriteString("actor", key.Actor.ToString());
        WriteStrings(w, "roles", key.Roles);
        WriteStrings(w, "teams", key.Teams);
        WriteStrings(w, "acting_for", key.ActingFor);
        WriteStrings(w, "scope_kinds", [.. key.ScopeKinds.Select(MemoryJson.EnumName)]);
        w.WriteString("label", key.Label);
        w.WriteString("created_at", MemoryEventChain.FormatTimestamp(key.CreatedAt));
        WriteTime(w, "last_used_at", key.LastUsedAt);
        WriteTime(w, "revoked_at", key.RevokedAt);
        w.WriteBoolean("live", key.RevokedAt is null);
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            w.WriteString(name, MemoryEventChain.FormatTimestamp(time));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
