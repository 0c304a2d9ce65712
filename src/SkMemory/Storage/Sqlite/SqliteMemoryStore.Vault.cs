namespace SkMemory.Storage.Sqlite;

/// <content>The token vault kept beside the memories (<see cref="IMemoryTokenVault"/>).</content>
public sealed partial class SqliteMemoryStore
{
    partial void AddTokenVault(List<object> sideStores) => sideStores.Add(new SqliteTokenVault(this));
}
