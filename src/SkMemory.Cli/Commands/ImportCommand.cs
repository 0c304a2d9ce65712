using System.CommandLine;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem import &lt;file.jsonl&gt;</c>: replays an export, verifying every line and the hash chains; all or nothing.</summary>
internal static class ImportCommand
{
    public static Command Create(CommandRunner runner)
    {
        var file = new Argument<string>("file") { Description = "The export file (JSON Lines), or - for stdin." };
        var command = new Command("import", "Import an export file. Every line and hash chain is verified first; on any problem nothing is imported (exit code 6).") { file };

        runner.SetStoreAction(command, StoreAccess.Write, (context, parseResult) =>
        {
            var path = parseResult.GetValue(file)!;
            CheckReadable(path);
            return async store =>
            {
                // Opened only here, with the store open: a store or embedder that fails to open leaves no handle behind.
                var source = Open(path);
                await using var sourceScope = source.ConfigureAwait(false);
                using var progress = new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: false), "importing");
                var result = await store.ImportAsync(source, new MemoryImportOptions { Progress = new TransferProgress(progress) }, context.CancellationToken).ConfigureAwait(false);
                progress.Complete($"imported {ExportCommand.Summary(result, "into")}");
                if (context.Json)
                {
                    JsonOutput.WriteTransfer(context.Out, "file", path, result);
                }
                else
                {
                    context.Out.WriteLine($"imported {ExportCommand.Summary(result, "into")}");
                }

                return ExitCodes.Ok;
            };
        }, embeds: true);
        return command;
    }

    /// <summary>Reports an unreadable file before the store is opened (and before an empty store file is created).</summary>
    private static void CheckReadable(string path)
    {
        if (path != "-")
        {
            using var probe = Open(path);
        }
    }

    private static Stream Open(string path)
    {
        if (path == "-")
        {
            return Console.OpenStandardInput();
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Invalid("file", $"cannot read {Path.GetFullPath(path)}: {ex.Message}", "pass the path of a file written by 'skmem export'");
        }
    }
}
