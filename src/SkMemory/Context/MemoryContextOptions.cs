namespace SkMemory.Context;

/// <summary>Options of <see cref="MemoryContextProvider"/>: how many memories are searched and how many tokens the packet may take.</summary>
public sealed class MemoryContextOptions
{
    /// <summary>Gets or sets the packet's hard token budget, counted with <see cref="ModelName"/>'s tokenizer. Default 800.</summary>
    public int TokenBudget { get; set; } = 800;

    /// <summary>Gets or sets the model whose tokenizer counts the budget (o200k for gpt-4o and later, cl100k for older). Default <c>gpt-4o</c>.</summary>
    public string ModelName { get; set; } = "gpt-4o";

    /// <summary>Gets or sets how many memories are searched before packing. Default 20.</summary>
    public int Top { get; set; } = 20;

    /// <summary>Gets or sets the search mode. Default hybrid.</summary>
    public MemorySearchMode Mode { get; set; } = MemorySearchMode.Hybrid;

    /// <summary>Gets or sets the scope kinds searched, or <see langword="null"/> for every kind the caller may read.</summary>
    public IReadOnlyList<MemoryScopeKind>? ScopeKinds { get; set; }

    /// <summary>Gets or sets the longest query used (the end of a longer message is kept). Default 2,000 characters.</summary>
    public int MaxQueryCharacters { get; set; } = 2000;

    /// <summary>Gets or sets the clock: packing skips memories no longer valid, and injections are stamped with it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Copies the options, so a caller can change a copy (its scope kinds, its clock) without touching the original.</summary>
    /// <returns>The copy.</returns>
    public MemoryContextOptions Clone() => (MemoryContextOptions)MemberwiseClone();

    /// <summary>Checks the options; call at start-up.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (TokenBudget is < 16 or > 128_000)
        {
            throw new ArgumentException($"MemoryContextOptions.TokenBudget must be between 16 and 128000 tokens; it is {TokenBudget}.", nameof(TokenBudget));
        }

        if (Top is < 1 or > 200)
        {
            throw new ArgumentException($"MemoryContextOptions.Top must be between 1 and 200; it is {Top}.", nameof(Top));
        }

        if (MaxQueryCharacters is < 16 or > 100_000)
        {
            throw new ArgumentException($"MemoryContextOptions.MaxQueryCharacters must be between 16 and 100000; it is {MaxQueryCharacters}.", nameof(MaxQueryCharacters));
        }

        if (string.IsNullOrWhiteSpace(ModelName))
        {
            throw new ArgumentException("MemoryContextOptions.ModelName names the model whose tokenizer counts the budget; set it (for example gpt-4o).", nameof(ModelName));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        _ = Packing.MemoryPacketOptions.ForModel(ModelName, TokenBudget);
    }
}
