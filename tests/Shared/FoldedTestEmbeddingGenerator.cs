using Microsoft.Extensions.AI;

namespace SkMemory.Tests;

/// <summary>
/// A second deterministic embedder for reindex tests: <see cref="TestEmbeddingGenerator"/>'s bag of words folded to
/// fewer dimensions (dimension i gets the sum of every i-th), so it has another model id, another dimension and other
/// vectors, yet still ranks texts that share words together. Its batch calls can be held at a gate to catch a reindex
/// half-way.
/// </summary>
public sealed class FoldedTestEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly int _dimensions;
    private long _values;

    /// <summary>Initializes a new instance of the <see cref="FoldedTestEmbeddingGenerator"/> class.</summary>
    /// <param name="modelId">The model id it reports.</param>
    /// <param name="dimensions">The vector length; it must divide 256.</param>
    public FoldedTestEmbeddingGenerator(string modelId = "test-fold-64", int dimensions = 64)
    {
        if (dimensions <= 0 || TestEmbeddingGenerator.Dimensions % dimensions != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "must divide 256");
        }

        _dimensions = dimensions;
        _metadata = new EmbeddingGeneratorMetadata("test", null, modelId, dimensions);
    }

    /// <summary>Gets the model id.</summary>
    public string ModelId => _metadata.DefaultModelId!;

    /// <summary>Gets how many texts were embedded in all.</summary>
    public long ValueCount => Interlocked.Read(ref _values);

    /// <summary>Gets or sets a gate every call with more than one value waits at (reindex batches), or null.</summary>
    public SemaphoreSlim? BatchGate { get; set; }

    /// <summary>
    /// Gets a signal released once by every call that reaches <see cref="BatchGate"/>, just before it waits there: a test
    /// awaits it to know a batch has arrived (and, with a closed gate, is held).
    /// </summary>
    public SemaphoreSlim BatchArrived { get; } = new(0);

    /// <summary>Computes one text's folded vector.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The L2-normalized vector.</returns>
    public float[] Embed(string text)
    {
        var full = TestEmbeddingGenerator.Embed(text);
        var folded = new float[_dimensions];
        for (var i = 0; i < full.Length; i++)
        {
            folded[i % _dimensions] += full[i];
        }

        var norm = Math.Sqrt(folded.Sum(x => (double)x * x));
        if (norm == 0)
        {
            folded[0] = 1;
            return folded;
        }

        return folded.Select(x => (float)(x / norm)).ToArray();
    }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        if (texts.Count > 1 && BatchGate is { } gate)
        {
            BatchArrived.Release();
            await gate.WaitAsync(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Add(ref _values, texts.Count);
        return new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(Embed(t)) { ModelId = ModelId }));
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose() => BatchArrived.Dispose();
}
