using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace SkMemory.Cli.Commands;

/// <summary>
/// Serves embeddings computed beforehand in batches (a benchmark's data set) and embeds every other text live with the
/// inner generator, so loading a data set costs batched embedding while the timed calls pay the real per-call cost.
/// </summary>
internal sealed class BenchEmbeddingCache : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, Embedding<float>> _known = new(StringComparer.Ordinal);

    public BenchEmbeddingCache(IEmbeddingGenerator<string, Embedding<float>> innerGenerator)
        : base(innerGenerator)
    {
    }

    /// <summary>Embeds <paramref name="texts"/> in batches and keeps the vectors.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every text is embedded.</returns>
    public async Task PrecomputeAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        foreach (var batch in texts.Where(t => !_known.ContainsKey(t)).Distinct(StringComparer.Ordinal).Chunk(64))
        {
            var embeddings = await InnerGenerator.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Length; i++)
            {
                _known[batch[i]] = embeddings[i];
            }
        }
    }

    /// <summary>Forgets the precomputed vectors: from now on every text is embedded live.</summary>
    public void Forget() => _known.Clear();

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? [.. values];
        if (texts.Count > 0 && texts.All(_known.ContainsKey))
        {
            return [.. texts.Select(t => _known[t])];
        }

        return await base.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
    }

#pragma warning disable CA2215 // The inner generator belongs to the caller (the process-wide model); this class holds nothing else.
    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
    }
#pragma warning restore CA2215
}
