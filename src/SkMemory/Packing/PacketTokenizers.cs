using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace SkMemory.Packing;

/// <summary>Tiktoken tokenizers for packet budgets, created once per model name and shared (they are thread-safe).</summary>
internal static class PacketTokenizers
{
    /// <summary>The encoding used when no tokenizer is given or the model is unknown.</summary>
    internal const string DefaultEncoding = "o200k_base";

    private static readonly Lazy<Tokenizer> Default = new(() => TiktokenTokenizer.CreateForEncoding(DefaultEncoding));

    private static readonly ConcurrentDictionary<string, Tokenizer> ByModel = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the <c>o200k_base</c> tokenizer.</summary>
    internal static Tokenizer O200kBase => Default.Value;

    /// <summary>Gets the tokenizer of a model, or <c>o200k_base</c> when the model is unknown.</summary>
    /// <param name="modelName">The model name, for example <c>gpt-4o</c> or <c>gpt-4</c>.</param>
    /// <returns>The tokenizer.</returns>
    internal static Tokenizer ForModel(string modelName) => ByModel.GetOrAdd(modelName, static name =>
    {
        try
        {
            return TiktokenTokenizer.CreateForModel(name);
        }
        catch (NotSupportedException)
        {
            return O200kBase;
        }
    });
}
