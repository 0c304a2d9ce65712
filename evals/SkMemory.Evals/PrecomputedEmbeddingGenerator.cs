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

    public PrecomputedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator)
        : base(innerGenerator)
    {
    }

    /// <summary>Gets how many texts went to the inner generator through this one.</summary>
    public long LiveValues => Interlocked.Read(ref _liveValues);

    /// <summary>Embeds <paramref name="texts"/> with one call to the inner generator (which batches as it needs) and keeps the vectors.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when every text is embedded.</returns>
    public async Task PrecomputeAsync(IEnumerable<string> texts, CancellationToken cancellationToken)
    {
        var missing = texts.Where(t => !_known.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var embeddings = await InnerGenerator.GenerateAsync(missing, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < missing.Count; i++)
        {
            _known[missing[i]] = embeddings[i];
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
