using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using SkMemory.Mem0;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem migrate --from &lt;store&gt; --to &lt;store&gt; [--tenant t] [--from-mirror X] [--to-mirror Y]</c>: moves every
/// memory, with its ids, provenance and whole history, between any two stores (embedded, path, Postgres, mem0:url) through
/// <see cref="MemoryMigrator"/>; resumable, so running it again after a failure finishes the job.
/// </summary>
internal static class MigrateCommand
{
    /// <summary>How often (in items) a stage's running count is printed.</summary>
    private const long ProgressInterval = 1000;

    public static Command Create(CommandRunner runner)
    {
        const string StoreForms = "'embedded', a SQLite file path, a PostgreSQL connection string, or mem0:<base-url>";
        var from = new Option<string>("--from") { Description = $"The store to migrate from: {StoreForms}.", Required = true, HelpName = "store" };
        var to = new Option<string>("--to") { Description = $"The store to migrate into (created when missing): {StoreForms}.", Required = true, HelpName = "store" };
        var fromMirror = new Option<string?>("--from-mirror") { Description = "The mirror of a mem0: --from store (default: --mirror, $SKMEMORY_MEM0_MIRROR, or the default file).", HelpName = "embedded|path.db|connection-string" };
        var toMirror = new Option<string?>("--to-mirror") { Description = "The mirror of a mem0: --to store (default: --mirror, $SKMEMORY_MEM0_MIRROR, or the default file).", HelpName = "embedded|path.db|connection-string" };
        var fromSchema = new Option<string?>("--from-schema") { Description = "The PostgreSQL schema of the --from store or its mirror (default: --schema, else skmemory).", HelpName = "name" };
        var toSchema = new Option<string?>("--to-schema") { Description = "The PostgreSQL schema of the --to store or its mirror (default: --schema, else skmemory).", HelpName = "name" };
        var command = new Command(
            "migrate",
            "Move memories between any two stores (embedded, a SQLite file, PostgreSQL, or Mem0 with its mirror) through the canonical "
            + "export: ids, provenance, timestamps and the whole event history travel as they are, tenant by tenant (only --tenant's "
            + "when given). A Mem0 source first adopts into its mirror what exists only in Mem0; a Mem0 target gets every memory pushed. "
            + "Resumable: running the same command again skips the tenants already imported and finishes any push. Needs the "
            + MemoryRoles.Operator + " role.")
        {
            from, to, fromMirror, toMirror, fromSchema, toSchema,
        };

        runner.SetAction(command, async (context, parseResult) =>
        {
            if (context.StoreSpec is not null)
            {
                throw CliException.Invalid("store", "migrate names its stores with --from and --to, not --store", "drop --store; pass the source with --from and the destination with --to");
            }

            // The migration reads and writes below the access policy (the canonical export carries every status, and every
            // tenant), so it is an operator's action, checked here in place of the policy.
            var caller = context.Caller;
            if (!caller.HasRole(MemoryRoles.Operator))
            {
                throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot migrate: it needs the {MemoryRoles.Operator} role", $"run as an operator (--role {MemoryRoles.Operator}), or drop --as to act as the store owner");
            }

            if (!caller.MayEnter(context.ExplicitTenant))
            {
                throw new CliException(
                    ExitCodes.Denied,
                    context.ExplicitTenant is null ? $"{caller.Actor} cannot migrate every tenant: only the store owner may" : $"{caller.Actor} cannot migrate tenant '{context.ExplicitTenant}'",
                    "pass --tenant with the caller's own tenant, or drop --as to act as the store owner");
            }

            var source = ResolveSide(context, parseResult.GetValue(from)!, parseResult.GetValue(fromSchema), parseResult.GetValue(fromMirror), "from");
            var target = ResolveSide(context, parseResult.GetValue(to)!, parseResult.GetValue(toSchema), parseResult.GetValue(toMirror), "to");
            CheckDistinct(source, target);

            // Errors while opening or using a side are reported against that side.
            context.Target = source;
            using var sourceStore = await StoreOpener.OpenAsync(source, StoreAccess.Read, context.CancellationToken).ConfigureAwait(false);
            context.Target = target;
            using var targetStore = await StoreOpener.OpenAsync(target, StoreAccess.Write, context.CancellationToken).ConfigureAwait(false);
            context.Target = source.Kind == StoreKind.Mem0 && target.Kind != StoreKind.Mem0 ? source : target;

            context.Error.WriteLine($"migrate: from {source.Display} to {target.Display}{(context.ExplicitTenant is { } t ? $", tenant {t}" : string.Empty)}");
            var elapsed = Stopwatch.StartNew();
            var result = await new MemoryMigrator().MigrateAsync(
                sourceStore,
                targetStore,
                new MemoryMigrationOptions { Tenant = context.ExplicitTenant, Progress = new MigrationProgress(context.Error) },
                context.CancellationToken).ConfigureAwait(false);
            context.Error.WriteLine($"migrate: {HumanFormat.Count(result.Tenants.Count, "tenant")} migrated ({HumanFormat.Count(result.Resumed.Count, "resumed", "resumed")}) in "
                + elapsed.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s");
            Print(context, source, target, result, elapsed.Elapsed);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Resolves one side; --schema applies to whichever side is (or mirrors to) PostgreSQL, unless that side names its own.</summary>
    private static StoreTarget ResolveSide(CliContext context, string spec, string? sideSchema, string? sideMirror, string side)
    {
        var mirror = sideMirror ?? context.Mirror;
        var mirrorField = sideMirror is null && context.Mirror is not null ? "mirror" : $"{side}_mirror";
        try
        {
            var plain = StoreOpener.Resolve(spec, schema: null, mirror, context.Mem0Flavor, mirrorField);
            var postgres = plain.Kind == StoreKind.Postgres || plain.Mirror?.Kind == StoreKind.Postgres;
            var schema = sideSchema ?? (postgres ? context.Schema : null);
            if (schema is null)
            {
                return plain;
            }

            if (!postgres)
            {
                throw CliException.Invalid($"{side}_schema", $"applies only to a PostgreSQL store or mirror, and --{side} is {plain.Display}", $"drop --{side}-schema");
            }

            return StoreOpener.Resolve(spec, schema, mirror, context.Mem0Flavor, mirrorField);
        }
        catch (CliException ex) when (ex.Field is "store" or "schema")
        {
            var field = ex.Field == "store" ? side : $"{side}_schema";
            var problem = ex.Message.StartsWith(ex.Field + ": ", StringComparison.Ordinal) ? ex.Message[(ex.Field.Length + 2)..] : ex.Message;
            throw new CliException(ex.ExitCode, $"{field}: {problem}", ex.Hint.Replace("--store", $"--{side}", StringComparison.Ordinal).Replace("--schema", $"--{side}-schema", StringComparison.Ordinal), field, ex);
        }
    }

    /// <summary>Refuses a migration whose two sides (or a side and the other's mirror) are the same store: it would read what it writes.</summary>
    private static void CheckDistinct(StoreTarget source, StoreTarget target)
    {
        StoreTarget?[] sources = [source, source.Mirror];
        StoreTarget?[] targets = [target, target.Mirror];
        foreach (var a in sources.OfType<StoreTarget>())
        {
            foreach (var b in targets.OfType<StoreTarget>())
            {
                if (SameStore(a, b))
                {
                    var what = ReferenceEquals(a, source) && ReferenceEquals(b, target) ? $"--from and --to are the same store ({a.Display})" : $"{a.Display} is on both sides of the migration";
                    throw CliException.Invalid("to", what, "migrate into another store: a new SQLite file, another PostgreSQL schema (--to-schema) or database, or Mem0 with its own --to-mirror");
                }
            }
        }
    }

    private static bool SameStore(StoreTarget a, StoreTarget b)
    {
        if (a.Kind != b.Kind)
        {
            return false;
        }

        switch (a.Kind)
        {
            case StoreKind.Sqlite:
                return string.Equals(a.Location, b.Location, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            case StoreKind.Mem0:
                return string.Equals(a.Location.TrimEnd('/'), b.Location.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
            default:
                var x = new NpgsqlConnectionStringBuilder(a.Location);
                var y = new NpgsqlConnectionStringBuilder(b.Location);
                return string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase)
                    && x.Port == y.Port
                    && string.Equals(x.Database ?? x.Username, y.Database ?? y.Username, StringComparison.Ordinal)
                    && string.Equals(a.Schema, b.Schema, StringComparison.Ordinal);
        }
    }

    private static void Print(CliContext context, StoreTarget source, StoreTarget target, MemoryMigrationResult result, TimeSpan elapsed)
    {
        if (context.Json)
        {
            JsonOutput.Write(context.Out, w =>
            {
                w.WriteString("from", source.Display);
                w.WriteString("to", target.Display);
                WriteList(w, "tenants", result.Tenants);
                WriteList(w, "resumed", result.Resumed);
                w.WriteNumber("events", result.Events);
                w.WriteNumber("memories", result.Memories);
                w.WriteNumber("adopted_from_mem0", result.AdoptedFromMem0);
                w.WriteNumber("pushed_to_mem0", result.PushedToMem0);
                w.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
            });
            return;
        }

        if (result.Tenants.Count == 0)
        {
            context.Out.WriteLine($"nothing to migrate: {source.Display} holds no tenant{(context.ExplicitTenant is { } t ? $" '{t}'" : string.Empty)}");
            return;
        }

        context.Out.WriteLine($"migrated {source.Display} to {target.Display}");
        var table = new TextTable(("", 20, false), ("", 60, false));
        table.Add("tenants", string.Join(", ", result.Tenants));
        table.Add("resumed", result.Resumed.Count == 0 ? "none" : string.Join(", ", result.Resumed));
        table.Add("events imported", HumanFormat.Count(result.Events));
        table.Add("memories", HumanFormat.Count(result.Memories));
        table.Add("adopted from Mem0", HumanFormat.Count(result.AdoptedFromMem0));
        table.Add("pushed to Mem0", HumanFormat.Count(result.PushedToMem0));
        table.Write(context.Out, header: false);
    }

    private static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// Prints a line when a stage of a tenant starts, and a running count every <see cref="ProgressInterval"/> items. The
    /// migrator reports each stage's start directly and its running counts through <see cref="Progress{T}"/>, which may
    /// arrive later; a count for a stage that already started never prints its start line again.
    /// </summary>
    private sealed class MigrationProgress(TextWriter error) : IProgress<MemoryMigrationProgress>
    {
        private readonly Lock _gate = new();
        private readonly HashSet<(string Stage, string Tenant)> _started = [];
        private readonly Dictionary<(string Stage, string Tenant), long> _nextLine = [];

        public void Report(MemoryMigrationProgress value)
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate)
            {
                var key = (value.Stage, value.Tenant);
                if (!_started.Contains(key))
                {
                    var line = StartLine(value);
                    _started.Add(key);
                    _nextLine[key] = ProgressInterval;
                    if (line is not null)
                    {
                        error.WriteLine(line);
                    }

                    return;
                }

                if (value.Done >= _nextLine[key])
                {
                    while (_nextLine[key] <= value.Done)
                    {
                        _nextLine[key] += ProgressInterval;
                    }

                    error.WriteLine($"{value.Stage} tenant {value.Tenant}: {HumanFormat.Count(value.Done)}{(value.Total is { } total ? "/" + HumanFormat.Count(total) : string.Empty)}");
                }
            }
        }

        private string? StartLine(MemoryMigrationProgress value)
        {
            var events = HumanFormat.Count(value.Total ?? 0, "event");
            switch (value.Stage)
            {
                case "pull":
                    return "pull: adopting what exists only in Mem0 into the source's mirror";
                case "export":
                    return null;
                case "import":
                    // The import's total is what the export wrote.
                    return $"export tenant {value.Tenant}: {events}{Environment.NewLine}import tenant {value.Tenant}: {events}";
                case "push":
                    return $"{Resumed(value.Tenant)}push tenant {value.Tenant}: {HumanFormat.Count(value.Total ?? 0, "memory", "memories")} to Mem0";
                case "verify":
                    return $"{Resumed(value.Tenant)}verify tenant {value.Tenant}: {events}";
                default:
                    return $"{value.Stage} tenant {value.Tenant}";
            }
        }

        /// <summary>A tenant that reaches push or verify without an import was imported by an earlier run.</summary>
        private string Resumed(string tenant) =>
            _started.Contains(("import", tenant)) || _started.Contains(("push", tenant)) || _started.Contains(("verify", tenant))
                ? string.Empty
                : $"tenant {tenant}: already imported by an earlier run; finishing it{Environment.NewLine}";
    }
}
