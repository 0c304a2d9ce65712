namespace SkMemory.Storage.Sqlite;

/// <content>Links to copies of the memories in external systems (<see cref="IMemoryExternalLinks"/>).</content>
public sealed partial class SqliteMemoryStore
{
    partial void AddExternalLinks(List<object> sideStores) => sideStores.Add(new SqliteExternalLinks(this));
}
