namespace SkMemory;

/// <summary>
/// An <see cref="IMemoryCallerAccessor"/> that flows with the async context: set <see cref="Caller"/> at the start of a
/// request and every store call below it sees that caller, even across awaits and concurrent requests.
/// </summary>
public sealed class MemoryCallerAccessor : IMemoryCallerAccessor
{
    private static readonly AsyncLocal<MemoryCaller?> Current = new();

    /// <summary>Gets or sets the caller of the current async context.</summary>
    public MemoryCaller? Caller
    {
        get => Current.Value;
        set => Current.Value = value;
    }

    /// <summary>Creates an accessor that always returns <paramref name="caller"/>.</summary>
    /// <param name="caller">The caller.</param>
    /// <returns>The accessor.</returns>
    public static IMemoryCallerAccessor Fixed(MemoryCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new FixedCaller(caller);
    }

    private sealed class FixedCaller(MemoryCaller caller) : IMemoryCallerAccessor
    {
        public MemoryCaller? Caller => caller;
    }
}
