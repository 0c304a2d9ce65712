using System.CommandLine;
using SkMemory.Redaction;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem reveal &lt;token&gt; --reason ...</c>: the value behind a redaction token, for callers with the reveal role; recorded.</summary>
internal static class RevealCommand
{
    public static Command Create(CommandRunner runner)
    {
        var token = new Argument<string>("token") { Description = "The token, as it appears in a memory: [[tok:<kind>:<id>]]." };
        var reason = new Option<string>("--reason") { Description = "Why the value is revealed; recorded with the reveal.", Required = true };
        var command = new Command("reveal", $"Reveal the value behind a redaction token. Needs the {MemoryRoles.VaultReveal} role (the store owner has it); every reveal is recorded.") { token, reason };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var tokenText = parseResult.GetValue(token)!.Trim();
            var why = parseResult.GetValue(reason)!;
            return async store =>
            {
                var redaction = await RedactionSettings.LoadAsync(context, context.CancellationToken).ConfigureAwait(false);
                var value = await new MemoryTokenRevealer(store, redaction).RevealAsync(context.Caller, context.Tenant, tokenText, why, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WriteString("token", tokenText);
                        w.WriteString("value", value);
                    });
                }
                else
                {
                    context.Out.WriteLine(value);
                }

                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
