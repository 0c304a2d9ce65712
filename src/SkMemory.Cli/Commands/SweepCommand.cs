using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SkMemory.Governance.Retention;
using SkMemory.Storage;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem sweep [--tenant t] [--policy file] [--dry-run] [--json]</c>: applies the retention policy (expire by rule, purge
/// after the delay, purge revoked consent after its grace, delete failed extractions' input), skipping legal holds;
/// progress on stderr, the report (a table, or JSON) on stdout.
/// </summary>
internal static class SweepCommand
{
    public static Command Create(CommandRunner runner)
    {
        var policy = new Option<string?>("--policy")
        {
            Description = "The retention policy file (JSON; see docs/retention.md). Default: the built-in policy (docs/retention.policy.json).",
            HelpName = "file",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what the sweep would expire and purge; change nothing." };
        var pageSize = new Option<int>("--page-size")
        {
            Description = $"How many memories one read returns, 1..{MemoryRetentionSweepOptions.MaxPageSize}.",
            DefaultValueFactory = _ => 500,
            HelpName = "n",
        };
        var command = new Command(
            "sweep",
            "Apply the retention policy: expire memories whose rule is due, purge the content of memories expired past their delay "
            + "(each purge returns a signed attestation), purge memories of subjects who revoked consent once the grace has passed, and "
            + "delete the raw input of failed extractions. Memories under a legal hold are skipped and counted. Idempotent: a second "
            + "sweep finds nothing to do. Without --tenant, every tenant is swept. Needs the " + MemoryRoles.Operator + " role.")
        {
            policy, dryRun, pageSize,
        };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            // The policy is read and checked before the store is opened: a bad file changes nothing.
            var loaded = LoadPolicy(parseResult.GetValue(policy));
            var size = parseResult.GetValue(pageSize);
            if (size is < 1 or > MemoryRetentionSweepOptions.MaxPageSize)
            {
                throw CliException.Invalid("page_size", $"must be between 1 and {MemoryRetentionSweepOptions.MaxPageSize}; it is {size}", "use for example --page-size 500");
            }

            var caller = context.Caller;
            if (!caller.HasRole(MemoryRoles.Operator))
            {
                throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot sweep: retention needs the {MemoryRoles.Operator} role", $"run as an operator, for example --as {caller.Actor.Kind.ToString().ToLowerInvariant()}:{caller.Actor.Id} --role {MemoryRoles.Operator}");
            }

            var options = new MemoryRetentionSweepOptions
            {
                Tenant = context.ExplicitTenant,
                DryRun = parseResult.GetValue(dryRun),
                PageSize = size,
                Actor = caller.HasRole(MemoryRoles.Admin) ? MemoryRetentionSweepOptions.DefaultActor : caller.Actor,
            };
            // Purges sign their attestations with the CLI's key (StoreOpener reads AttestationKeys.Current), chosen before the
            // store opens; a dry run purges nothing and needs none.
            var signing = options.DryRun ? default : AttestationKeys.LoadOrCreate(null, StoreOpener.Resolve(context.StoreSpec, context.Schema));
            if (signing.Signer is { } signer)
            {
                AttestationKeys.Use(signer);
            }

            return async store =>
            {
                using var ownedSigner = signing.Signer;
                if (signing.Created)
                {
                    context.Error.WriteLine($"created the attestation signing key {signing.PrivateKeyPath} (owner-only; keep it private and back it up)");
                }

                // The sweeper works below the access policy: governed reads hide the memories of revoked consent, which
                // are exactly what it must purge. The operator check above stands in for the policy.
                var canonical = store.GetService(typeof(EventSourcedMemoryStore)) as IMemoryStore ?? store;
                var sweeper = new MemoryRetentionSweeper(canonical, loaded);
                using var display = new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: false), options.DryRun ? "sweep (dry run)" : "sweep");
                var elapsed = Stopwatch.StartNew();
                var report = await sweeper.SweepAsync(options, new SweepProgress(display), context.CancellationToken).ConfigureAwait(false);
                display.Complete($"{(options.DryRun ? "sweep (dry run): would expire" : "sweep: expired")} {HumanFormat.Count(report.TotalExpired)}, "
                    + $"{(options.DryRun ? "would purge" : "purged")} {HumanFormat.Count(report.TotalPurged)}, held {HumanFormat.Count(report.TotalHeld)}, "
                    + $"errors {HumanFormat.Count(report.TotalErrors)} across {HumanFormat.Count(report.Tenants.Count, "tenant")}");
                Print(context, report, elapsed.Elapsed);
                if (report.TotalErrors == 0)
                {
                    return ExitCodes.Ok;
                }

                // The rest of the sweep went through; the failed memories are named in the report and the next sweep retries them.
                context.Error.WriteLine($"error: {HumanFormat.Count(report.TotalErrors, "retention operation")} failed (listed in the report)");
                context.Error.WriteLine("hint: most are memories changed while the sweep ran, or metadata dates that are not ISO 8601; fix those and run 'skmem sweep' again");
                return ExitCodes.Conflict;
            };
        });
        return command;
    }

    /// <summary>Loads the policy file (or the built-in one), turning a policy error into a usage error naming the file, rule and field.</summary>
    /// <param name="path">The file, or null for the default.</param>
    /// <returns>The policy.</returns>
    public static MemoryRetentionPolicy LoadPolicy(string? path)
    {
        try
        {
            return path is null ? MemoryRetentionPolicy.CreateDefault() : MemoryRetentionPolicy.Load(path);
        }
        catch (MemoryRetentionPolicyException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message, "fix the policy file (its rules, fields and allowed values are in docs/retention.md) and run 'skmem sweep' again", "policy", e);
        }
    }

    private static void Print(CliContext context, MemoryRetentionReport report, TimeSpan elapsed)
    {
        if (context.Json)
        {
            JsonOutput.Write(context.Out, w =>
            {
                w.WriteString("policy", report.Policy);
                w.WriteString("at", MemoryEventChain.FormatTimestamp(report.At));
                w.WriteBoolean("dry_run", report.DryRun);
                w.WriteStartArray("tenants");
                foreach (var tenant in report.Tenants)
                {
                    w.WriteStringValue(tenant);
                }

                w.WriteEndArray();
                w.WriteStartArray("rules");
                foreach (var rule in report.Rules)
                {
                    w.WriteStartObject();
                    w.WriteString("rule", rule.Rule);
                    w.WriteNumber("examined", rule.Examined);
                    w.WriteNumber("expired", rule.Expired);
                    w.WriteNumber("purged", rule.Purged);
                    w.WriteNumber("held", rule.Held);
                    w.WriteNumber("errors", rule.Errors);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartObject("totals");
                w.WriteNumber("examined", report.TotalExamined);
                w.WriteNumber("expired", report.TotalExpired);
                w.WriteNumber("purged", report.TotalPurged);
                w.WriteNumber("held", report.TotalHeld);
                w.WriteNumber("errors", report.TotalErrors);
                w.WriteEndObject();
                w.WriteStartArray("attestations");
                foreach (var id in report.AttestationIds)
                {
                    w.WriteStringValue(id);
                }

                w.WriteEndArray();
                w.WriteStartArray("error_messages");
                foreach (var message in report.ErrorMessages)
                {
                    w.WriteStringValue(message);
                }

                w.WriteEndArray();
                w.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
            });
            return;
        }

        var table = new TextTable(("RULE", 32, false), ("EXAMINED", 9, true), ("EXPIRED", 8, true), ("PURGED", 8, true), ("HELD", 6, true), ("ERRORS", 6, true));
        foreach (var rule in report.Rules)
        {
            table.Add(rule.Rule, Count(rule.Examined), Count(rule.Expired), Count(rule.Purged), Count(rule.Held), Count(rule.Errors));
        }

        table.Add("total", Count(report.TotalExamined), Count(report.TotalExpired), Count(report.TotalPurged), Count(report.TotalHeld), Count(report.TotalErrors));
        context.Out.WriteLine($"{(report.DryRun ? "dry run (nothing changed) " : string.Empty)}retention sweep at {HumanFormat.Time(report.At)} with {report.Policy}, tenants: {(report.Tenants.Count == 0 ? "none" : string.Join(", ", report.Tenants))}");
        table.Write(context.Out);
        foreach (var id in report.AttestationIds)
        {
            context.Out.WriteLine($"attestation {id}");
        }

        foreach (var message in report.ErrorMessages)
        {
            context.Out.WriteLine($"error: {message}");
        }
    }

    private static string Count(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Feeds the sweep's running totals into the progress line.</summary>
    private sealed class SweepProgress(ProgressDisplay display) : IProgress<MemoryRetentionProgress>
    {
        public void Report(MemoryRetentionProgress value)
        {
            ArgumentNullException.ThrowIfNull(value);
            display.Update(value.Examined, $"{value.Tenant} {value.Phase}: {HumanFormat.Count(value.Examined)} examined, {HumanFormat.Count(value.Expired)} expired, {HumanFormat.Count(value.Purged)} purged, {HumanFormat.Count(value.Held)} held");
        }
    }
}
