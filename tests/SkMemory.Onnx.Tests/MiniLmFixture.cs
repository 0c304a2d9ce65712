using SkMemory.Embeddings;
using Xunit;

[assembly: AssemblyFixture(typeof(SkMemory.Onnx.Tests.MiniLmFixture))]

namespace SkMemory.Onnx.Tests;

/// <summary>One real model for the whole test run, fetched once into the cache on first use.</summary>
public sealed class MiniLmFixture : IAsyncLifetime
{
    public MiniLmEmbeddingGenerator Generator { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Generator = await MiniLmEmbeddingGenerator.CreateAsync(new MiniLmEmbeddingGeneratorOptions { Log = Console.Error.WriteLine });

    public ValueTask DisposeAsync()
    {
        Generator.Dispose();
        return ValueTask.CompletedTask;
    }
}
