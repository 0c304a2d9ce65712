namespace SkMemory.Storage.Postgres;

/// <content>The token vault kept beside the memories (<see cref="IMemoryTokenVault"/>).</content>
public sealed partial class PostgresMemoryStore
{
    partial void AddTokenVault(List<object> sideStores) => sideStores.Add(new PostgresTokenVault(_dataSource, _names, Options.TimeProvider));
}
