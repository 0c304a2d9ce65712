using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkMemory.Embeddings;
using Xunit;

namespace SkMemory.Onnx.Tests;

public sealed class MiniLmEmbeddingGeneratorTests(MiniLmFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, int[]> HfCases()
    {
        var data = new TheoryData<string, int[]>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "hf-tokenizer-ids.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HfCases))]
    public void Tokenize_HardStrings_MatchHuggingFaceIds(string text, int[] expected)
    {
        Assert.Equal(expected, fixture.Generator.Tokenize(text));
    }

    [Fact]
    public void Tokenize_LongInput_IsTruncatedKeepingFinalSep()
    {
        var ids = fixture.Generator.Tokenize(string.Join(' ', Enumerable.Repeat("memory", 1000)));

        Assert.Equal(256, ids.Count);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
    }

    [Fact]
    public async Task GenerateAsync_RelatedSentences_AreCloserThanUnrelated()
    {
        var e = await fixture.Generator.GenerateAsync(
            ["I prefer 30 minute meetings", "Keep my meetings short, half an hour", "My shipping address is 5 Elm St", "I am allergic to peanuts", "Do not put nuts in my food"],
            cancellationToken: Ct);

        Assert.All(e, v => Assert.Equal(384, v.Vector.Length));
        Assert.All(e, v => Assert.Equal(1.0, TensorPrimitives.Norm(v.Vector.Span), 3));
        Assert.True(Cosine(e[0], e[1]) > 0.6, $"related: {Cosine(e[0], e[1])}");
        Assert.True(Cosine(e[0], e[2]) < 0.2, $"unrelated: {Cosine(e[0], e[2])}");
        Assert.True(Cosine(e[3], e[4]) > 0.5, $"allergy: {Cosine(e[3], e[4])}");
    }

    [Fact]
    public async Task GenerateAsync_TextAloneOrInsidePaddedBatch_GivesTheSameVector()
    {
        var alone = await fixture.Generator.GenerateAsync(["short"], cancellationToken: Ct);
        var batch = await fixture.Generator.GenerateAsync(["short", "a much longer sentence that forces padding of the shorter one in the batch"], cancellationToken: Ct);

        Assert.Equal(1.0, Cosine(alone[0], batch[0]), 4);
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentCallers_GetTheSameVectors()
    {
        string[] texts = ["likes oat milk", "drives a 2019 Civic", "fluent in Go", "never email after 6pm"];
        var expected = await fixture.Generator.GenerateAsync(texts, cancellationToken: Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => fixture.Generator.GenerateAsync(texts, cancellationToken: Ct), Ct)));

        foreach (var result in results)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.Equal(1.0, Cosine(expected[i], result[i]), 5);
            }
        }
    }

    [Fact]
    public async Task GenerateAsync_MoreTextsThanOneBatch_ReturnsOneEmbeddingPerTextInOrder()
    {
        var texts = Enumerable.Range(0, 19).Select(i => $"note number {i}").ToList();
        var all = await fixture.Generator.GenerateAsync(texts, cancellationToken: Ct);
        var single = await fixture.Generator.GenerateAsync([texts[13]], cancellationToken: Ct);

        Assert.Equal(19, all.Count);
        Assert.Equal(1.0, Cosine(all[13], single[0]), 4);
        Assert.All(all, v => Assert.Equal(MiniLmModel.ModelId, v.ModelId));
    }

    [Fact]
    public void GetService_ReturnsModelMetadata()
    {
        var metadata = Assert.IsType<EmbeddingGeneratorMetadata>(fixture.Generator.GetService(typeof(EmbeddingGeneratorMetadata)));

        Assert.Equal("all-MiniLM-L6-v2-q4", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
    }

    [Fact]
    public async Task CheckAsync_MissingOrCorruptFiles_SaysWhich()
    {
        var empty = Directory.CreateTempSubdirectory("skmemory-model-test-").FullName;
        try
        {
            Assert.Contains("model_q4.onnx is missing", await MiniLmModel.CheckAsync(empty, Ct), StringComparison.Ordinal);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                MiniLmEmbeddingGenerator.CreateAsync(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = empty, FetchIfMissing = false }, Ct));
            Assert.Contains("install-deps.sh", error.Message, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(empty, "onnx"));
            await File.WriteAllTextAsync(Path.Combine(empty, "onnx", "model_q4.onnx"), "not a model", Ct);
            Assert.Contains("expected SHA-256", await MiniLmModel.CheckAsync(empty, Ct), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task EnsureAsync_ConcurrentFirstFetchesIntoOneFolder_AllGetTheVerifiedModel()
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("skmemory-model-race-").FullName, "model");
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => MiniLmModel.EnsureAsync(folder, cancellationToken: Ct), Ct)));

            Assert.All(results, r => Assert.Equal(folder, r));
            Assert.Null(await MiniLmModel.CheckAsync(folder, verify: true, Ct));

            // The fetch hashed the files once and left the marker that lets later loads skip hashing.
            var marker = await File.ReadAllTextAsync(Path.Combine(folder, MiniLmModel.MarkerFileName), Ct);
            Assert.All(["onnx/model_q4.onnx\t", "onnx/model_q4.onnx_data\t", "vocab.txt\t"], name => Assert.Contains(name, marker, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public async Task Options_OutOfRange_AreRejected()
    {
        Assert.Throws<ArgumentException>("MaxTokens", () => new MiniLmEmbeddingGeneratorOptions { MaxTokens = 600 }.Validate());
        Assert.Throws<ArgumentException>("BatchSize", () => new MiniLmEmbeddingGeneratorOptions { BatchSize = 0 }.Validate());
        await Assert.ThrowsAsync<ArgumentException>("BatchSize", () => MiniLmEmbeddingGenerator.CreateAsync(new MiniLmEmbeddingGeneratorOptions { BatchSize = 0 }, Ct));
    }

    [Fact]
    public async Task CreateAsync_OptionsChangedAfterwards_DoNotReachTheGenerator()
    {
        var options = new MiniLmEmbeddingGeneratorOptions { MaxTokens = 16, BatchSize = 2 };
        using var generator = await MiniLmEmbeddingGenerator.CreateAsync(options, Ct);
        options.MaxTokens = 600;
        options.BatchSize = 0;

        var ids = generator.Tokenize(string.Join(' ', Enumerable.Repeat("memory", 100)));
        var embeddings = await Task.Run(() => generator.GenerateAsync(["one", "two", "three"], cancellationToken: Ct), Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);

        Assert.Equal(16, ids.Count);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(3, embeddings.Count);
    }

    private static double Cosine(Embedding<float> a, Embedding<float> b) => TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);
}
