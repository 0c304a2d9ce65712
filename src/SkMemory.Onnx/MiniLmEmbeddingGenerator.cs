using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace SkMemory.Embeddings;

/// <summary>
/// The offline default embedder: all-MiniLM-L6-v2 (4-bit ONNX) on ONNX Runtime, with Hugging Face-compatible BERT
/// tokenization, mean pooling and L2 normalization. 384 dimensions. Thread-safe; inputs are batched and truncated to
/// <see cref="MiniLmEmbeddingGeneratorOptions.MaxTokens"/>.
/// </summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly int _maxTokens;
    private readonly int _batchSize;
    private readonly EmbeddingGeneratorMetadata _metadata = new("onnx", null, MiniLmModel.ModelId, MiniLmModel.Dimensions);

    private MiniLmEmbeddingGenerator(InferenceSession session, BertTokenizer tokenizer, int maxTokens, int batchSize)
    {
        _session = session;
        _tokenizer = tokenizer;
        _maxTokens = maxTokens;
        _batchSize = batchSize;
    }

    /// <summary>Loads the model, fetching it once into the cache if needed.</summary>
    /// <remarks>
    /// The options are read (and validated) once, here: changing them afterwards does not affect the generator. Files
    /// already in the cache are checked quickly, by their verification marker (see
    /// <see cref="MiniLmModel.CheckAsync(string, bool, CancellationToken)"/>).
    /// </remarks>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="InvalidOperationException">The model files are missing and cannot be fetched; the message says how to fix it.</exception>
    public static async Task<MiniLmEmbeddingGenerator> CreateAsync(MiniLmEmbeddingGeneratorOptions? options = null, CancellationToken cancellationToken = default)
    {
        // A private copy, validated: the caller's object may change (or be changed by another thread) at any time.
        options = options?.Copy() ?? new MiniLmEmbeddingGeneratorOptions();
        options.Validate();
        var directory = options.ModelDirectory ?? MiniLmModel.DefaultDirectory;
        if (options.FetchIfMissing)
        {
            directory = await MiniLmModel.EnsureAsync(directory, options.Log, cancellationToken).ConfigureAwait(false);
        }
        else if (await MiniLmModel.CheckAsync(directory, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new InvalidOperationException($"The embedding model is not usable: {problem}. Run 'scripts/install-deps.sh' or let SkMemory fetch it (FetchIfMissing = true).");
        }

        var tokenizer = CreateTokenizer(Path.Combine(directory, "vocab.txt"));
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.IntraOpThreads == 0 ? Environment.ProcessorCount : options.IntraOpThreads,
            InterOpNumThreads = 1,
        };

        // The graph names its weights file (model_q4.onnx_data) relative to itself: load by path, never from bytes.
        var session = new InferenceSession(Path.Combine(directory, "onnx", "model_q4.onnx"), sessionOptions);
        return new MiniLmEmbeddingGenerator(session, tokenizer, options.MaxTokens, options.BatchSize);
    }

    /// <summary>Tokenizes like Hugging Face's BERT (uncased) tokenizer, with [CLS] and [SEP], truncated to the options' limit.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token ids.</returns>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _tokenizer.EncodeToIds(text, addSpecialTokens: true);
        if (ids.Count <= _maxTokens)
        {
            return ids;
        }

        // Keep the final [SEP], as sentence-transformers does.
        var truncated = ids.Take(_maxTokens - 1).ToList();
        truncated.Add(_tokenizer.SeparatorTokenId);
        return truncated;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        for (var start = 0; start < texts.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = texts.GetRange(start, Math.Min(_batchSize, texts.Count - start));
            foreach (var vector in EmbedBatch(batch))
            {
                result.Add(new Embedding<float>(vector) { ModelId = MiniLmModel.ModelId, CreatedAt = DateTimeOffset.UtcNow });
            }
        }

        return Task.FromResult(result);
    }

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
    public void Dispose() => _session.Dispose();

    // The special tokens' ids come from the vocabulary (BertTokenizer looks its default [UNK], [SEP], [PAD], [CLS] and
    // [MASK] up there); the pre-tokenizer pattern keeps those tokens whole itself, so it needs no id table.
    internal static BertTokenizer CreateTokenizer(string vocabPath) =>
        BertTokenizer.Create(vocabPath, new BertOptions
        {
            Normalizer = new HfBertNormalizer(),
            PreTokenizer = new RegexPreTokenizer(new Regex(HfBertNormalizer.PreTokenizerPattern, RegexOptions.Compiled), specialTokens: null),
        });

    private float[][] EmbedBatch(List<string> texts)
    {
        var tokenized = texts.Select(t => Tokenize(t ?? string.Empty)).ToList();
        var length = tokenized.Max(t => t.Count);
        var ids = new long[texts.Count * length];
        var mask = new long[texts.Count * length];
        var types = new long[texts.Count * length];
        for (var row = 0; row < tokenized.Count; row++)
        {
            for (var col = 0; col < tokenized[row].Count; col++)
            {
                ids[(row * length) + col] = tokenized[row][col];
                mask[(row * length) + col] = 1;
            }
        }

        long[] shape = [texts.Count, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(
            runOptions,
            ["input_ids", "attention_mask", "token_type_ids"],
            [idsValue, maskValue, typesValue],
            ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var dimensions = MiniLmModel.Dimensions;

        // Mean pooling over real tokens, then L2 normalization.
        var vectors = new float[texts.Count][];
        for (var row = 0; row < texts.Count; row++)
        {
            var vector = new float[dimensions];
            var count = tokenized[row].Count;
            for (var col = 0; col < count; col++)
            {
                TensorPrimitives.Add(vector, hidden.Slice(((row * length) + col) * dimensions, dimensions), vector);
            }

            TensorPrimitives.Divide(vector, count, vector);
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0)
            {
                TensorPrimitives.Divide(vector, norm, vector);
            }

            vectors[row] = vector;
        }

        return vectors;
    }
}
