namespace SkMemory.Cli;

/// <summary>The entry point of <c>skmem</c>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: stop cleanly (the store rolls back); a second one ends the process.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        return await SkMemoryCli.InvokeAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
    }
}
