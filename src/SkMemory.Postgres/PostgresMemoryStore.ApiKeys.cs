namespace SkMemory.Storage.Postgres;

/// <content>The servers' API keys (<see cref="IMemoryApiKeyStore"/>).</content>
public sealed partial class PostgresMemoryStore
{
    partial void AddApiKeys(List<object> sideStores) => sideStores.Add(new PostgresApiKeyStore(_dataSource, _names, Options.TimeProvider));
}
