namespace SkMemory;

/// <summary>
/// Composes a store with middleware (redaction, access control, audit), as <c>ChatClientBuilder</c> composes chat
/// clients: the first <see cref="Use"/> is the outermost layer, the one callers reach first.
/// </summary>
public sealed class MemoryStoreBuilder
{
    private readonly IMemoryStore _innerStore;
    private readonly List<Func<IMemoryStore, IMemoryStore>> _factories = [];

    /// <summary>Initializes a new instance of the <see cref="MemoryStoreBuilder"/> class.</summary>
    /// <param name="innerStore">The store at the bottom of the stack (SQLite, Postgres, Mem0).</param>
    public MemoryStoreBuilder(IMemoryStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        _innerStore = innerStore;
    }

    /// <summary>Adds a layer.</summary>
    /// <param name="factory">Wraps the store below it.</param>
    /// <returns>This builder.</returns>
    public MemoryStoreBuilder Use(Func<IMemoryStore, IMemoryStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories.Add(factory);
        return this;
    }

    /// <summary>Builds the stack.</summary>
    /// <returns>The outermost store.</returns>
    public IMemoryStore Build()
    {
        var store = _innerStore;
        for (var i = _factories.Count - 1; i >= 0; i--)
        {
            store = _factories[i](store) ?? throw new InvalidOperationException($"The factory at index {i} returned null; a store layer must wrap the store it is given.");
        }

        return store;
    }
}
