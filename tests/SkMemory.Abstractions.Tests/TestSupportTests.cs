using Microsoft.Extensions.AI;
using SkMemory.Tests;

namespace SkMemory.Abstractions.Tests;

/// <summary>The conformance suite's own helpers must be deterministic and correct, or its facts mean nothing.</summary>
public sealed class TestSupportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbeddingGenerator_IsDeterministicNormalizedAndCountsCalls()
    {
        using var generator = new TestEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(["Ana likes oat milk", "Ana likes oat milk", "!!!"], cancellationToken: Ct);
        await generator.GenerateAsync("one more", cancellationToken: Ct);

        Assert.Equal(2, generator.CallCount);
        Assert.Equal(4, generator.ValueCount);
        Assert.All(embeddings, e => Assert.Equal(TestEmbeddingGenerator.Dimensions, e.Vector.Length));
        Assert.All(embeddings, e => Assert.Equal(TestEmbeddingGenerator.ModelId, e.ModelId));
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[1].Vector.ToArray());
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(x => (double)x * x)), 5));
        Assert.Equal(TestEmbeddingGenerator.Embed("Ana likes oat milk"), embeddings[0].Vector.ToArray());
    }

    [Fact]
    public void EmbeddingGenerator_TokenizesOnNonLetterOrDigitAndHashesStably()
    {
        Assert.Equal(["ana", "s", "café", "order", "2", "flat", "whites"], TestEmbeddingGenerator.Tokenize("Ana's CAFÉ-order: 2 flat_whites"));
        Assert.Equal(2166136261u, TestEmbeddingGenerator.Fnv1a(string.Empty));
        Assert.Equal(0xE40C292Cu, TestEmbeddingGenerator.Fnv1a("a"));
        Assert.Equal(TestEmbeddingGenerator.Embed("Oat, MILK!"), TestEmbeddingGenerator.Embed("oat milk"));
    }

    [Fact]
    public void EmbeddingGenerator_SharedWordsAreMoreSimilar()
    {
        var query = TestEmbeddingGenerator.Embed("oat milk coffee");
        var close = TestEmbeddingGenerator.Embed("Ana puts oat milk in her coffee");
        var far = TestEmbeddingGenerator.Embed("Bob repairs old bicycles");

        var closeSimilarity = Cosine(query, close);
        var farSimilarity = Cosine(query, far);

        Assert.True(closeSimilarity > 0.5, $"{closeSimilarity}");
        Assert.True(farSimilarity < closeSimilarity - 0.3, $"{farSimilarity} vs {closeSimilarity}");
        Assert.Equal(1, Cosine(close, close), 5);
    }

    [Fact]
    public void EmbeddingGenerator_ReportsItsMetadata()
    {
        using var generator = new TestEmbeddingGenerator();

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("test", metadata.ProviderName);
        Assert.Null(metadata.ProviderUri);
        Assert.Equal("test-hash-256", metadata.DefaultModelId);
        Assert.Equal(256, metadata.DefaultModelDimensions);
        Assert.Same(generator, generator.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Null(generator.GetService(typeof(string)));
        Assert.Null(generator.GetService(typeof(EmbeddingGeneratorMetadata), "key"));
    }

    [Fact]
    public async Task EmbeddingGenerator_IsSafeToCallFromManyThreads()
    {
        using var generator = new TestEmbeddingGenerator();
        var expected = TestEmbeddingGenerator.Embed("same text");

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => generator.GenerateAsync(["same text"], cancellationToken: Ct), Ct)));

        Assert.Equal(64, generator.CallCount);
        Assert.All(results, r => Assert.Equal(expected, r[0].Vector.ToArray()));
    }

    [Fact]
    public async Task EmbeddingGenerator_CancelledToken_Throws()
    {
        using var generator = new TestEmbeddingGenerator();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(["x"], cancellationToken: cancelled.Token));
        Assert.Equal(0, generator.CallCount);
    }

    [Fact]
    public async Task ManualTimeProvider_MovesOnlyWhenTold()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start.ToOffset(TimeSpan.FromHours(3)));

        Assert.Equal(start, clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
        Assert.Equal(start.AddMinutes(5), clock.Advance(TimeSpan.FromMinutes(5)));
        Assert.Equal(start.AddMinutes(5), clock.GetUtcNow());
        clock.UtcNow = start.AddDays(-1);
        Assert.Equal(start.AddDays(-1), clock.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(
            () =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    clock.Advance(TimeSpan.FromTicks(1));
                }
            },
            Ct)));
        Assert.Equal(start.AddDays(-1).AddTicks(8000), clock.GetUtcNow());
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
