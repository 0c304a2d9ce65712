using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.AI;
using SkMemory.Governance;

namespace SkMemory.Cli;

/// <summary>What a command does with the open store; returns the exit code.</summary>
/// <param name="store">The store.</param>
/// <returns>The exit code.</returns>
internal delegate Task<int> StoreOperation(IMemoryStore store);

/// <summary>What a command does with the canonical store, ungoverned (it applies access control itself, per caller); returns the exit code.</summary>
/// <param name="store">The canonical store: no access control, no redaction.</param>
/// <param name="redaction">The redaction the command must apply to what it writes and searches (--redaction-policy and the vault key).</param>
/// <returns>The exit code.</returns>
internal delegate Task<int> CanonicalStoreOperation(IMemoryStore store, SkMemory.Redaction.MemoryRedactionOptions redaction);

/// <summary>What a command needs of the embedding model.</summary>
internal enum EmbedderUse
{
    /// <summary>Nothing: the store is opened without one (list, show, export, ...).</summary>
    None,

    /// <summary>The model is loaded: the command embeds text (remember, recall).</summary>
    Load,
}

/// <summary>
/// Runs commands the same way: read the global options, let the command check its own arguments, open the store named by
/// --store, run, and map any error to its message, hint and exit code. Commands hold none of that logic.
/// </summary>
internal sealed class CommandRunner
{
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _outIsTerminal;
    private readonly bool _errorIsTerminal;

    public CommandRunner(GlobalOptions globals, TextWriter output, TextWriter error, bool outIsTerminal, bool errorIsTerminal)
    {
        Globals = globals;
        _output = output;
        _error = error;
        _outIsTerminal = outIsTerminal;
        _errorIsTerminal = errorIsTerminal;
    }

    public GlobalOptions Globals { get; }

    /// <summary>Creates the context of one invocation from its parse result.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <param name="cancellationToken">The invocation's cancellation token.</param>
    /// <returns>The context.</returns>
    public CliContext CreateContext(ParseResult parseResult, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var mirror = TryGet(() => parseResult.GetValue(Globals.Mirror));
        var mem0Flavor = TryGet(() => parseResult.GetValue(Globals.Mem0Flavor));

        // Commands that resolve --store on their own (to find the signing key) then see these too.
        StoreOpener.UseMem0Choices(mirror, mem0Flavor);
        return new CliContext
        {
            Out = _output,
            Error = _error,
            OutIsTerminal = _outIsTerminal,
            ErrorIsTerminal = _errorIsTerminal,
            Json = TryGet(() => parseResult.GetValue(Globals.Json)),
            CommandName = CommandPath(parseResult.CommandResult),
            ExplicitTenant = TryGet(() => parseResult.GetValue(Globals.Tenant)),
            StoreSpec = TryGet(() => parseResult.GetValue(Globals.Store)),
            Schema = TryGet(() => parseResult.GetValue(Globals.Schema)),
            Mirror = mirror,
            Mem0Flavor = mem0Flavor,
            Embedder = TryGet(() => parseResult.GetValue(Globals.Embedder)),
            ExplicitCaller = () => ExplicitCaller(parseResult),
            Task = TryGet(() => parseResult.GetValue(Globals.Task)),
            RedactionPolicyPath = TryGet(() => parseResult.GetValue(Globals.RedactionPolicy))
                ?? (Environment.GetEnvironmentVariable(GlobalOptions.RedactionPolicyVariable) is { Length: > 0 } policy ? policy : null),
            CancellationToken = cancellationToken,
        };
    }

    /// <summary>Sets a command's action: <paramref name="prepare"/> checks the arguments (before the store is opened) and returns what to do with the store.</summary>
    /// <param name="command">The command.</param>
    /// <param name="access">Whether the command needs an existing store.</param>
    /// <param name="prepare">Reads and checks the arguments; returns the operation on the store.</param>
    /// <param name="embeds">Whether the command embeds text (writes or searches); only then is the embedding model loaded.</param>
    public void SetStoreAction(Command command, StoreAccess access, Func<CliContext, ParseResult, StoreOperation> prepare, bool embeds = false) =>
        SetStoreAction(command, access, prepare, embeds ? EmbedderUse.Load : EmbedderUse.None);

    /// <summary>Sets a command's action: <paramref name="prepare"/> checks the arguments (before the store is opened) and returns what to do with the store.</summary>
    /// <param name="command">The command.</param>
    /// <param name="access">Whether the command needs an existing store.</param>
    /// <param name="prepare">Reads and checks the arguments; returns the operation on the store.</param>
    /// <param name="embedder">What the command needs of the embedding model.</param>
    public void SetStoreAction(Command command, StoreAccess access, Func<CliContext, ParseResult, StoreOperation> prepare, EmbedderUse embedder)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        SetStoreAction(command, access, embedder, governed: true, (context, parseResult) =>
        {
            var operation = prepare(context, parseResult);
            return (store, _) => operation(store);
        });
    }

    /// <summary>
    /// Sets the action of a command that serves several callers (the MCP servers, API key management): the store is opened
    /// like every command's, but handed over without the access policy or redaction, which the command applies per caller.
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="access">Whether the command needs an existing store.</param>
    /// <param name="prepare">Reads and checks the arguments; returns the operation on the canonical store.</param>
    /// <param name="embedder">What the command needs of the embedding model.</param>
    public void SetCanonicalStoreAction(Command command, StoreAccess access, Func<CliContext, ParseResult, CanonicalStoreOperation> prepare, EmbedderUse embedder) =>
        SetStoreAction(command, access, embedder, governed: false, prepare);

    private void SetStoreAction(Command command, StoreAccess access, EmbedderUse embedder, bool governed, Func<CliContext, ParseResult, CanonicalStoreOperation> prepare)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(prepare);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = CreateContext(parseResult, cancellationToken);
            try
            {
                var operation = prepare(context, parseResult);
                var caller = governed ? context.Caller : null;
                var redaction = await RedactionSettings.LoadAsync(context, cancellationToken).ConfigureAwait(false);
                context.Target = context.ResolveStore();
                // An embedder named on the command line (or in the environment) is loaded before the store is opened, so a
                // bad one creates nothing; otherwise the store is opened first and the model it records as serving decides.
                // A Mem0 store's mirror gets the model like any store: text and vector recall run on the mirror's index.
                var named = embedder == EmbedderUse.Load ? StoreOpener.NamedEmbedder(context.Embedder) : null;
                var generator = named is null ? null : await StoreOpener.EmbedderAsync(named, context.Error, cancellationToken).ConfigureAwait(false);
                using var ownedNamed = named is { IsRemote: true } ? generator : null;
                using var store = await StoreOpener.OpenAsync(context.Target, access, cancellationToken, generator, named?.StoredModel).ConfigureAwait(false);
                using var ownedServing = embedder == EmbedderUse.Load && named is null
                    ? await StoreOpener.ServeRecordedModelAsync(store, context.Error, cancellationToken).ConfigureAwait(false)
                    : null;
                // Every command goes through the access policy and the read audit, the store owner included, then redaction, so
                // nothing a command writes or searches reaches the store or its embedder unredacted.
                if (caller is null)
                {
                    return await operation(store, redaction).ConfigureAwait(false);
                }

                var governedStore = new MemoryStoreBuilder(store)
                    .UseAccessControl(MemoryCallerAccessor.Fixed(caller))
                    .UseRedaction(redaction)
                    .Build();
                return await operation(governedStore, redaction).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every error of a command is reported the same way, by ErrorReporter.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return ErrorReporter.Report(ex, context);
            }
        });
    }

    /// <summary>Sets the action of a command that needs no store, reporting errors like every other command.</summary>
    /// <param name="command">The command.</param>
    /// <param name="run">The work; returns the exit code.</param>
    public void SetAction(Command command, Func<CliContext, ParseResult, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(run);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = CreateContext(parseResult, cancellationToken);
            try
            {
                return await run(context, parseResult).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every error of a command is reported the same way, by ErrorReporter.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return ErrorReporter.Report(ex, context);
            }
        });
    }

    private MemoryCaller? ExplicitCaller(ParseResult parseResult)
    {
        var roles = parseResult.GetValue(Globals.Roles) ?? [];
        var teams = parseResult.GetValue(Globals.Teams) ?? [];
        var actingFor = parseResult.GetValue(Globals.ActingFor) ?? [];
        if (parseResult.GetValue(Globals.As) is not { } identity)
        {
            return roles.Length + teams.Length + actingFor.Length == 0
                ? null
                : throw CliException.Invalid("as", "--role, --team and --acting-for describe an --as identity, and none was given", "add --as kind:id (e.g. --as user:ana), or drop them to run as the store owner");
        }

        return new MemoryCaller
        {
            Tenant = GlobalOptions.DefaultTenant,
            Actor = ValueParsers.Actor(identity),
            Roles = roles,
            Teams = teams,
            ActingFor = actingFor,
        };
    }

    /// <summary>The command's name with its parents', without the root: <c>ingest status</c>, <c>model list</c>.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is CommandResult { Command: not RootCommand } command; current = command.Parent)
        {
            names.Add(command.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static T? TryGet<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            // The value did not parse; the parse error is reported separately.
            return default;
        }
    }
}
