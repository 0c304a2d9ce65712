using Microsoft.Extensions.AI;

namespace SkMemory.Tests;

/// <summary>
/// A deterministic bag-of-words embedding for tests: texts that share words are close in cosine similarity, the same text
/// always gives the same vector on every machine and process, and calls are counted.
/// </summary>
/// <remarks>
/// The text is lower-cased and split on every character that is not a letter or a digit. Each token is hashed with
/// 32-bit FNV-1a over its UTF-16 code units (never <see cref="string.GetHashCode()"/>, which is randomized per process):
/// the low 8 bits pick one of <see cref="Dimensions"/> dimensions and bit 16 picks the sign. The sum is L2-normalized.
/// A text with no token embeds to the unit vector on dimension 0. Thread-safe.
/// </remarks>
public sealed class TestEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The vector length.</summary>
    public const int Dimensions = 256;

    /// <summary>The model id reported through <see cref="EmbeddingGeneratorMetadata"/> and on each embedding.</summary>
    public const string ModelId = "test-hash-256";

    private static readonly EmbeddingGeneratorMetadata Metadata = new("test", null, ModelId, Dimensions);
    private long _calls;
    private long _values;

    /// <summary>Gets how many times <see cref="GenerateAsync"/> was called.</summary>
    public long CallCount => Interlocked.Read(ref _calls);

    /// <summary>Gets how many texts were embedded in all.</summary>
    public long ValueCount => Interlocked.Read(ref _values);

    /// <summary>Computes the embedding of one text (the same vector <see cref="GenerateAsync"/> returns), without counting a call.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The L2-normalized vector.</returns>
    public static float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vector = new float[Dimensions];
        var any = false;
        foreach (var token in Tokenize(text))
        {
            var hash = Fnv1a(token);
            var dimension = (int)(hash & 0xFF);
            vector[dimension] += (hash & 0x1_0000) == 0 ? 1f : -1f;
            any = true;
        }

        var norm = 0.0;
        foreach (var x in vector)
        {
            norm += x * x;
        }

        if (!any || norm == 0)
        {
            // No token (or tokens that cancel out): a fixed unit vector keeps cosine similarity defined.
            Array.Clear(vector);
            vector[0] = 1f;
            return vector;
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }

    /// <summary>Splits text into the lower-case tokens that are hashed.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens, in order, with repeats.</returns>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var start = -1;
        var lower = text.ToLowerInvariant();
        for (var i = 0; i <= lower.Length; i++)
        {
            var inToken = i < lower.Length && char.IsLetterOrDigit(lower[i]);
            if (inToken && start < 0)
            {
                start = i;
            }
            else if (!inToken && start >= 0)
            {
                tokens.Add(lower[start..i]);
                start = -1;
            }
        }

        return tokens;
    }

    /// <summary>The 32-bit FNV-1a hash of a string's UTF-16 code units.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The hash.</returns>
    public static uint Fnv1a(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            embeddings.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId });
            Interlocked.Increment(ref _values);
        }

        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
