using Microsoft.Extensions.AI;
using SkMemory.Embeddings;

namespace SkMemory.Evals;

/// <summary>What the benchmarks share about their embedder: the offline default when none is given, and how to name it.</summary>
internal static class BenchmarkEmbedder
{
    /// <summary>Runs <paramref name="run"/> with <paramref name="given"/>, or with the offline MiniLM model loaded for it and disposed after.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="given">The caller's embedder (not disposed here), or null for the offline default.</param>
    /// <param name="progress">Receives the model's load lines; may be null.</param>
    /// <param name="run">The benchmark.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What <paramref name="run"/> returns.</returns>
    public static async Task<T> RunAsync<T>(
        IEmbeddingGenerator<string, Embedding<float>>? given,
        IProgress<string>? progress,
        Func<IEmbeddingGenerator<string, Embedding<float>>, Task<T>> run,
        CancellationToken cancellationToken)
    {
        if (given is not null)
        {
            return await run(given).ConfigureAwait(false);
        }

        using var owned = await MiniLmEmbeddingGenerator.CreateAsync(new MiniLmEmbeddingGeneratorOptions { Log = line => progress?.Report(line) }, cancellationToken).ConfigureAwait(false);
        return await run(owned).ConfigureAwait(false);
    }

    /// <summary>Gets the model id the generator reports, or <c>unknown</c>.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>The model id.</returns>
    public static string ModelId(IEmbeddingGenerator<string, Embedding<float>> generator) =>
        generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "unknown";

    /// <summary>Says where the generator runs: the offline MiniLM model on this machine's CPU, or the provider it reports.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>A short description, for example "offline, ONNX Runtime, CPU".</returns>
    public static string Runtime(IEmbeddingGenerator<string, Embedding<float>> generator) =>
        generator.GetService<MiniLmEmbeddingGenerator>() is not null
            ? "offline, ONNX Runtime, CPU"
            : generator.GetService<EmbeddingGeneratorMetadata>()?.ProviderName is { Length: > 0 } provider
                ? $"provider '{provider}'"
                : "supplied by the caller";

    /// <summary>Names a reranker the way every report does: its <see cref="IMemoryReranker.Name"/>, or <c>none</c>.</summary>
    /// <param name="retrieval">The retrieval options.</param>
    /// <returns>The name.</returns>
    public static string Reranker(MemoryRetrievalOptions retrieval) => retrieval.Reranker?.Name ?? "none";
}
