using Microsoft.Data.Sqlite;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests;

/// <summary>
/// A real embedded store for tests: a SQLite file in a fresh temporary directory, with a <see cref="TestEmbeddingGenerator"/>.
/// Disposing closes the store, clears the connection pools and deletes the directory.
/// </summary>
internal sealed class TemporarySqliteStore : IDisposable
{
    private readonly string _directory;
    private readonly string _fileName;
    private readonly TimeProvider _clock;

    /// <summary>Initializes a new instance of the <see cref="TemporarySqliteStore"/> class, creating its directory.</summary>
    /// <param name="prefix">The start of the temporary directory's name.</param>
    /// <param name="fileName">The database file's name.</param>
    /// <param name="clock">The store's clock, or null for the system clock.</param>
    public TemporarySqliteStore(string prefix, string fileName = "memory.db", TimeProvider? clock = null)
    {
        _directory = Directory.CreateTempSubdirectory(prefix).FullName;
        _fileName = fileName;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Gets the embedding generator the store uses.</summary>
    public TestEmbeddingGenerator Embeddings { get; } = new();

    /// <summary>Gets the store last opened, or null before <see cref="OpenAsync"/>.</summary>
    public SqliteMemoryStore? Store { get; private set; }

    /// <summary>Opens (or reopens, after the last one was disposed) the store on the same file.</summary>
    public async Task<SqliteMemoryStore> OpenAsync(CancellationToken cancellationToken) =>
        Store = await SqliteMemoryStore.OpenAsync(
            new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, _fileName), EmbeddingGenerator = Embeddings, TimeProvider = _clock },
            cancellationToken: cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        Store?.Dispose();
        Embeddings.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
