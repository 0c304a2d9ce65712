using System.Diagnostics;
using System.Text;

namespace SkMemory.Tests;

/// <summary>Where the built <c>skmem</c> and the repository are, and running child processes with a deadline.</summary>
internal static class SkmemProcess
{
    /// <summary>Gets the built skmem.dll: next to the test assembly (the test project references the CLI), else the CLI's Release output.</summary>
    public static string SkmemDll
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "skmem.dll");
            if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "skmem.runtimeconfig.json")))
            {
                return beside;
            }

            var built = Path.Combine(RepositoryRoot, "src", "SkMemory.Cli", "bin", "Release", "net10.0", "skmem.dll");
            Assert.True(File.Exists(built), $"skmem.dll is neither next to the tests nor at {built}: build the solution first (dotnet build SkMemory.sln -c Release)");
            return built;
        }
    }

    /// <summary>Gets the dotnet host running the tests (DOTNET_HOST_PATH, which the test host sets), else <c>dotnet</c> from the PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Gets the repository root: the nearest folder above the test assembly holding SkMemory.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "SkMemory.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new InvalidOperationException($"no SkMemory.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The arguments that run <c>skmem mcp</c> on a store with full-text search only (no model to load).</summary>
    /// <param name="store">The SQLite file.</param>
    /// <returns>The arguments after <c>dotnet</c>.</returns>
    public static string[] McpArguments(string store) => [SkmemDll, "mcp", "--store", store, "--embedder", "none"];

    /// <summary>Runs a process to its end (killing it after <paramref name="timeout"/>) and captures its output.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Its working folder.</param>
    /// <param name="environment">Variables to set.</param>
    /// <param name="timeout">The deadline.</param>
    /// <returns>The exit code, stdout and stderr.</returns>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
