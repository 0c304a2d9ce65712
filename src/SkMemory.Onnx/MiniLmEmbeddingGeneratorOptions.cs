namespace SkMemory.Embeddings;

/// <summary>Options for <see cref="MiniLmEmbeddingGenerator"/>.</summary>
public sealed class MiniLmEmbeddingGeneratorOptions
{
    /// <summary>Gets or sets the folder holding the model files; <see cref="MiniLmModel.DefaultDirectory"/> when null.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>Gets or sets a value indicating whether missing model files are fetched (once) on first use.</summary>
    public bool FetchIfMissing { get; set; } = true;

    /// <summary>Gets or sets the longest input in tokens, [CLS] and [SEP] included; longer inputs are truncated. 1..512.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>Gets or sets how many texts one model run embeds (about 8 is best on 2 cores).</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Gets or sets ONNX Runtime's intra-op threads; all cores when 0.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Gets or sets a receiver of progress lines (model fetch).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (MaxTokens is < 3 or > 512)
        {
            throw new ArgumentException($"MaxTokens must be between 3 and 512; it is {MaxTokens}.", nameof(MaxTokens));
        }

        if (BatchSize is < 1 or > 256)
        {
            throw new ArgumentException($"BatchSize must be between 1 and 256; it is {BatchSize}.", nameof(BatchSize));
        }

        if (IntraOpThreads < 0)
        {
            throw new ArgumentException("IntraOpThreads must not be negative.", nameof(IntraOpThreads));
        }
    }

    /// <summary>Copies the options, so that later changes to this object do not reach what was created from it.</summary>
    /// <returns>The copy.</returns>
    internal MiniLmEmbeddingGeneratorOptions Copy() => (MiniLmEmbeddingGeneratorOptions)MemberwiseClone();
}
