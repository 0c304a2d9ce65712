using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The result of one in-process <c>skmem</c> run.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    public CliResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"expected exit code 0, got {ExitCode}.\nstdout:\n{Out}\nstderr:\n{Error}");
        return this;
    }

    public CliResult ShouldFail(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit code {exitCode}, got {ExitCode}.\nstdout:\n{Out}\nstderr:\n{Error}");
        Assert.Contains("error: ", Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", All, StringComparison.Ordinal);
        return this;
    }

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Out);
        return document.RootElement.Clone();
    }
}

/// <summary>Runs skmem in-process against a temp SQLite file (or any --store), capturing stdout and stderr.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("skmem-cli-").FullName;

    public CliRunner()
    {
        StorePath = NewStorePath();
    }

    /// <summary>Gets the default store of this runner: a temp SQLite file.</summary>
    public string StorePath { get; }

    public string Folder => _directory;

    public string NewStorePath() => Path.Combine(_directory, $"{Guid.NewGuid():N}.db");

    public string NewFilePath(string extension = ".jsonl") => Path.Combine(_directory, $"{Guid.NewGuid():N}{extension}");

    /// <summary>Runs skmem with the arguments; adds --store with this runner's file unless the arguments name a store.</summary>
    public Task<CliResult> RunAsync(params string[] args) =>
        RunOnAsync(args.Contains("--store") ? null : StorePath, args);

    public static async Task<CliResult> RunOnAsync(string? store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var all = store is null ? args : [.. args, "--store", store];
        var exitCode = await SkMemoryCli.InvokeAsync(all, output, error, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Writes a memory and returns its id.</summary>
    public async Task<Guid> RememberAsync(string text, string subject = "ana", params string[] extra)
    {
        var result = (await RunAsync(["remember", text, "--subject", subject, "--json", .. extra])).ShouldSucceed();
        return result.Json().GetProperty("id").GetGuid();
    }

    /// <summary>Runs a statement directly on a SQLite store file, as an attacker with file access would.</summary>
    public static async Task<int> ExecuteSqlAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
