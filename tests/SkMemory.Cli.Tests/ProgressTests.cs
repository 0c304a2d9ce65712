using SkMemory.Storage.Sqlite;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>Progress of long operations on stderr when stderr is not a terminal: a line every few thousand items, then a summary.</summary>
public sealed class ProgressTests : IDisposable
{
    private const int Count = 5_200;
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Export_import_and_list_all_report_progress_lines_and_a_summary()
    {
        var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = _cli.StorePath }, cancellationToken: TestContext.Current.CancellationToken);
        using (store)
        {
            for (var i = 0; i < Count; i++)
            {
                await store.WriteAsync(
                    new MemoryWriteRequest { Tenant = "default", Type = MemoryTypes.Fact, Subject = "bulk", Actor = MemoryActor.User("test"), Value = $"bulk fact number {i}" },
                    TestContext.Current.CancellationToken);
            }
        }

        var file = _cli.NewFilePath();
        var export = (await _cli.RunAsync("export", "-o", file)).ShouldSucceed();
        var exportLines = export.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("exporting: 5,000 lines", exportLines[0], StringComparison.Ordinal);
        Assert.StartsWith("exporting: 10,000 lines", exportLines[1], StringComparison.Ordinal);
        Assert.StartsWith($"exported 5,200 events and 5,200 objects from 1 tenant", exportLines[^1], StringComparison.Ordinal);
        Assert.Equal(3, exportLines.Length);

        var import = (await CliRunner.RunOnAsync(_cli.NewStorePath(), "import", file)).ShouldSucceed();
        var importLines = import.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("importing: 5,000 lines", importLines[0], StringComparison.Ordinal);
        Assert.StartsWith("importing: 10,000 lines", importLines[1], StringComparison.Ordinal);
        Assert.StartsWith("imported 5,200 events and 5,200 objects into 1 tenant", importLines[^1], StringComparison.Ordinal);
        Assert.Equal("imported 5,200 events and 5,200 objects into 1 tenant (default)", import.Out.Trim());

        var list = (await _cli.RunAsync("list", "--all", "--page-size", "1000")).ShouldSucceed();
        Assert.Equal(Count + 1, list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var listLines = list.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("listing: 5,000 memories", listLines[0], StringComparison.Ordinal);
        Assert.StartsWith("listed 5,200 memories from 6 pages", listLines[^1], StringComparison.Ordinal);
        Assert.Equal(2, listLines.Length);
    }
}
