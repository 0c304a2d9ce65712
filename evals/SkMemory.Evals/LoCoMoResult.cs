namespace SkMemory.Evals;

/// <summary>What the benchmark measured for one question.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Category">The category label.</param>
/// <param name="Evidence">How many evidence turns the question has.</param>
/// <param name="RecallAt5">Evidence recall in the top 5.</param>
/// <param name="RecallAt10">Evidence recall in the top 10.</param>
/// <param name="RecallAt20">Evidence recall in the top 20.</param>
/// <param name="PacketRecall">Evidence recall inside the token-budgeted packet.</param>
/// <param name="PacketTokens">The packet's size in o200k tokens.</param>
public sealed record LoCoMoQuestionResult(
    string ConversationId,
    int Category,
    int Evidence,
    double RecallAt5,
    double RecallAt10,
    double RecallAt20,
    double PacketRecall,
    int PacketTokens);

/// <summary>Averages over one category (or over all questions).</summary>
/// <param name="Category">The category label, or <c>all</c>.</param>
/// <param name="Questions">How many questions with evidence.</param>
/// <param name="RecallAt5">Mean recall@5.</param>
/// <param name="RecallAt10">Mean recall@10.</param>
/// <param name="RecallAt20">Mean recall@20.</param>
/// <param name="PacketRecall">Mean recall inside the packet.</param>
/// <param name="PacketTokens">Mean packet size in tokens.</param>
public sealed record LoCoMoCategoryResult(string Category, int Questions, double RecallAt5, double RecallAt10, double RecallAt20, double PacketRecall, double PacketTokens)
{
    /// <summary>Averages a set of question results.</summary>
    /// <param name="category">The label.</param>
    /// <param name="results">The question results.</param>
    /// <returns>The averages (zeros when empty).</returns>
    public static LoCoMoCategoryResult Of(string category, IReadOnlyCollection<LoCoMoQuestionResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Count == 0
            ? new LoCoMoCategoryResult(category, 0, 0, 0, 0, 0, 0)
            : new LoCoMoCategoryResult(
                category,
                results.Count,
                results.Average(r => r.RecallAt5),
                results.Average(r => r.RecallAt10),
                results.Average(r => r.RecallAt20),
                results.Average(r => r.PacketRecall),
                results.Average(r => r.PacketTokens));
    }
}

/// <summary>Plain BM25's evidence recall over one category (or all questions): the bar to beat.</summary>
/// <param name="Category">The category label, or <c>all</c>.</param>
/// <param name="Questions">How many questions with evidence.</param>
/// <param name="RecallAt5">Mean recall@5.</param>
/// <param name="RecallAt10">Mean recall@10.</param>
/// <param name="RecallAt20">Mean recall@20.</param>
public sealed record LoCoMoBm25Bar(string Category, int Questions, double RecallAt5, double RecallAt10, double RecallAt20);

/// <summary>What was ingested from one conversation, and how long it took.</summary>
/// <param name="Id">The conversation id.</param>
/// <param name="Sessions">Sessions.</param>
/// <param name="Turns">Turns in the file.</param>
/// <param name="Memories">Distinct memories the store holds after ingest (identical turns of one speaker share one).</param>
/// <param name="Tokens">The whole conversation's memory texts in o200k tokens.</param>
/// <param name="Questions">Questions with evidence.</param>
/// <param name="IngestTime">Time to write every turn through <see cref="IMemoryStore.WriteAsync"/>.</param>
/// <param name="SearchTime">Time to run every question's recall@k search (Top = 20).</param>
/// <param name="PacketTime">Time to run every question's packet: its second search (Top = 100) and the packet build.</param>
public sealed record LoCoMoConversationResult(string Id, int Sessions, int Turns, int Memories, int Tokens, int Questions, TimeSpan IngestTime, TimeSpan SearchTime, TimeSpan PacketTime);

/// <summary>The benchmark's results.</summary>
public sealed record LoCoMoResult
{
    /// <summary>Gets the per-question results.</summary>
    public required IReadOnlyList<LoCoMoQuestionResult> Questions { get; init; }

    /// <summary>Gets the per-conversation ingest summaries.</summary>
    public required IReadOnlyList<LoCoMoConversationResult> Conversations { get; init; }

    /// <summary>Gets the embedding model used.</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets where the embedder ran (for example "offline, ONNX Runtime, CPU").</summary>
    public required string EmbeddingRuntime { get; init; }

    /// <summary>Gets the store used.</summary>
    public required string Store { get; init; }

    /// <summary>Gets how the packet was built.</summary>
    public required string PacketMethod { get; init; }

    /// <summary>Gets the packet budget in tokens.</summary>
    public required int PacketBudget { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Gets the averages per category 1..5, then over all questions.</summary>
    public IReadOnlyList<LoCoMoCategoryResult> Categories =>
        [
            .. Enumerable.Range(1, 5).Select(c => LoCoMoCategoryResult.Of(c.ToString(System.Globalization.CultureInfo.InvariantCulture), Questions.Where(q => q.Category == c).ToList())),
            LoCoMoCategoryResult.Of("all", Questions),
        ];

    /// <summary>Gets the mean whole-conversation size in tokens.</summary>
    public double ConversationTokens => Conversations.Count == 0 ? 0 : Conversations.Average(c => c.Tokens);

    /// <summary>Gets the mean packet size in tokens.</summary>
    public double PacketTokens => Questions.Count == 0 ? 0 : Questions.Average(q => q.PacketTokens);

    /// <summary>Gets the total ingest time.</summary>
    public TimeSpan IngestTime => TimeSpan.FromTicks(Conversations.Sum(c => c.IngestTime.Ticks));

    /// <summary>Gets the total time of the recall@k searches.</summary>
    public TimeSpan SearchTime => TimeSpan.FromTicks(Conversations.Sum(c => c.SearchTime.Ticks));

    /// <summary>Gets the total time of the packets (second search plus build).</summary>
    public TimeSpan PacketTime => TimeSpan.FromTicks(Conversations.Sum(c => c.PacketTime.Ticks));
}
