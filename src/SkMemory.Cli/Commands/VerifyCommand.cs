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
            if (context.Json)
            {
                context.Out.WriteLine(JsonOutput.Render(w => JsonSerializer.Serialize(w, result, MemoryJsonContext.Default.ChainVerificationResult)));
            }

            if (result.IsValid)
            {
                if (!context.Json)
                {
                    context.Out.WriteLine($"chain verified: {HumanFormat.Count(result.EventCount, "event")} in {HumanFormat.Count(result.TenantCount, "tenant")}");
                }

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

            context.Error.WriteLine($"error: the hash chain of tenant '{link.Tenant}' breaks at sequence {link.Sequence}: {link.Problem}");
            context.Error.WriteLine("hint: the log was changed outside SkMemory; restore the tenant from a trusted export ('skmem import' into a new store) and investigate that event");
            return ExitCodes.VerifyFailed;
        });
        return command;
    }
}
