using System.CommandLine;
using SkMemory.Mcp;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem mcp</c>: the MCP server over stdio, for clients that launch it (Claude Desktop, VS Code). It runs as the CLI's
/// caller (you, as the store owner, or the --as identity) under the access and redaction policies. stdout carries the
/// protocol only; everything else (model fetch progress, warnings, errors) goes to stderr.
/// </summary>
internal static class McpCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command(
            "mcp",
            "Run the MCP server over stdio (for clients that start it: Claude Desktop, VS Code), as you (the store owner) or the --as identity. "
            + "stdout carries the protocol; logs go to stderr. Ends when the client closes stdin. (The request size limit is the HTTP server's; "
            + "over stdio the client that starts the server is the only sender.)");
        runner.SetCanonicalStoreAction(
            command,
            StoreAccess.Write,
            (context, parseResult) =>
            {
                var options = new SkMemoryMcpOptions();
                var caller = context.Caller;
                return async (store, redaction) =>
                {
                    using var loggerFactory = StderrLoggerProvider.CreateFactory(context.Error);
                    context.Error.WriteLine($"skmem mcp: serving {context.Target?.Display} over stdio as {caller.Actor} in tenant '{caller.Tenant}'");
                    await context.Error.FlushAsync(context.CancellationToken).ConfigureAwait(false);
                    var input = Console.OpenStandardInput();
                    await using (input.ConfigureAwait(false))
                    {
                        var console = Console.Out;
                        var output = context.OpenOutputStream();
                        await using (output.ConfigureAwait(false))
                        {
                            // stdout carries the protocol: anything that still writes to Console.Out goes to stderr instead.
                            var ownsConsole = ReferenceEquals(context.Out, console);
                            if (ownsConsole)
                            {
                                Console.SetOut(Console.Error);
                            }

                            try
                            {
                                await SkMemoryStdioServer.RunAsync(store, caller, input, output, options, b => b.UseRedaction(redaction), loggerFactory, context.CancellationToken).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
                            {
                                // Ctrl+C: a clean stop.
                            }
                            finally
                            {
                                if (ownsConsole)
                                {
                                    Console.SetOut(console);
                                }
                            }
                        }
                    }

                    return ExitCodes.Ok;
                };
            },
            EmbedderUse.Load);
        return command;
    }
}
