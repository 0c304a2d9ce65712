namespace SkMemory.Redaction;

/// <summary>Options of the <see cref="MemoryRedactor"/>, the <see cref="RedactingMemoryStore"/> and the <see cref="MemoryTokenRevealer"/>.</summary>
public sealed class MemoryRedactionOptions
{
    /// <summary>Gets or sets the policy; <see cref="MemoryRedactionPolicy.Default"/> when not set.</summary>
    public MemoryRedactionPolicy Policy { get; set; } = MemoryRedactionPolicy.Default;

    /// <summary>Gets the classifiers run after the pattern rules, in order.</summary>
    public IList<IMemorySensitiveDataClassifier> Classifiers { get; } = [];

    /// <summary>Gets or sets a value indicating whether the built-in pattern rules run. Default true.</summary>
    public bool UsePatternRules { get; set; } = true;

    /// <summary>Gets or sets the vault for tokenized values; the store's (through <see cref="IMemoryStore.GetService"/>) when null.</summary>
    public IMemoryTokenVault? Vault { get; set; }

    /// <summary>
    /// Gets or sets the key (16, 24 or 32 bytes) that encrypts vault values at rest with AES-GCM. When null, values are stored
    /// as they are: protect the database instead. Keep the key out of the database, and keep it: without it no value can be
    /// revealed.
    /// </summary>
    public byte[]? VaultKey { get; set; }

    /// <summary>Gets or sets a value indicating whether search query text is redacted before it reaches the store and its embedder. Default true.</summary>
    public bool RedactSearchText { get; set; } = true;

    /// <summary>Gets or sets the clock for reveal times.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
