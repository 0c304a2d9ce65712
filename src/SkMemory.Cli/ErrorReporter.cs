using System.Globalization;
using System.Text.Json;
using SkMemory.Mem0;

namespace SkMemory.Cli;

/// <summary>
/// The one place that turns an exception into what the user sees (<c>error:</c> and <c>hint:</c> lines, never a stack
/// trace) and into the process exit code.
/// </summary>
internal static class ErrorReporter
{
    /// <summary>Set to 1 to print the full exception after the error line (for bug reports).</summary>
    public const string DebugVariable = "SKMEMORY_DEBUG";

    // Contract field (snake_case) → the command-line option or argument that sets it.
    private static readonly (string Field, string Option)[] FieldOptions =
    [
        ("value.text", "the <text> argument"),
        ("value", "the <text> argument"),
        ("text", "the <query> argument"),
        ("subject", "--subject"),
        ("types", "--type"),
        ("type", "--type"),
        ("scope.agent", "--agent"),
        ("scope.session", "--session"),
        ("scope", "--scope"),
        ("agent", "--agent"),
        ("session", "--session"),
        ("team", "--scope team:<name>"),
        ("confidence", "--confidence"),
        ("salience", "--salience"),
        ("ttl", "--ttl"),
        ("valid_from", "--valid-from"),
        ("metadata", "--meta"),
        ("idempotency_key", "--idempotency-key"),
        ("reason", "--reason"),
        ("expected_version", "--expected-version"),
        ("actor", "--actor"),
        ("tenant", "--tenant"),
        ("top", "--top"),
        ("page_size", "--page-size"),
        ("cursor", "--cursor"),
        ("statuses", "--status"),
        ("status", "--status"),
        ("mode", "--mode"),
        ("id", "the <id> argument"),
        ("store", "--store"),
        ("schema", "--schema"),
        ("output", "--output"),
        ("file", "the <file> argument"),
        ("job_id", "the <job-id> argument"),
        ("chat_model", "--chat-model"),
        ("min_confidence", "--min-confidence"),
    ];

    /// <summary>Reports an error and returns the exit code.</summary>
    /// <param name="ex">The error.</param>
    /// <param name="context">The command's context.</param>
    /// <param name="result">
    /// For an error about a result the command computed (verify's broken chain): writes that result's properties, which
    /// --json prints in the same document as the <c>error</c> object, so stdout stays one JSON document.
    /// </param>
    /// <returns>The exit code.</returns>
    public static int Report(Exception ex, CliContext context, Action<Utf8JsonWriter>? result = null)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(context);
        var error = Describe(ex, context);
        Write(context, error, result: result);
        if (Environment.GetEnvironmentVariable(DebugVariable) is "1" or "true")
        {
            context.Error.WriteLine(ex.ToString());
        }

        return error.ExitCode;
    }

    /// <summary>Reports a command-line parse error (exit code 2).</summary>
    /// <param name="messages">The parser's messages.</param>
    /// <param name="context">The context.</param>
    /// <returns>The exit code.</returns>
    public static int ReportUsage(IReadOnlyList<string> messages, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(context);
        var command = context.CommandName.Length == 0 ? "skmem" : $"skmem {context.CommandName}";
        var problems = messages.Select(m => m.TrimEnd('.')).ToList();
        var error = new CliError(ExitCodes.Usage, "usage", string.Join("; ", problems), $"run '{command} --help' to see the arguments and options", null, null);
        Write(context, error, problems);
        return error.ExitCode;
    }

    /// <summary>Maps an exception to its exit code, message and hint.</summary>
    /// <param name="ex">The exception.</param>
    /// <param name="context">The context.</param>
    /// <returns>The error.</returns>
    public static CliError Describe(Exception ex, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(context);
        var command = $"skmem {context.CommandName}";
        switch (ex)
        {
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new CliError(ExitCodes.Cancelled, "cancelled", "cancelled; nothing was changed by the interrupted operation", "run the command again to finish it", null, null);
            case CliException cli:
                return new CliError(cli.ExitCode, CodeName(cli.ExitCode), cli.Message, cli.Hint, cli.Field, null);
            case Mem0SyncException sync:
                // Nothing is lost: the mirror took the change; only the copy in Mem0 is missing.
                return new CliError(
                    ExitCodes.StoreUnavailable,
                    "mem0_sync_pending",
                    sync.Message,
                    "nothing is lost; run 'skmem reconcile' (same --store and --mirror) once Mem0 is reachable to push it",
                    null,
                    null);
            case Mem0ApiException { Code: MemoryErrorCode.AccessDenied } rejected:
                return new CliError(
                    ExitCodes.StoreUnavailable,
                    "mem0_auth",
                    rejected.StatusCode == System.Net.HttpStatusCode.Unauthorized || rejected.Message.StartsWith("Mem0 rejected the API key", StringComparison.Ordinal)
                        ? rejected.Message
                        : $"Mem0 rejected the API key for this call: {rejected.Message}",
                    $"set {StoreOpener.Mem0ApiKeyVariable} to a valid key for {Mem0Where(context)} (the Platform's API key, or a self-hosted server's admin or user key), and check --mem0-flavor",
                    null,
                    null);
            case Mem0ApiException { Code: MemoryErrorCode.Unavailable } down:
                return new CliError(
                    ExitCodes.StoreUnavailable,
                    "mem0_unavailable",
                    down.Message,
                    $"check that Mem0 at {Mem0Where(context)} is up and reachable, then retry; changes already in the mirror are pushed by 'skmem reconcile'",
                    null,
                    null);
            case MemoryException { Code: MemoryErrorCode.Unavailable } pending when context.Target is { Kind: StoreKind.Mem0 }:
                return new CliError(
                    ExitCodes.StoreUnavailable,
                    "mem0_unavailable",
                    pending.Message,
                    "what the canonical log holds is safe; run 'skmem reconcile' (or the same command again) once Mem0 is reachable",
                    null,
                    null);
            case MemoryException { Code: MemoryErrorCode.NotSupported } mem0Search
                when context.Target is { Kind: StoreKind.Mem0, Flavor: Mem0ApiFlavor.OpenSource } && mem0Search.Message.Contains("subject", StringComparison.Ordinal):
                return new CliError(
                    ExitCodes.Usage,
                    "not_supported",
                    mem0Search.Message,
                    "a self-hosted Mem0 server searches only within a subject, agent or session: pass --subject (or --agent / --session)",
                    null,
                    null);
            case MemoryValidationException validation:
                return new CliError(ExitCodes.Usage, "validation", validation.Message, $"fix {OptionFor(validation.Field)} and run the command again (see '{command} --help')", validation.Field, null);
            case MemoryImportException import:
                return new CliError(
                    ExitCodes.ImportRejected,
                    import.Code == MemoryErrorCode.ImportConflict ? "import_conflict" : "import_invalid",
                    import.Message,
                    import.Code == MemoryErrorCode.ImportConflict
                        ? "the store already holds events this file conflicts with; import into an empty store (--store <new.db>) or export the tenant again"
                        : $"the file is damaged or was edited at line {import.Line.ToString(CultureInfo.InvariantCulture)}; export it again from the source store ('skmem export'), then import the new file",
                    import.Field,
                    import.Line);
            case MemoryNotFoundException notFound:
                return new CliError(
                    ExitCodes.NotFound,
                    "not_found",
                    notFound.Message,
                    $"check the id and tenant; 'skmem list --status all --tenant {notFound.Tenant}' lists every memory",
                    "id",
                    null);
            case MemoryConcurrencyException concurrency:
                return new CliError(
                    ExitCodes.Conflict,
                    "version_conflict",
                    concurrency.Message,
                    $"run 'skmem show {concurrency.Id}' to see the current version, then retry with --expected-version {concurrency.ActualVersion.ToString(CultureInfo.InvariantCulture)}",
                    "expected_version",
                    null);
            case MemoryConflictException conflict:
                return new CliError(
                    ExitCodes.Conflict,
                    MemoryCodeName(conflict.Code),
                    conflict.Message,
                    conflict.Code switch
                    {
                        MemoryErrorCode.IdempotencyKeyReused => "use a new --idempotency-key for new content, or repeat the original content to get the original memory back",
                        MemoryErrorCode.DuplicateContent => $"memory {conflict.ExistingId} already holds this content; see it with 'skmem show {conflict.ExistingId}'",
                        _ => conflict.ExistingId is { } id ? $"run 'skmem show {id}' to see its status" : "run 'skmem show <id>' to see its status",
                    },
                    conflict.Code == MemoryErrorCode.IdempotencyKeyReused ? "idempotency_key" : null,
                    null);
            case MemoryException { Code: MemoryErrorCode.NotSupported } notSupported:
                // The engine raises NotSupported for one operation: vector search on a store opened without an embedding
                // model. The exception names no field, so the hint follows its code and names the ways around it.
                return new CliError(
                    ExitCodes.Usage,
                    "not_supported",
                    notSupported.Message,
                    "use --mode text or --mode hybrid, or choose an embedding model with --embedder (see 'skmem model list')",
                    null,
                    null);
            case MemoryAccessDeniedException denied:
                return new CliError(
                    ExitCodes.Denied,
                    MemoryCodeName(denied.Code),
                    denied.Message,
                    denied.Denial.Reason is MemoryAccessDenialReason.ConsentMissing or MemoryAccessDenialReason.ConsentRevoked
                        ? $"record the subject's consent with 'skmem consent grant --subject {denied.Denial.Subject}', or act on another subject"
                        : "run as an identity allowed to do this (--as, --role, --team, --acting-for), or drop --as to act as the store owner",
                    null,
                    null);
            case MemoryException memory:
                return new CliError(ExitCodeFor(memory.Code), MemoryCodeName(memory.Code), memory.Message, $"see '{command} --help'", null, null);
            case var _ when context.Target is { } target && StoreOpener.IsUnavailable(ex):
                var unavailable = StoreOpener.Unavailable(target, ex);
                return new CliError(unavailable.ExitCode, "store_unavailable", unavailable.Message, unavailable.Hint, null, null);
            default:
                return new CliError(
                    ExitCodes.Unexpected,
                    "unexpected",
                    $"unexpected {ex.GetType().Name}: {ex.Message}",
                    $"this looks like a bug in skmem or a problem with the environment; set {DebugVariable}=1 to print the details, and report them",
                    null,
                    null);
        }
    }

    private static string Mem0Where(CliContext context) =>
        context.Target is { Kind: StoreKind.Mem0 } target ? target.Location : "the --store mem0:<url> address";

    /// <summary>Names the option that sets a contract field, for hints.</summary>
    /// <param name="field">The field (snake_case, possibly dotted).</param>
    /// <returns>The option or argument.</returns>
    public static string OptionFor(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return "the command line";
        }

        foreach (var (name, option) in FieldOptions)
        {
            if (field == name || field.StartsWith(name + ".", StringComparison.Ordinal))
            {
                return option;
            }
        }

        return "--" + field.Replace('_', '-').Replace('.', '-');
    }

    private static int ExitCodeFor(MemoryErrorCode code) =>
        code switch
        {
            MemoryErrorCode.Validation or MemoryErrorCode.NotSupported => ExitCodes.Usage,
            MemoryErrorCode.NotFound => ExitCodes.NotFound,
            MemoryErrorCode.VersionConflict or MemoryErrorCode.IdempotencyKeyReused or MemoryErrorCode.DuplicateContent or MemoryErrorCode.InvalidState => ExitCodes.Conflict,
            MemoryErrorCode.ImportInvalid or MemoryErrorCode.ImportConflict => ExitCodes.ImportRejected,
            MemoryErrorCode.Unavailable => ExitCodes.StoreUnavailable,
            MemoryErrorCode.AccessDenied or MemoryErrorCode.ConsentRequired or MemoryErrorCode.Blocked or MemoryErrorCode.LegalHold => ExitCodes.Denied,
            _ => ExitCodes.Unexpected,
        };

    private static string MemoryCodeName(MemoryErrorCode code) =>
        code switch
        {
            MemoryErrorCode.Validation => "validation",
            MemoryErrorCode.NotFound => "not_found",
            MemoryErrorCode.VersionConflict => "version_conflict",
            MemoryErrorCode.IdempotencyKeyReused => "idempotency_key_reused",
            MemoryErrorCode.DuplicateContent => "duplicate_content",
            MemoryErrorCode.InvalidState => "invalid_state",
            MemoryErrorCode.ImportInvalid => "import_invalid",
            MemoryErrorCode.ImportConflict => "import_conflict",
            MemoryErrorCode.NotSupported => "not_supported",
            MemoryErrorCode.Unavailable => "unavailable",
            MemoryErrorCode.AccessDenied => "access_denied",
            MemoryErrorCode.ConsentRequired => "consent_required",
            MemoryErrorCode.Blocked => "blocked",
            MemoryErrorCode.LegalHold => "legal_hold",
            _ => "error",
        };

    private static string CodeName(int exitCode) =>
        exitCode switch
        {
            ExitCodes.Usage => "usage",
            ExitCodes.NotFound => "not_found",
            ExitCodes.Conflict => "conflict",
            ExitCodes.VerifyFailed => "verify_failed",
            ExitCodes.ImportRejected => "import_invalid",
            ExitCodes.StoreUnavailable => "store_unavailable",
            ExitCodes.JobFailed => "job_failed",
            ExitCodes.Denied => "denied",
            ExitCodes.Cancelled => "cancelled",
            _ => "unexpected",
        };

    private static void Write(CliContext context, CliError error, IReadOnlyList<string>? lines = null, Action<Utf8JsonWriter>? result = null)
    {
        foreach (var line in lines ?? [error.Message])
        {
            context.Error.WriteLine($"error: {line}");
        }

        context.Error.WriteLine($"hint: {error.Hint}");
        if (context.Json)
        {
            JsonOutput.Write(context.Out, w =>
            {
                result?.Invoke(w);
                w.WriteStartObject("error");
                w.WriteString("code", error.Code);
                w.WriteNumber("exit_code", error.ExitCode);
                w.WriteString("message", error.Message);
                w.WriteString("hint", error.Hint);
                if (error.Field is not null)
                {
                    w.WriteString("field", error.Field);
                }

                if (error.Line is { } line)
                {
                    w.WriteNumber("line", line);
                }

                w.WriteEndObject();
            });
        }
    }
}

/// <summary>An error as the user sees it.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Code">A stable machine-readable name (snake_case).</param>
/// <param name="Message">What went wrong.</param>
/// <param name="Hint">What to do next.</param>
/// <param name="Field">The invalid field, when one is.</param>
/// <param name="Line">The line of the import file, when one is.</param>
internal sealed record CliError(int ExitCode, string Code, string Message, string Hint, string? Field, long? Line);
