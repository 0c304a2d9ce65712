using System.CommandLine;

namespace SkMemory.Cli;

/// <summary>The options every command accepts: where the store is, which tenant, and the output format.</summary>
internal sealed class GlobalOptions
{
    public const string TenantVariable = "SKMEMORY_TENANT";
    public const string DefaultTenant = "default";
    public const string RedactionPolicyVariable = "SKMEMORY_REDACTION_POLICY";
    public const string VaultKeyVariable = "SKMEMORY_VAULT_KEY";

    public Option<string?> Store { get; } = new("--store")
    {
        Description = "The store: 'embedded' (default: $SKMEMORY_HOME/memory.db or ~/.skmemory/memory.db), a SQLite file path, "
            + "a PostgreSQL connection string ('Host=...;Database=...' or postgres://user:pass@host:5432/db), "
            + $"or mem0:<base-url> (Mem0, with every change mirrored to --mirror; API key in ${StoreOpener.Mem0ApiKeyVariable}).",
        HelpName = "embedded|path.db|connection-string|mem0:url",
        Recursive = true,
    };

    public Option<string?> Schema { get; } = new("--schema")
    {
        Description = "The PostgreSQL schema holding the store's tables (default: skmemory). Postgres stores (and a mem0: store's Postgres --mirror) only.",
        HelpName = "name",
        Recursive = true,
    };

    public Option<string?> Mem0Flavor { get; } = new("--mem0-flavor")
    {
        Description = $"Which Mem0 API a mem0: store speaks: 'platform' (the hosted Platform, needs ${StoreOpener.Mem0ApiKeyVariable}) or 'oss' "
            + $"(a self-hosted Mem0 server; ${StoreOpener.Mem0ApiKeyVariable} optional). Default: ${StoreOpener.Mem0FlavorVariable}, else platform.",
        HelpName = "platform|oss",
        Recursive = true,
    };

    public Option<string?> Mirror { get; } = new("--mirror")
    {
        Description = "The canonical store a mem0: store mirrors every change to: 'embedded', a SQLite file path or a PostgreSQL connection string "
            + $"(default: ${StoreOpener.Mem0MirrorVariable}, else $SKMEMORY_HOME/{StoreOpener.DefaultMirrorFileName}). Mem0 stores only.",
        HelpName = "embedded|path.db|connection-string",
        Recursive = true,
    };

    public Option<string?> Tenant { get; } = new("--tenant")
    {
        Description = $"The tenant (default: ${TenantVariable}, or '{DefaultTenant}'). For export and verify, omit it to cover every tenant.",
        HelpName = "tenant",
        Recursive = true,
    };

    public Option<string?> Embedder { get; } = new("--embedder")
    {
        Description = "How memories and queries are embedded: 'minilm' (the offline all-MiniLM-L6-v2 model, fetched once), 'none' "
            + $"(full-text search only), 'openai:<model>[@<base-url>]' (${EmbedderSpec.OpenAIKeyVariable}; any OpenAI-compatible server, "
            + $"or ${EmbedderSpec.OpenAIBaseUrlVariable}) or 'ollama:<model>[@<host>]' (${EmbedderSpec.OllamaHostVariable}, default localhost:11434). "
            + $"Default: ${StoreOpener.EmbedderVariable}, else the model the store serves (see 'skmem model list'), else minilm.",
        HelpName = "minilm|none|openai:model[@url]|ollama:model[@host]",
        Recursive = true,
    };

    public Option<string?> As { get; } = new("--as")
    {
        Description = "Run as this identity under the access policy (kind:id, e.g. user:ana or agent:planner), with the --role, --team and "
            + "--acting-for given. Default: you, as the store owner (every tenant, every role); every read and denial is audited either way.",
        HelpName = "kind:id",
        Recursive = true,
    };

    public Option<string[]> Roles { get; } = new("--role")
    {
        Description = $"A role of the --as identity (repeatable): {MemoryRoles.Admin}, {MemoryRoles.ReadAll}, {MemoryRoles.TeamWriter}, "
            + $"{MemoryRoles.PublicWriter}, {MemoryRoles.VaultReveal}, {MemoryRoles.Auditor}, {MemoryRoles.Operator}.",
        HelpName = "role",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Teams { get; } = new("--team")
    {
        Description = "A team the --as identity belongs to (repeatable).",
        HelpName = "team",
        Recursive = true,
    };

    public Option<string[]> ActingFor { get; } = new("--acting-for")
    {
        Description = "A subject the --as identity acts for (repeatable), as an agent acting for its user.",
        HelpName = "subject",
        Recursive = true,
    };

    public Option<string?> Task { get; } = new("--task")
    {
        Description = "The task this command serves, recorded with every read in the audit log.",
        HelpName = "text",
        Recursive = true,
    };

    public Option<string?> RedactionPolicy { get; } = new("--redaction-policy")
    {
        Description = $"The redaction policy file (default: ${RedactionPolicyVariable}, else the built-in policy: secrets redacted, personal data tokenized). "
            + $"Tokens are sealed with the key in ${VaultKeyVariable} (base64, 32 bytes) when set. See docs/redaction.md.",
        HelpName = "file.json",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print machine-readable JSON instead of text.",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Store);
        root.Options.Add(Schema);
        root.Options.Add(Mem0Flavor);
        root.Options.Add(Mirror);
        root.Options.Add(Tenant);
        root.Options.Add(Embedder);
        root.Options.Add(As);
        root.Options.Add(Roles);
        root.Options.Add(Teams);
        root.Options.Add(ActingFor);
        root.Options.Add(Task);
        root.Options.Add(RedactionPolicy);
        root.Options.Add(Json);
    }
}
