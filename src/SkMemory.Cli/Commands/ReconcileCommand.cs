using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkMemory.Mem0;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem reconcile [--tenant t] [--no-adopt] [--json]</c>: brings a Mem0 store and its canonical mirror back into
/// agreement (pushes what Mem0 missed, relinks, removes stale copies, adopts memories written to Mem0 by other clients);
/// progress on stderr, the summary on stdout, exit code 5 when some memories could not be repaired.
/// </summary>
internal static class ReconcileCommand
{
    /// <summary>How many failures the text summary lists; --json lists them all.</summary>
    private const int FailuresShown = 5;

    public static Command Create(CommandRunner runner)
    {
        var noAdopt = new Option<bool>("--no-adopt")
        {
            Description = "Count the memories found only in Mem0 (written by another client, or before this mirror existed), but leave them out of the mirror.",
        };
        var command = new Command(
            "reconcile",
            "Bring a Mem0 store (--store mem0:<url>) and its canonical mirror back into agreement: push every change Mem0 missed "
            + "(a failed write, an outage), relink copies whose link was lost, remove duplicates and copies of deleted memories from "
            + "Mem0, and adopt memories that exist only in Mem0 into the mirror. Safe to run at any time and again. Without --tenant, "
            + "every tenant. Needs the " + MemoryRoles.Operator + " role. Exit code 5 when some memories could not be repaired.")
        {
            noAdopt,
        };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            // Checked before the store is opened: on another kind of store, reconcile would create or open it for nothing.
            var target = context.ResolveStore();
            if (target.Kind != StoreKind.Mem0)
            {
                throw CliException.Invalid(
                    "store",
                    $"reconcile works on a Mem0 store, and {target.Display} is not one",
                    "pass --store mem0:<base-url> (with the --mirror and --mem0-flavor the memories were written with)");
            }

            var caller = context.Caller;
            if (!caller.HasRole(MemoryRoles.Operator))
            {
                throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot reconcile: it needs the {MemoryRoles.Operator} role", $"run as an operator (--role {MemoryRoles.Operator}), or drop --as to act as the store owner");
            }

            // Reconcile works below the access policy (it reads and repairs every memory), so the tenant rule is checked here.
            if (!caller.MayEnter(context.ExplicitTenant))
            {
                throw new CliException(
                    ExitCodes.Denied,
                    context.ExplicitTenant is null
                        ? $"{caller.Actor} cannot reconcile every tenant: only the store owner may"
                        : $"{caller.Actor} cannot reconcile tenant '{context.ExplicitTenant}'",
                    "pass --tenant with the caller's own tenant, or drop --as to act as the store owner");
            }

            var adopt = !parseResult.GetValue(noAdopt);
            return async store =>
            {
                var mem0 = store.GetService(typeof(Mem0MemoryStore)) as Mem0MemoryStore
                    ?? throw CliException.Invalid("store", $"{target.Display} did not open as a Mem0 store", "pass --store mem0:<base-url>");
                using var display = new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: false), "reconcile");
                var elapsed = Stopwatch.StartNew();
                var result = await mem0.ReconcileAsync(
                    new Mem0ReconcileOptions { Tenant = context.ExplicitTenant, Adopt = adopt, Progress = new ReconcileProgress(display) },
                    context.CancellationToken).ConfigureAwait(false);
                display.Complete($"reconcile: pushed {HumanFormat.Count(result.Pushed)}, adopted {HumanFormat.Count(result.Adopted)}, relinked {HumanFormat.Count(result.Relinked)}, "
                    + $"removed {HumanFormat.Count(result.RemovedFromMem0)}, failures {HumanFormat.Count(result.Failures.Count)}");
                if (result.Failures.Count == 0)
                {
                    if (context.Json)
                    {
                        JsonOutput.Write(context.Out, w => WriteResult(w, target, context.ExplicitTenant, result, elapsed.Elapsed));
                    }
                    else
                    {
                        Print(context, target, result);
                    }

                    return ExitCodes.Ok;
                }

                if (!context.Json)
                {
                    Print(context, target, result);
                }

                var first = result.Failures[0];
                var failed = new CliException(
                    ExitCodes.VerifyFailed,
                    $"{HumanFormat.Count(result.Failures.Count, "memory", "memories")} could not be reconciled (first: {first.Error})",
                    "they stay marked in the mirror; fix the cause (most often Mem0 being unreachable or refusing the key) and run 'skmem reconcile' again");

                // Reported rather than thrown: with --json the error object joins the result in one document.
                return ErrorReporter.Report(failed, context, w => WriteResult(w, target, context.ExplicitTenant, result, elapsed.Elapsed));
            };
        });
        return command;
    }

    private static void Print(CliContext context, StoreTarget target, Mem0ReconcileResult result)
    {
        context.Out.WriteLine($"reconciled {target.Display}, tenant: {context.ExplicitTenant ?? "all"}");
        var table = new TextTable(("", 28, false), ("", 14, true));
        table.Add("checked in mirror", Count(result.CheckedInMirror));
        table.Add("checked in Mem0", Count(result.CheckedInMem0));
        table.Add("pushed to Mem0", Count(result.Pushed));
        table.Add("adopted from Mem0", Count(result.Adopted));
        table.Add("only in Mem0, not adopted", Count(result.NotAdopted));
        table.Add("relinked", Count(result.Relinked));
        table.Add("removed from Mem0", Count(result.RemovedFromMem0));
        table.Add("lost by Mem0, added again", Count(result.MissingInMem0));
        table.Add("failures", Count(result.Failures.Count));
        table.Write(context.Out, header: false);
        foreach (var warning in result.Warnings)
        {
            context.Out.WriteLine($"warning: {warning}");
        }

        foreach (var failure in result.Failures.Take(FailuresShown))
        {
            context.Out.WriteLine($"failure: tenant {failure.Tenant}, memory {failure.MemoryId?.ToString() ?? "?"}{(failure.Mem0Id is null ? string.Empty : $" (Mem0 {failure.Mem0Id})")}: {failure.Error}");
        }

        if (result.Failures.Count > FailuresShown)
        {
            context.Out.WriteLine($"... and {HumanFormat.Count(result.Failures.Count - FailuresShown, "more failure")} (--json lists them all)");
        }

        context.Out.WriteLine(result.InSync
            ? "in sync: the mirror and Mem0 agree"
            : result.Failures.Count == 0
                ? "not in sync: memories found only in Mem0 were not adopted (run without --no-adopt to adopt them)"
                : "not in sync: run 'skmem reconcile' again once the failures' cause is fixed");
    }

    private static void WriteResult(Utf8JsonWriter w, StoreTarget target, string? tenant, Mem0ReconcileResult result, TimeSpan elapsed)
    {
        w.WriteString("store", target.Display);
        if (tenant is null)
        {
            w.WriteNull("tenant");
        }
        else
        {
            w.WriteString("tenant", tenant);
        }

        w.WriteNumber("checked_in_mirror", result.CheckedInMirror);
        w.WriteNumber("checked_in_mem0", result.CheckedInMem0);
        w.WriteNumber("pushed", result.Pushed);
        w.WriteNumber("adopted", result.Adopted);
        w.WriteNumber("not_adopted", result.NotAdopted);
        w.WriteNumber("relinked", result.Relinked);
        w.WriteNumber("removed_from_mem0", result.RemovedFromMem0);
        w.WriteNumber("missing_in_mem0", result.MissingInMem0);
        w.WriteBoolean("in_sync", result.InSync);
        w.WriteStartArray("warnings");
        foreach (var warning in result.Warnings)
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
        w.WriteStartArray("failures");
        foreach (var failure in result.Failures)
        {
            w.WriteStartObject();
            w.WriteString("tenant", failure.Tenant);
            if (failure.MemoryId is { } id)
            {
                w.WriteString("memory_id", id);
            }

            if (failure.Mem0Id is { } mem0Id)
            {
                w.WriteString("mem0_id", mem0Id);
            }

            w.WriteString("error", failure.Error);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
    }

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Feeds the reconcile's running counts into the progress line.</summary>
    private sealed class ReconcileProgress(ProgressDisplay display) : IProgress<Mem0ReconcileProgress>
    {
        public void Report(Mem0ReconcileProgress value)
        {
            ArgumentNullException.ThrowIfNull(value);
            display.Update(value.Checked, $"{value.Phase}: {HumanFormat.Count(value.Checked)} checked, {HumanFormat.Count(value.Changed)} changed");
        }
    }
}
