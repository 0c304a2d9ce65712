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

    [Fact]
    public async Task Concurrent_skmem_processes_writing_one_database_lose_nothing()
    {
        // Three importers (one long write transaction each) and four single writers, as separate OS processes on one file.
        const int tenants = 3;
        const int perTenant = 200;
        var files = new List<string>();
        for (var t = 0; t < tenants; t++)
        {
            var file = Path.Combine(_home, $"tenant-{t}.jsonl");
            await WriteExportAsync(file, $"import-{t}", perTenant);
            files.Add(file);
        }

        var runs = files.Select(file => RunAsync("import", file))
            .Concat(Enumerable.Range(0, 4).Select(i => RunAsync("remember", $"note {i} from a separate process", "--subject", "ana")))
            .ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        using var store = await SkMemory.Storage.Sqlite.SqliteMemoryStore.OpenAsync(
            new SkMemory.Storage.Sqlite.SqliteMemoryStoreOptions { Path = Path.Combine(_home, "memory.db") }, cancellationToken: TestContext.Current.CancellationToken);
        var verification = await store.VerifyAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(verification.IsValid, verification.FirstBrokenLink?.Problem);
        Assert.Equal(tenants + 1, verification.TenantCount);
        Assert.Equal((tenants * perTenant) + 4, verification.EventCount);
    }

    private async Task WriteExportAsync(string file, string tenant, int count)
    {
        var ct = TestContext.Current.CancellationToken;
        var source = Path.Combine(_home, $"{tenant}.db");
        using var store = await SkMemory.Storage.Sqlite.SqliteMemoryStore.OpenAsync(new SkMemory.Storage.Sqlite.SqliteMemoryStoreOptions { Path = source }, cancellationToken: ct);
        for (var i = 0; i < count; i++)
        {
            await store.WriteAsync(
                new SkMemory.MemoryWriteRequest { Tenant = tenant, Type = SkMemory.MemoryTypes.Fact, Subject = "ana", Actor = SkMemory.MemoryActor.User("ana"), Value = $"fact {i}" },
                ct);
        }

        await using var output = File.Create(file);
        await store.ExportAsync(output, cancellationToken: ct);
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

        // These tests are about the store and exit codes; each fresh SKMEMORY_HOME would otherwise fetch the model again.
        start.Environment["SKMEMORY_EMBEDDER"] = "none";
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

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH), else <c>dotnet</c> from the PATH; the other process tests here start it too.</summary>
    internal static string DotnetHost() =>
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
