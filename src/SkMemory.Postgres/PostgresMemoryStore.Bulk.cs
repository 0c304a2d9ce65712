using Npgsql;

namespace SkMemory.Storage.Postgres;

// What PostgresBulkLoader and the load benchmark need from the store: its connection, names, index registry and options.
public sealed partial class PostgresMemoryStore
{
    /// <summary>Gets the data source the store connects through.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Gets the qualified names of the store's tables.</summary>
    internal PostgresNames Names => _names;

    /// <summary>Gets the store's registry of HNSW indexes.</summary>
    internal PostgresVectorIndexes VectorIndexes => _vectorIndexes;

    /// <summary>Gets the store's options (types, value size limit, time provider).</summary>
    internal MemoryStoreOptions StoreOptions => Options;

    /// <summary>
    /// Runs the store's own vector retrieval (the path <see cref="EventSourcedMemoryStore.SearchAsync"/> uses, before fusion
    /// and scoring), so a benchmark can compare it with exact search.
    /// </summary>
    internal Task<IReadOnlyList<ScoredMemoryId>> SearchVectorsAsync(MemoryFilter filter, string model, ReadOnlyMemory<float> query, int limit, CancellationToken cancellationToken) =>
        SearchVectorAsync(filter, model, query, limit, MemoryEventChain.TruncateToMicroseconds(Options.TimeProvider.GetUtcNow()), cancellationToken);
}
