using Microsoft.Extensions.AI;

namespace SkMemory.Cli;

/// <summary>
/// Stands in for the serving model where a command only needs its name (<c>skmem reindex</c> retires it, <c>skmem model
/// list</c> labels it), so the model is neither loaded nor reached. It never embeds.
/// </summary>
internal sealed class ModelNameOnlyGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata;

    public ModelNameOnlyGenerator(string model)
    {
        Model = model;
        _metadata = new EmbeddingGeneratorMetadata("skmem", null, model);
    }

    /// <summary>Gets the model name.</summary>
    public string Model { get; }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"The model '{Model}' is only named here, not loaded; this command should not embed with it.");

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
