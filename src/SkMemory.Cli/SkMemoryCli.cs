using System.CommandLine;
using System.CommandLine.Invocation;
using SkMemory.Cli.Commands;

namespace SkMemory.Cli;

/// <summary>The <c>skmem</c> command line: builds the commands and runs one invocation with the given writers.</summary>
internal static class SkMemoryCli
{
    /// <summary>Runs <c>skmem</c> with <paramref name="args"/>, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Standard output (results).</param>
    /// <param name="error">Standard error (progress, errors and hints).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var runner = new CommandRunner(
            new GlobalOptions(),
            output,
            error,
            outIsTerminal: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected,
            errorIsTerminal: ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected);
        var root = BuildRootCommand(runner);
        var parseResult = root.Parse(args);
        var context = runner.CreateContext(parseResult, cancellationToken);
        try
        {
            if (parseResult.Action is ParseErrorAction)
            {
                return ErrorReporter.ReportUsage(parseResult.Errors.Select(e => e.Message).ToList(), context);
            }

            var configuration = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The CLI's outermost boundary: every error becomes an error line and an exit code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ErrorReporter.Report(ex, context);
        }
        finally
        {
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Builds the root command with every subcommand.</summary>
    /// <param name="runner">The runner the commands' actions go through.</param>
    /// <returns>The root command.</returns>
    public static RootCommand BuildRootCommand(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var root = new RootCommand(
            "skmem: remember, recall and audit memories in a SkMemory store (embedded SQLite by default, PostgreSQL, or Mem0 with a mirror).\n"
            + "Exit codes: 0 ok, 1 unexpected error, 2 usage or invalid value, 3 not found, 4 conflict, 5 verify or reconcile failed, "
            + "6 import rejected, 7 store unreachable, 8 ingestion job failed (run it again with 'skmem ingest run <job-id>').");
        runner.Globals.AddTo(root);
        root.Subcommands.Add(RememberCommand.Create(runner));
        root.Subcommands.Add(RecallCommand.Create(runner));
        root.Subcommands.Add(ListCommand.Create(runner));
        root.Subcommands.Add(ShowCommand.Create(runner));
        root.Subcommands.Add(HistoryCommand.Create(runner));
        root.Subcommands.Add(LineageCommand.Create(runner));
        root.Subcommands.Add(LineageCommand.CreateDenials(runner));
        root.Subcommands.Add(RevealCommand.Create(runner));
        root.Subcommands.Add(ForgetCommand.Create(runner));
        root.Subcommands.Add(ExportCommand.Create(runner));
        root.Subcommands.Add(ImportCommand.Create(runner));
        root.Subcommands.Add(IngestCommand.Create(runner));
        root.Subcommands.Add(VerifyCommand.Create(runner));
        root.Subcommands.Add(ReconcileCommand.Create(runner));
        root.Subcommands.Add(MigrateCommand.Create(runner));
        root.Subcommands.Add(ModelCommand.Create(runner));
        root.Subcommands.Add(ReindexCommand.Create(runner));
        root.Subcommands.Add(BenchCommand.Create(runner));
        root.Subcommands.Add(EvalCommand.Create(runner));
        root.Subcommands.Add(SweepCommand.Create(runner));
        root.Subcommands.Add(ConsentCommand.Create(runner));
        root.Subcommands.Add(HoldCommand.Create(runner));
        root.Subcommands.Add(ServeCommand.Create(runner));
        root.Subcommands.Add(McpCommand.Create(runner));
        root.Subcommands.Add(KeysCommand.Create(runner));
        CliHelpAction.Install(root);
        return root;
    }
}
