using System.CommandLine;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem export [--output file.jsonl]</c>: the event log and current objects as JSON Lines.</summary>
internal static class ExportCommand
{
    public static Command Create(CommandRunner runner)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the export: a file, or - for stdout (default).",
            DefaultValueFactory = _ => "-",
            HelpName = "file.jsonl|-",
        };
        var command = new Command("export", "Export the event log and the current memories as JSON Lines (every tenant unless --tenant is given).") { output };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var path = parseResult.GetValue(output)!;
            var target = path == "-" ? null : Path.GetFullPath(path);
            return store => RunAsync(context, store, target);
        });
        return command;
    }

    /// <summary>Exports to <paramref name="path"/>, or to stdout when it is null.</summary>
    private static async Task<int> RunAsync(CliContext context, IMemoryStore store, string? path)
    {
        // A file is written beside the target and moved into place at the end, so a failed export never leaves half a file.
        var temporary = path is null ? null : $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        var stream = temporary is null ? context.OpenOutputStream() : CreateFile(temporary, path!);
        using var progress = new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: path is null), "exporting");
        MemoryTransferResult result;
        try
        {
            await using (stream.ConfigureAwait(false))
            {
                result = await store.ExportAsync(stream, new MemoryExportOptions { Tenant = context.ExplicitTenant, Progress = new TransferProgress(progress) }, context.CancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(context.CancellationToken).ConfigureAwait(false);
            }

            if (temporary is not null)
            {
                File.Move(temporary, path!, overwrite: true);
            }
        }
        catch (IOException ex) when (temporary is null)
        {
            // Typically a closed pipe (skmem export | head).
            throw new CliException(ExitCodes.Unexpected, $"stdout was closed before the export finished: {ex.Message}", "write the export to a file with --output <file.jsonl>", "output", ex);
        }
        catch when (temporary is not null)
        {
            File.Delete(temporary);
            throw;
        }

        progress.Complete($"exported {Summary(result)}");
        if (path is null)
        {
            // stdout holds the export itself.
            return ExitCodes.Ok;
        }

        if (context.Json)
        {
            JsonOutput.WriteTransfer(context.Out, "output", path, result);
        }
        else
        {
            context.Out.WriteLine($"exported {Summary(result)} to {path}");
        }

        return ExitCodes.Ok;
    }

    private static FileStream CreateFile(string temporary, string path)
    {
        try
        {
            return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Invalid("output", $"cannot write {path}: {ex.Message}", "pass a writable path with --output, or - for stdout");
        }
    }

    /// <summary>Describes a transfer: "12 events and 5 objects from 1 tenant (default)".</summary>
    /// <param name="result">The result.</param>
    /// <param name="preposition">"from" or "into".</param>
    /// <returns>The text.</returns>
    public static string Summary(MemoryTransferResult result, string preposition = "from")
    {
        ArgumentNullException.ThrowIfNull(result);
        var tenants = result.Tenants.Count == 0 ? string.Empty : $" ({string.Join(", ", result.Tenants.Take(5))}{(result.Tenants.Count > 5 ? ", …" : string.Empty)})";
        return $"{HumanFormat.Count(result.Events, "event")} and {HumanFormat.Count(result.Objects, "object")} {preposition} {HumanFormat.Count(result.Tenants.Count, "tenant")}{tenants}";
    }
}
