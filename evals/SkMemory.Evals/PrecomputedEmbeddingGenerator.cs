using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace SkMemory.Evals;

/// <summary>
/// Serves embeddings computed ahead of time, in batches, for known texts, and embeds every other text with the inner
/// generator: bulk ingest pays for batched embedding instead of one model run per write, while search queries (never
/// precomputed) are still embedded live. Counts what it embeds live. Does not own the inner generator.
/// </summary>
internal sealed class PrecomputedEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, Embedding<float>> _known = new(StringComparer.Ordinal);
    private long _liveValues;
    private long _servedValues;

    public PrecomputedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator)
        : base(innerGenerator)
    {
    }

    /// <summary>Gets how many texts went to the inner generator through this one.</summary>
    public long LiveValues => Interlocked.Read(ref _liveValues);

    /// <summary>Gets how many texts were served from the precomputed set.</summary>
    public long ServedValues => Interlocked.Read(ref _servedValues);

    /// <summary>Embeds <paramref name="texts"/> with the inner generator, <paramref name="batchSize"/> at a time, and keeps the vectors.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="batchSize">Texts per call.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every text is embedded.</returns>
    public async Task PrecomputeAsync(IReadOnlyList<string> texts, int batchSize, CancellationToken cancellationToken)
    {
        for (var start = 0; start < texts.Count; start += batchSize)
        {
            var batch = texts.Skip(start).Take(batchSize).Where(t => !_known.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
            if (batch.Count == 0)
            {
                continue;
            }

            var embeddings = await InnerGenerator.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                _known[batch[i]] = embeddings[i];
            }
        }
    }

    /// <summary>Drops every precomputed vector (after ingest: what follows is embedded live).</summary>
    public void Forget() => _known.Clear();

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var result = new Embedding<float>[texts.Count];
        List<int>? missing = null;
        for (var i = 0; i < texts.Count; i++)
        {
            if (_known.TryGetValue(texts[i], out var known))
            {
                result[i] = known;
            }
            else
            {
                (missing ??= []).Add(i);
            }
        }

        Interlocked.Add(ref _servedValues, texts.Count - (missing?.Count ?? 0));
        if (missing is not null)
        {
            var live = await InnerGenerator.GenerateAsync(missing.Select(i => texts[i]), options, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _liveValues, missing.Count);
            for (var j = 0; j < missing.Count; j++)
            {
                result[missing[j]] = live[j];
            }
        }

        return new GeneratedEmbeddings<Embedding<float>>(result);
    }

    /// <inheritdoc />
#pragma warning disable CA2215 // The base would dispose the inner generator, which belongs to the caller; this class holds nothing else.
    protected override void Dispose(bool disposing) => _known.Clear();
#pragma warning restore CA2215
}
