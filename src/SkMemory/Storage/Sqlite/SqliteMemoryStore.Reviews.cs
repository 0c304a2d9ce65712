namespace SkMemory.Storage.Sqlite;

/// <content>Writes held for review (<see cref="IMemoryReviewStore"/>).</content>
public sealed partial class SqliteMemoryStore
{
    partial void AddReviews(List<object> sideStores) => sideStores.Add(new SqliteReviewStore(this));
}
