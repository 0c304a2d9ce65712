using System.CommandLine;
using System.Text.Json;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem verify</c>: recomputes the hash chains and reports the first broken link (exit code 5).</summary>
internal static class VerifyCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("verify", "Recompute every tenant's hash chain (or only --tenant's) and report the first broken link.");
        runner.SetStoreAction(command, StoreAccess.Read, (context, _) => async store =>
        {
            var result = await store.VerifyAsync(context.ExplicitTenant, context.CancellationToken).ConfigureAwait(false);
            if (result.IsValid)
            {
                context.Out.WriteLine(context.Json
                    ? JsonOutput.Render(w => JsonSerializer.Serialize(w, result, MemoryJsonContext.Default.ChainVerificationResult))
                    : $"chain verified: {HumanFormat.Count(result.EventCount, "event")} in {HumanFormat.Count(result.TenantCount, "tenant")}");
                return ExitCodes.Ok;
            }

            var link = result.FirstBrokenLink!;
            if (!context.Json)
            {
                context.Out.WriteLine("chain broken");
                context.Out.WriteLine($"  tenant    {link.Tenant}");
                context.Out.WriteLine($"  sequence  {link.Sequence}");
                context.Out.WriteLine($"  event     {link.EventId?.ToString() ?? "(missing)"}");
                context.Out.WriteLine($"  problem   {link.Problem}");
            }

            var broken = new CliException(
                ExitCodes.VerifyFailed,
                $"the hash chain of tenant '{link.Tenant}' breaks at sequence {link.Sequence}: {link.Problem}",
                "the log was changed outside SkMemory; restore the tenant from a trusted export ('skmem import' into a new store) and investigate that event");

            // Reported rather than thrown: with --json the error object joins the verification result in one document.
            return ErrorReporter.Report(broken, context, w =>
            {
                foreach (var property in JsonSerializer.SerializeToElement(result, MemoryJsonContext.Default.ChainVerificationResult).EnumerateObject())
                {
                    property.WriteTo(w);
                }
            });
        });
        return command;
    }
}
