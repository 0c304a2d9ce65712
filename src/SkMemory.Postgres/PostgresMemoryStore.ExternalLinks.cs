namespace SkMemory.Storage.Postgres;

/// <content>Links to copies of the memories in external systems (<see cref="IMemoryExternalLinks"/>).</content>
public sealed partial class PostgresMemoryStore
{
    partial void AddExternalLinks(List<object> sideStores) => sideStores.Add(new PostgresExternalLinks(_dataSource, _names));
}
