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
            return path == "-" ? store => ToStdoutAsync(context, store) : store => ToFileAsync(context, store, Path.GetFullPath(path));
        });
        return command;
    }

    private static async Task<int> ToStdoutAsync(CliContext context, IMemoryStore store)
    {
        using var progress = new ProgressDisplay(context.Error, ProgressMode.SummaryOnly, "exporting");
        MemoryTransferResult result;
        try
        {
            var stream = context.OpenOutputStream();
            await using (stream.ConfigureAwait(false))
            {
                result = await store.ExportAsync(stream, new MemoryExportOptions { Tenant = context.ExplicitTenant }, context.CancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException ex)
        {
            // Typically a closed pipe (skmem export | head).
            throw new CliException(ExitCodes.Unexpected, $"stdout was closed before the export finished: {ex.Message}", "write the export to a file with --output <file.jsonl>", "output", ex);
        }

        progress.Complete($"exported {Summary(result)}");
        return ExitCodes.Ok;
    }

    private static async Task<int> ToFileAsync(CliContext context, IMemoryStore store, string path)
    {
        // Written beside the target and moved into place at the end, so a failed export never leaves half a file.
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        FileStream file;
        try
        {
            file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Invalid("output", $"cannot write {path}: {ex.Message}", "pass a writable path with --output, or - for stdout");
        }

        using var progress = new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: false), "exporting");
        MemoryTransferResult result;
        try
        {
            await using (file.ConfigureAwait(false))
            {
                result = await store.ExportAsync(file, new MemoryExportOptions { Tenant = context.ExplicitTenant, Progress = new TransferProgress(progress) }, context.CancellationToken).ConfigureAwait(false);
                await file.FlushAsync(context.CancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        progress.Complete($"exported {Summary(result)}");
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
