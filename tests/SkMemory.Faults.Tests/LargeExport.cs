using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Faults.Tests;

/// <summary>
/// An export of <see cref="Tenants"/> tenants with <see cref="PerTenant"/> memories each, written once per test class
/// through a real store: 3,000 memories, 6,002 lines, so <c>skmem import</c> is still inside its transaction when its first
/// progress line (at line 5,000) comes out.
/// </summary>
public sealed class LargeExport : IAsyncLifetime
{
    /// <summary>The memories of each tenant.</summary>
    public const int PerTenant = 1500;

    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-faults-export-").FullName;

    /// <summary>Gets how long writing the export took.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Gets the tenants in the export.</summary>
    public IReadOnlyList<string> Tenants { get; } = ["import-a", "import-b"];

    /// <summary>Gets the export file.</summary>
    public string Path => System.IO.Path.Combine(_directory, "export.jsonl");

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = System.IO.Path.Combine(_directory, "source.db") }, cancellationToken: ct))
        {
            foreach (var tenant in Tenants)
            {
                for (var i = 0; i < PerTenant; i++)
                {
                    await store.WriteAsync(FaultChecks.Fact(tenant, $"{tenant} fact {i}: Ana keeps note number {i} about her trips"), ct);
                }
            }

            await using var output = File.Create(Path);
            await store.ExportAsync(output, cancellationToken: ct);
        }

        SqliteConnection.ClearAllPools();
        Elapsed = watch.Elapsed;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
