namespace SkMemory.Storage.Sqlite;

/// <summary>Options for the embedded SQLite store.</summary>
public sealed class SqliteMemoryStoreOptions : MemoryStoreOptions
{
    /// <summary>Gets or sets the database file. Defaults to <see cref="SkMemoryPaths.DefaultDatabasePath"/>.</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets how long a writer waits for another process's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Path is not null && string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("Path must not be blank; leave it null for the default location.", nameof(Path));
        }

        if (BusyTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("BusyTimeout must be positive.", nameof(BusyTimeout));
        }
    }
}
