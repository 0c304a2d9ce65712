using Xunit;
using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests;

/// <summary>Behaviour specific to the embedded store: the file, WAL, migrations, several instances on one file.</summary>
public sealed class SqliteMemoryStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-sqlite-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle may outlive the test by a moment.
        }
    }

    [Fact]
    public async Task OpenAsync_NewFile_UsesWalAndCurrentSchemaVersion()
    {
        var path = NewPath();
        using var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct);

        Assert.Equal("wal", await ScalarAsync(path, "PRAGMA journal_mode"));
        Assert.Equal((long)SqliteSchema.CurrentVersion, await ScalarAsync(path, "PRAGMA user_version"));
        foreach (var table in new[] { "memory_events", "memory_objects", "memory_embeddings", "memory_embedding_models", "memory_reads", "memory_chain_heads", "memory_fts" })
        {
            Assert.Equal(1L, await ScalarAsync(path, $"SELECT count(*) FROM sqlite_master WHERE name = '{table}'"));
        }
    }

    [Fact]
    public async Task OpenAsync_ManyConcurrentOpensOfANewFile_AllSucceedAndMigrateOnce()
    {
        var path = NewPath();
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct)));
        foreach (var store in stores)
        {
            store.Dispose();
        }

        Assert.Equal((long)SqliteSchema.CurrentVersion, await ScalarAsync(path, "PRAGMA user_version"));
    }

    [Fact]
    public async Task Reopen_AfterDispose_KeepsRecordsAndChain()
    {
        var path = NewPath();
        Guid id;
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct))
        {
            id = (await store.WriteAsync(Request("t", "likes tea"), Ct)).Record.Id;
        }

        using var reopened = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct);
        Assert.Equal("likes tea", (await reopened.GetAsync("t", id, Ct))!.Value.Text);
        var verification = await reopened.VerifyAsync(cancellationToken: Ct);
        Assert.True(verification.IsValid);
        Assert.Equal(1, verification.EventCount);
    }

    [Fact]
    public async Task TwoInstancesOnOneFile_ConcurrentWriters_LoseNothing()
    {
        var path = NewPath();
        using var first = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct);
        using var second = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct);

        await Task.WhenAll(
            Task.Run(() => WriteManyAsync(first, "a", 200), Ct),
            Task.Run(() => WriteManyAsync(second, "b", 200), Ct));

        var all = await first.ReadAsync(new MemoryQuery { Tenant = "t", PageSize = 1000 }, Ct);
        Assert.Equal(400, all.Items.Count);
        var verification = await second.VerifyAsync("t", Ct);
        Assert.True(verification.IsValid);
        Assert.Equal(400, verification.EventCount);
    }

    [Fact]
    public async Task Metadata_ReportsProviderAndPath()
    {
        var path = NewPath();
        using var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct);

        var metadata = Assert.IsType<MemoryStoreMetadata>(store.GetService(typeof(MemoryStoreMetadata)));
        Assert.Equal("sqlite", metadata.ProviderName);
        Assert.Equal(Path.GetFullPath(path), metadata.Location);
        Assert.Null(metadata.EmbeddingModel);
    }

    [Fact]
    public void Options_BlankPathOrNonPositiveBusyTimeout_AreRejected()
    {
        Assert.Throws<ArgumentException>("Path", () => new SqliteMemoryStoreOptions { Path = " " }.Validate());
        Assert.Throws<ArgumentException>("BusyTimeout", () => new SqliteMemoryStoreOptions { BusyTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>("MaxValueBytes", () => new SqliteMemoryStoreOptions { MaxValueBytes = 1 }.Validate());
    }

    [Fact]
    public void DefaultDatabasePath_FollowsSkMemoryHome()
    {
        var previous = Environment.GetEnvironmentVariable(SkMemoryPaths.HomeVariable);
        try
        {
            Environment.SetEnvironmentVariable(SkMemoryPaths.HomeVariable, _directory);
            Assert.Equal(Path.Combine(_directory, "memory.db"), SkMemoryPaths.DefaultDatabasePath);
            Environment.SetEnvironmentVariable(SkMemoryPaths.HomeVariable, null);
            Assert.EndsWith(Path.Combine(".skmemory", "memory.db"), SkMemoryPaths.DefaultDatabasePath, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SkMemoryPaths.HomeVariable, previous);
        }
    }

    private static async Task WriteManyAsync(SqliteMemoryStore store, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.WriteAsync(Request("t", $"{prefix} note {i}"), Ct);
        }
    }

    private static MemoryWriteRequest Request(string tenant, string text) => new()
    {
        Tenant = tenant,
        Type = MemoryTypes.Fact,
        Subject = "ana",
        Actor = MemoryActor.User("ana"),
        Value = text,
    };

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }

    private string NewPath() => Path.Combine(_directory, $"{Guid.NewGuid():N}.db");
}
