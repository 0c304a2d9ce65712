namespace SkMemory.Cli;

/// <summary>Everything a command needs besides the store: the writers, the output mode, the tenant and the store target.</summary>
internal sealed class CliContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Gets a value indicating whether stdout is an interactive terminal.</summary>
    public required bool OutIsTerminal { get; init; }

    /// <summary>Gets a value indicating whether stderr is an interactive terminal (progress is then rewritten in place).</summary>
    public required bool ErrorIsTerminal { get; init; }

    public required bool Json { get; init; }

    /// <summary>Gets the command's name, for hints.</summary>
    public required string CommandName { get; init; }

    /// <summary>Gets the tenant given with --tenant, or null.</summary>
    public required string? ExplicitTenant { get; init; }

    /// <summary>Gets the tenant to use: --tenant, $SKMEMORY_TENANT, or "default".</summary>
    public string Tenant =>
        ExplicitTenant
        ?? (Environment.GetEnvironmentVariable(GlobalOptions.TenantVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : GlobalOptions.DefaultTenant);

    /// <summary>Gets the --as identity with its --role, --team and --acting-for (null to run as the store owner); read when used, so a bad value is reported like any error.</summary>
    public Func<MemoryCaller?> ExplicitCaller { get; init; } = () => null;

    /// <summary>Gets the --task text, recorded with every read.</summary>
    public string? Task { get; init; }

    /// <summary>
    /// Gets who the command runs as: the --as identity in <see cref="Tenant"/>, or else the person at the prompt
    /// (<c>user:$USER</c>) as the store owner, who holds the database and so may act in every tenant.
    /// </summary>
    public MemoryCaller Caller =>
        (ExplicitCaller() ?? new MemoryCaller
        {
            Tenant = Tenant,
            Actor = ValueParsers.DefaultActor(),
            Roles = [MemoryRoles.StoreOwner, MemoryRoles.Admin],
        }) with { Tenant = Tenant, Task = Task };

    /// <summary>Gets the --redaction-policy file, or $SKMEMORY_REDACTION_POLICY, or null for the built-in policy.</summary>
    public string? RedactionPolicyPath { get; init; }

    /// <summary>Gets the raw --store value.</summary>
    public required string? StoreSpec { get; init; }

    /// <summary>Gets the --embedder choice, if given.</summary>
    public string? Embedder { get; init; }

    /// <summary>Gets the raw --schema value.</summary>
    public required string? Schema { get; init; }

    /// <summary>Gets the raw --mirror value (a Mem0 store's canonical mirror).</summary>
    public string? Mirror { get; init; }

    /// <summary>Gets the raw --mem0-flavor value.</summary>
    public string? Mem0Flavor { get; init; }

    /// <summary>Gets the resolved store, once the command resolved it.</summary>
    public StoreTarget? Target { get; set; }

    public required CancellationToken CancellationToken { get; init; }

    /// <summary>Resolves --store with --schema, --mirror and --mem0-flavor.</summary>
    /// <returns>The target.</returns>
    /// <exception cref="CliException">A value is invalid (exit code 2).</exception>
    public StoreTarget ResolveStore() => StoreOpener.Resolve(StoreSpec, Schema, Mirror, Mem0Flavor);

    /// <summary>Opens stdout as a byte stream: the process's own stdout when <see cref="Out"/> is the console, else a UTF-8 adapter over <see cref="Out"/>.</summary>
    /// <returns>The stream; disposing it flushes it and leaves stdout open.</returns>
    public Stream OpenOutputStream()
    {
        if (ReferenceEquals(Out, Console.Out))
        {
            Out.Flush();
            return new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        }

        return new TextWriterStream(Out);
    }
}
