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
        foreach (var table in new[] { "memory_events", "memory_objects", "memory_embeddings", "memory_embedding_models", "memory_reads", "memory_chain_heads", "memory_fts", "memory_ingestion_jobs", "memory_ingested_items" })
        {
            Assert.Equal(1L, await ScalarAsync(path, $"SELECT count(*) FROM sqlite_master WHERE name = '{table}'"));
        }
    }

    [Fact]
    public async Task OpenAsync_ManyConcurrentOpensOfANewFile_AllSucceedAndMigrateOnce()
    {
        // PRAGMA schema_version is SQLite's schema cookie: every CREATE, DROP or ALTER moves it on. A file one open
        // migrated is the reference; a migration step run twice (or a second migration) would move the cookie further.
        var reference = NewPath();
        using (await OpenAsync(reference))
        {
        }

        var migratedOnce = await ScalarAsync(reference, "PRAGMA schema_version");
        Assert.True((long)migratedOnce! > 0);

        var path = NewPath();
        await OpenAndDisposeAsync(path, 8);
        Assert.Equal((long)SqliteSchema.CurrentVersion, await ScalarAsync(path, "PRAGMA user_version"));
        Assert.Equal(migratedOnce, await ScalarAsync(path, "PRAGMA schema_version"));

        // Opening the migrated file again, concurrently, changes no table, index or trigger (each keeps its root page).
        var objects = await SchemaObjectsAsync(path);
        await OpenAndDisposeAsync(path, 8);
        Assert.Equal(migratedOnce, await ScalarAsync(path, "PRAGMA schema_version"));
        Assert.Equal(objects, await SchemaObjectsAsync(path));
    }

    [Fact]
    public async Task OpenAsync_Version2File_GainsTheIngestionTablesAndKeepsItsMemories()
    {
        // A version 2 file is a current one without what versions 3 (the ingestion job tables) and 4 (governance) added.
        var path = NewPath();
        Guid id;
        using (var store = await OpenAsync(path))
        {
            id = (await store.WriteAsync(Request("t", "likes tea"), Ct)).Record.Id;
        }

        await ScalarAsync(
            path,
            """
            DROP TABLE memory_ingestion_jobs; DROP TABLE memory_ingested_items;
            DROP INDEX ix_memory_reads_reader; ALTER TABLE memory_reads DROP COLUMN operation;
            DROP TABLE memory_access_denials; DROP TABLE memory_consents; DROP TABLE memory_consent_changes; DROP TABLE memory_legal_holds;
            DROP TABLE memory_vault; DROP TABLE memory_vault_reveals; DROP TABLE memory_attestations; DROP TABLE memory_external_links; DROP TABLE memory_api_keys; DROP TABLE memory_review_items;
            PRAGMA user_version = 2;
            """);
        SqliteConnection.ClearAllPools();

        using var upgraded = await OpenAsync(path);
        Assert.Equal(7L, await ScalarAsync(path, "PRAGMA user_version"));
        Assert.Equal(0L, await ScalarAsync(path, "SELECT count(*) FROM memory_consents"));
        Assert.Equal(0L, await ScalarAsync(path, "SELECT count(*) FROM memory_external_links"));
        Assert.Equal("likes tea", (await upgraded.GetAsync("t", id, Ct))!.Value.Text);
        var jobs = (IMemoryIngestionJobStore)upgraded.GetService(typeof(IMemoryIngestionJobStore))!;
        await jobs.MarkIngestedAsync("t", "ing_1", ["msg:1"], Ct);
        Assert.Equal(["msg:1"], await jobs.FindIngestedAsync("t", ["msg:1", "msg:2"], Ct));
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

    private static Task<SqliteMemoryStore> OpenAsync(string path) =>
        SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: Ct);

    private static async Task OpenAndDisposeAsync(string path, int count)
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => OpenAsync(path)));
        foreach (var store in stores)
        {
            store.Dispose();
        }
    }

    private static async Task<List<string>> SchemaObjectsAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT type || ' ' || name || ' ' || rootpage FROM sqlite_master ORDER BY type, name";
        var objects = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            objects.Add(reader.GetString(0));
        }

        return objects;
    }

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
