namespace SkMemory.Storage.Postgres;

/// <content>Writes held for review (<see cref="IMemoryReviewStore"/>).</content>
public sealed partial class PostgresMemoryStore
{
    partial void AddReviews(List<object> sideStores) => sideStores.Add(new PostgresReviewStore(_dataSource, _names));
}
