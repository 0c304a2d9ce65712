using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The built skmem as a real child process: the default embedded path under SKMEMORY_HOME, and real exit codes.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("skmem-home-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Skmem_uses_the_default_embedded_store_under_SKMEMORY_HOME_and_returns_exit_codes()
    {
        var remember = await RunAsync("remember", "Ana prefers oat milk", "--subject", "ana");
        Assert.True(remember.ExitCode == 0, remember.ToString());
        Assert.StartsWith("created ", remember.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_home, "memory.db")), "the default store should be $SKMEMORY_HOME/memory.db");
        var id = remember.Out.Split(' ')[1];

        var show = await RunAsync("show", id);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("user:skmem-test", show.Out, StringComparison.Ordinal);
        Assert.Contains("tenant          team-a", show.Out, StringComparison.Ordinal);

        var missing = await RunAsync("show", Guid.NewGuid().ToString());
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.StartsWith("error: ", missing.Error, StringComparison.Ordinal);

        var invalid = await RunAsync("remember", "x", "--subject", "ana", "--confidence", "2");
        Assert.Equal(ExitCodes.Usage, invalid.ExitCode);
        Assert.Contains("confidence", invalid.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", invalid.Error, StringComparison.Ordinal);

        var export = await RunAsync("export");
        Assert.Equal(0, export.ExitCode);
        Assert.Equal(4, export.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var verify = await RunAsync("verify");
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal("chain verified: 1 event in 1 tenant", verify.Out.Trim());
    }

    private async Task<ProcessResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SkmemDll());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SKMEMORY_HOME"] = _home;
        start.Environment["SKMEMORY_TENANT"] = "team-a";
        start.Environment["USER"] = "skmem-test";
        start.Environment.Remove(ErrorReporter.DebugVariable);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string SkmemDll()
    {
        // The referenced CLI project is copied beside the tests with its runtimeconfig.
        var beside = Path.Combine(AppContext.BaseDirectory, "skmem.dll");
        Assert.True(File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "skmem.runtimeconfig.json")), $"skmem.dll and skmem.runtimeconfig.json should be in {AppContext.BaseDirectory}");
        return beside;
    }

    private sealed record ProcessResult(int ExitCode, string Out, string Error)
    {
        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
    }
}
