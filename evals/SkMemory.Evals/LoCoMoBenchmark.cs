using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using SkMemory.Embeddings;
using SkMemory.Packing;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Evals;

/// <summary>Options of <see cref="LoCoMoBenchmark"/>.</summary>
public sealed class LoCoMoBenchmarkOptions
{
    /// <summary>Gets or sets the embedder; null loads the offline default (<see cref="MiniLmEmbeddingGenerator"/>).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>Gets or sets the packet budget in o200k tokens.</summary>
    public int PacketBudget { get; set; } = 1000;

    /// <summary>Gets or sets where the per-conversation stores are created; the system temp folder by default.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Gets or sets the retrieval options of the stores (<see cref="MemoryStoreOptions.Retrieval"/>); null for the defaults.</summary>
    public MemoryRetrievalOptions? Retrieval { get; set; }
}

/// <summary>
/// The LoCoMo retrieval benchmark: every turn of every conversation written as a memory through the real store and
/// embedder, then every question with evidence searched (hybrid) twice: with <see cref="Top"/> for evidence recall@k,
/// and with <see cref="PacketCandidates"/> for the packet.
/// </summary>
public static class LoCoMoBenchmark
{
    /// <summary>The tenant the turns are written in.</summary>
    public const string Tenant = "locomo";

    /// <summary>How many results each question asks for.</summary>
    public const int Top = 20;

    /// <summary>How many hybrid hits the packet is filled from (a second search of the question).</summary>
    public const int PacketCandidates = 100;

    /// <summary>Runs the benchmark on the conversations in <paramref name="dataFolder"/>.</summary>
    /// <param name="dataFolder">The folder with the LoCoMo JSON files (never copied anywhere).</param>
    /// <param name="progress">Receives progress lines; may be null.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results.</returns>
    public static Task<LoCoMoResult> RunAsync(string dataFolder, IProgress<string>? progress, CancellationToken cancellationToken = default) =>
        RunAsync(dataFolder, progress, new LoCoMoBenchmarkOptions(), cancellationToken);

    /// <summary>Runs the benchmark on the conversations in <paramref name="dataFolder"/>.</summary>
    /// <param name="dataFolder">The folder with the LoCoMo JSON files (never copied anywhere).</param>
    /// <param name="progress">Receives progress lines; may be null.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results.</returns>
    public static async Task<LoCoMoResult> RunAsync(string dataFolder, IProgress<string>? progress, LoCoMoBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PacketBudget, 1);
        var conversations = await LoCoMoLoader.LoadFolderAsync(dataFolder, cancellationToken).ConfigureAwait(false);
        return await BenchmarkEmbedder.RunAsync(options.EmbeddingGenerator, progress, RunWithAsync, cancellationToken).ConfigureAwait(false);

        async Task<LoCoMoResult> RunWithAsync(IEmbeddingGenerator<string, Embedding<float>> generator)
        {
            var questions = new List<LoCoMoQuestionResult>();
            var summaries = new List<LoCoMoConversationResult>();
            for (var i = 0; i < conversations.Count; i++)
            {
                progress?.Report($"conversation {i + 1}/{conversations.Count}: {conversations[i].Id}");
                var (summary, results) = await RunConversationAsync(conversations[i], generator, options, progress, cancellationToken).ConfigureAwait(false);
                summaries.Add(summary);
                questions.AddRange(results);
            }

            return new LoCoMoResult
            {
                Questions = questions,
                Conversations = summaries,
                EmbeddingModel = BenchmarkEmbedder.ModelId(generator),
                EmbeddingRuntime = BenchmarkEmbedder.Runtime(generator),
                Store = Describe(options.Retrieval),
                PacketMethod = $"SkMemory.Packing.MemoryPacketBuilder (o200k, near-duplicate dedup, quoted rendering with ids) over the hits of a second hybrid search of the question with Top = {PacketCandidates}; tokens are the whole packet text, header included",
                PacketBudget = options.PacketBudget,
                FinishedAt = DateTimeOffset.UtcNow,
            };
        }
    }

    private static async Task<(LoCoMoConversationResult Summary, List<LoCoMoQuestionResult> Results)> RunConversationAsync(
        LoCoMoConversation conversation,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        LoCoMoBenchmarkOptions options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), $"skmem-locomo-{Guid.NewGuid():N}");
        try
        {
            using var store = await SqliteMemoryStore.OpenAsync(
                new SqliteMemoryStoreOptions { Path = Path.Combine(folder, "locomo.db"), EmbeddingGenerator = generator, Retrieval = options.Retrieval ?? new() },
                cancellationToken: cancellationToken).ConfigureAwait(false);

            // Ingest: one WriteAsync per turn, the real path. Identical turns of one speaker are one memory (the store
            // deduplicates content per subject); such a memory stands for every turn that said it.
            var turnsOf = new Dictionary<Guid, List<string>>();
            var total = conversation.Turns.Count();
            var written = 0;
            var clock = Stopwatch.StartNew();
            foreach (var session in conversation.Sessions)
            {
                foreach (var turn in session.Turns)
                {
                    var result = await store.WriteAsync(ToWrite(conversation.Id, session, turn), cancellationToken).ConfigureAwait(false);
                    if (!turnsOf.TryGetValue(result.Record.Id, out var ids))
                    {
                        turnsOf[result.Record.Id] = ids = [];
                    }

                    ids.Add(turn.DiaId);
                    if (++written % 100 == 0 || written == total)
                    {
                        progress?.Report($"  {conversation.Id}: {written}/{total} turns written ({clock.Elapsed.TotalSeconds:F1} s)");
                    }
                }
            }

            var ingestTime = clock.Elapsed;

            // The packet's own tokenizer (o200k_base by default) counts the whole conversation too.
            var packetOptions = new MemoryPacketOptions { TokenBudget = options.PacketBudget };
            var conversationTokens = conversation.Turns.Sum(t => packetOptions.Tokenizer.CountTokens(t.MemoryText));

            // Questions: one hybrid search with Top = 20 for recall@k, then another with Top = 100 whose hits fill the packet
            // (the requested top sets how many candidates each retriever fetches and how many the reranker sees, so the
            // first 20 of a top-100 search are not the top-20 search). Each is timed on its own.
            var packetBuilder = new MemoryPacketBuilder(packetOptions);
            var searchTime = TimeSpan.Zero;
            var packetTime = TimeSpan.Zero;
            var results = new List<LoCoMoQuestionResult>();
            foreach (var question in conversation.Questions.Where(q => q.Evidence.Count > 0))
            {
                var start = Stopwatch.GetTimestamp();
                var hits = await SearchAsync(store, conversation.Id, question.Question, Top, cancellationToken).ConfigureAwait(false);
                var searched = Stopwatch.GetTimestamp();
                var packet = packetBuilder.Build(await SearchAsync(store, conversation.Id, question.Question, PacketCandidates, cancellationToken).ConfigureAwait(false));
                var packed = Stopwatch.GetTimestamp();
                searchTime += Stopwatch.GetElapsedTime(start, searched);
                packetTime += Stopwatch.GetElapsedTime(searched, packed);

                var ranked = hits.Select(h => (IReadOnlyCollection<string>)TurnsOf(turnsOf, h.Record.Id)).ToList();
                results.Add(new LoCoMoQuestionResult(
                    conversation.Id,
                    question.Category,
                    question.Evidence.Count,
                    EvidenceRecall.AtK(ranked, question.Evidence, 5),
                    EvidenceRecall.AtK(ranked, question.Evidence, 10),
                    EvidenceRecall.AtK(ranked, question.Evidence, 20),
                    EvidenceRecall.Of(packet.Included.SelectMany(i => TurnsOf(turnsOf, i.MemoryId)), question.Evidence),
                    packet.TokenCount));
            }

            progress?.Report($"  {conversation.Id}: {results.Count} questions searched ({searchTime.TotalSeconds:F1} s) and packed ({packetTime.TotalSeconds:F1} s)");
            return (new LoCoMoConversationResult(conversation.Id, conversation.Sessions.Count, total, turnsOf.Count, conversationTokens, results.Count, ingestTime, searchTime, packetTime), results);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private static Task<IReadOnlyList<MemorySearchResult>> SearchAsync(SqliteMemoryStore store, string conversationId, string question, int top, CancellationToken cancellationToken) =>
        store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Subject = conversationId, Text = question, Top = top, Mode = MemorySearchMode.Hybrid }, cancellationToken);

    private static string Describe(MemoryRetrievalOptions? given)
    {
        var retrieval = given ?? new MemoryRetrievalOptions();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SqliteMemoryStore (embedded SQLite, FTS5 + exact vectors) with {(given is null ? "the default" : "this")} retrieval: reciprocal rank fusion (k = {retrieval.RrfK}), neighbour context (weight {retrieval.NeighborWeight}), decay/salience/confidence, then reranker {BenchmarkEmbedder.Reranker(retrieval)}");
    }

    private static MemoryWriteRequest ToWrite(string conversationId, LoCoMoSession session, LoCoMoTurn turn) =>
        new()
        {
            Tenant = Tenant,
            Type = MemoryTypes.Event,
            Subject = conversationId,
            Actor = MemoryActor.User(turn.Speaker),
            Value = turn.MemoryText,
            ValidFrom = session.DateTime,
            Provenance = new MemoryProvenance
            {
                SourceKind = MemorySourceKind.Message,
                MessageIds = [turn.DiaId],
                ObservedAt = session.DateTime,
            },
            Metadata = new Dictionary<string, string>
            {
                ["dia_id"] = turn.DiaId,
                ["session"] = session.Number.ToString(CultureInfo.InvariantCulture),
            },
            IdempotencyKey = turn.DiaId,
        };

    private static List<string> TurnsOf(Dictionary<Guid, List<string>> turnsOf, Guid memoryId) =>
        turnsOf.TryGetValue(memoryId, out var ids) ? ids : [];
}
