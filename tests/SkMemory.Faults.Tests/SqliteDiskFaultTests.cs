using System.Globalization;
using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.Faults.Tests;

/// <summary>
/// The embedded store on a disk that fills up, and on a file the OS refuses to write: the write fails with a clear
/// <see cref="MemoryException"/> saying what to do, the memories already stored stay readable and intact, and once the
/// cause is gone writes work again. Each test counts the memories and checks the chain and SQLite's integrity_check.
/// </summary>
public sealed class SqliteDiskFaultTests : IAsyncLifetime
{
    private const string Tenant = "disk";
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-faults-disk-").FullName;
    private string? _mounted;
    private string? _immutable;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_immutable is not null)
        {
            await OsCommands.TryRunAsync("chattr", "-i", _immutable);
        }

        if (_mounted is not null)
        {
            await OsCommands.TryRunAsync("umount", "-l", _mounted);
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task DiskFull_FailsTheWriteWithAClearError_KeepsEveryEarlierMemory_AndWritesAgainOnceSpaceIsFreed()
    {
        // A 3 MiB tmpfs holds the store and a 512 KiB ballast file, which the test deletes to free space.
        var disk = Path.Combine(_directory, "disk");
        Directory.CreateDirectory(disk);
        var (mounted, why) = await OsCommands.TryRunAsync("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", disk);
        if (!mounted)
        {
            // Without root (or CAP_SYS_ADMIN) there is no small disk to fill; CI runs as root. The file-size limit test
            // covers a refused write on its own.
            Assert.Skip($"mount of a small tmpfs was refused, so there is no disk to fill: {why.Trim()}");
        }

        _mounted = disk;
        var ballast = Path.Combine(disk, "ballast");
        await File.WriteAllBytesAsync(ballast, new byte[512 * 1024], Ct);
        var path = Path.Combine(disk, "memories.db");

        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            var acknowledged = new List<Guid>();
            MemoryException? full = null;
            for (var i = 0; i < 5000 && full is null; i++)
            {
                try
                {
                    acknowledged.Add((await store.WriteAsync(FaultChecks.Fact(Tenant, Text(i)), Ct)).Record.Id);
                }
                catch (MemoryException ex)
                {
                    full = ex;
                }
            }

            Assert.NotNull(full);
            Assert.True(acknowledged.Count > 10, $"only {acknowledged.Count} writes fitted before the disk was full");
            Assert.Equal(MemoryErrorCode.Unavailable, full.Code);
            Assert.Contains("full", full.Message, StringComparison.Ordinal);
            Assert.Contains(path, full.Message, StringComparison.Ordinal);
            Assert.Contains("Free space", full.Message, StringComparison.Ordinal);

            // Nothing of the failed write is there, and everything acknowledged is.
            var stored = await FaultChecks.ReadAllAsync(store, Tenant, Ct);
            Assert.Equal(acknowledged.Order(), stored.Select(r => r.Id).Order());
            Assert.Equal(acknowledged.Count, await FaultChecks.AssertVerifiesAsync(store, Ct));

            // The CLI says the same, with the store-unavailable exit code.
            var home = Path.Combine(_directory, "home");
            Directory.CreateDirectory(home);
            var (exitCode, _, error) = await SkmemChild.RunAsync(home, "remember", Text(acknowledged.Count), "--subject", "ana", "--tenant", Tenant, "--store", path);
            Assert.True(exitCode == 7, $"skmem remember on a full disk exited {exitCode}: {error}");
            Assert.Contains("is full", error, StringComparison.Ordinal);
            Assert.Equal(acknowledged.Count, (await FaultChecks.ReadAllAsync(store, Tenant, Ct)).Count);
            TestContext.Current.TestOutputHelper?.WriteLine($"the 3 MiB disk took {acknowledged.Count} memories; then: {full.Message}");

            File.Delete(ballast);
            var retried = await store.WriteAsync(FaultChecks.Fact(Tenant, Text(acknowledged.Count)), Ct);
            Assert.Equal(MemoryWriteOutcome.Created, retried.Outcome);
            Assert.Equal(acknowledged.Count + 1, (await FaultChecks.ReadAllAsync(store, Tenant, Ct)).Count);
            Assert.Equal(acknowledged.Count + 1, await FaultChecks.AssertVerifiesAsync(store, Ct));
        }

        Assert.Equal("ok", await IntegrityCheckAsync(path));
    }

    /// <summary>
    /// A write the OS refuses part-way (the file-size limit, RLIMIT_FSIZE, with SIGXFSZ ignored so write() fails with EFBIG):
    /// <c>skmem import</c> of a file bigger than the limit allows fails with a clear error and exit code 7, and the store
    /// keeps exactly what it had; without the limit the same import goes through.
    /// </summary>
    [Fact]
    public async Task FileSizeLimit_FailsTheImportWithAClearError_AndLeavesTheStoreAsItWas()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "fsize")).FullName;
        var path = Path.Combine(folder, "memories.db");
        var exportPath = Path.Combine(folder, "export.jsonl");
        const int Before = 5;
        const int Imported = 300;
        using (var source = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(folder, "source.db") }, cancellationToken: Ct))
        {
            for (var i = 0; i < Imported; i++)
            {
                await source.WriteAsync(FaultChecks.Fact("imported", Text(i)), Ct);
            }

            await using var output = File.Create(exportPath);
            await source.ExportAsync(output, cancellationToken: Ct);
        }

        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            for (var i = 0; i < Before; i++)
            {
                await store.WriteAsync(FaultChecks.Fact(Tenant, $"Ana's fact {i} before the limit"), Ct);
            }
        }

        SqliteConnection.ClearAllPools();
        var limit = new FileInfo(path).Length + (256 * 1024);
        var home = Path.Combine(folder, "home");
        Directory.CreateDirectory(home);
        var (exitCode, _, error) = await SkmemProcess.RunAsync(
            "sh",
            ["-c", "trap '' XFSZ; exec prlimit --fsize=\"$0\" dotnet \"$1\" import \"$2\" --store \"$3\"", limit.ToString(CultureInfo.InvariantCulture), SkmemProcess.SkmemDll, exportPath, path],
            home,
            new Dictionary<string, string>(SkmemChild.Environment(home))
            {
                // The runtime's W^X double mapping sizes a shared-memory file far past any small file-size limit.
                ["DOTNET_EnableWriteXorExecute"] = "0",
            },
            TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 7, $"the import over the file-size limit exited {exitCode}: {error}");
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Contains("this change was not saved", error, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"import over a {limit / 1024} KiB file-size limit: {error.Trim()}");

        SqliteConnection.ClearAllPools();
        Assert.Equal("ok", await IntegrityCheckAsync(path));
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            Assert.Equal(Before, (await FaultChecks.ReadAllAsync(store, Tenant, Ct)).Count);
            Assert.Empty(await FaultChecks.ReadAllAsync(store, "imported", Ct));
            Assert.Equal(Before, await FaultChecks.AssertVerifiesAsync(store, Ct));
        }

        SqliteConnection.ClearAllPools();
        var (again, againOutput, againError) = await SkmemChild.RunAsync(home, "import", exportPath, "--store", path);
        Assert.True(again == 0, $"the import without the limit failed ({again}): {againOutput}{againError}");
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            Assert.Equal((Before, Imported), ((await FaultChecks.ReadAllAsync(store, Tenant, Ct)).Count, (await FaultChecks.ReadAllAsync(store, "imported", Ct)).Count));
            Assert.Equal(Before + Imported, await FaultChecks.AssertVerifiesAsync(store, Ct));
        }
    }

    [Fact]
    public async Task ReadOnlyFile_RefusesWritesWithAClearError_ReadsKeepWorking_AndNothingIsCorrupted()
    {
        var path = Path.Combine(_directory, "memories.db");
        var written = new List<Guid>();
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            for (var i = 0; i < 5; i++)
            {
                written.Add((await store.WriteAsync(FaultChecks.Fact(Tenant, $"Ana's read-only fact number {i}"), Ct)).Record.Id);
            }
        }

        SqliteConnection.ClearAllPools();
        var how = await MakeReadOnlyAsync(path);

        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            var refused = await Assert.ThrowsAsync<MemoryException>(() => store.WriteAsync(FaultChecks.Fact(Tenant, "Ana's new fact"), Ct));
            Assert.Equal(MemoryErrorCode.Unavailable, refused.Code);
            Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
            Assert.Contains(path, refused.Message, StringComparison.Ordinal);
            Assert.Contains("writable", refused.Message, StringComparison.Ordinal);

            // Reads work: list, get, full-text search and verify.
            var stored = await FaultChecks.ReadAllAsync(store, Tenant, Ct);
            Assert.Equal(written.Order(), stored.Select(r => r.Id).Order());
            Assert.NotNull(await store.GetAsync(Tenant, written[2], Ct));
            Assert.Equal(5, (await store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Text = "read-only fact", Mode = MemorySearchMode.Text }, Ct)).Count);
            Assert.Equal(5, await FaultChecks.AssertVerifiesAsync(store, Ct));
        }

        SqliteConnection.ClearAllPools();
        await UndoReadOnlyAsync(path, how);
        Assert.Equal("ok", await IntegrityCheckAsync(path));
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            await store.WriteAsync(FaultChecks.Fact(Tenant, "Ana's new fact"), Ct);
            Assert.Equal(6, (await FaultChecks.ReadAllAsync(store, Tenant, Ct)).Count);
            Assert.Equal(6, await FaultChecks.AssertVerifiesAsync(store, Ct));
        }
    }

    private static string Text(int i) => $"Ana's note {i}: " + string.Concat(Enumerable.Range(0, 150).Select(j => $"w{i}x{j} "));

    /// <summary>
    /// Makes the file refuse writes: <c>chattr +i</c> as root (root ignores file modes); without root, mode 0444. Returns
    /// which was used.
    /// </summary>
    private async Task<string> MakeReadOnlyAsync(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the read-only fault test uses chattr or Unix file modes");
        }

        if (!OsCommands.IsRoot)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return "chmod";
        }

        var (ok, error) = await OsCommands.TryRunAsync("chattr", "+i", path);
        Assert.True(ok, $"chattr +i is needed to make a file read-only for root: {error}");
        _immutable = path;
        return "chattr";
    }

    private async Task UndoReadOnlyAsync(string path, string how)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the read-only fault test uses chattr or Unix file modes");
        }

        if (how == "chmod")
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return;
        }

        await OsCommands.RunAsync("chattr", "-i", path);
        _immutable = null;
    }

    private static async Task<string> IntegrityCheckAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }
}
