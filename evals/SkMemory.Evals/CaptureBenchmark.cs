using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory.Capture;
using SkMemory.Embeddings;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Evals;

/// <summary>Options of <see cref="CaptureBenchmark"/>.</summary>
public sealed class CaptureBenchmarkOptions
{
    /// <summary>Gets or sets the embedder; null loads the offline default (<see cref="MiniLmEmbeddingGenerator"/>).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>Gets or sets the extractor under test; null for the offline <see cref="RuleBasedMemoryExtractor"/>.</summary>
    public IMemoryExtractor? Extractor { get; set; }

    /// <summary>Gets or sets the capture options (gate rules, evolve resolver); null for the defaults.</summary>
    public MemoryCaptureOptions? Capture { get; set; }

    /// <summary>Gets or sets the labelled set; null for the seeded set shipped with the evals.</summary>
    public CaptureSet? Set { get; set; }

    /// <summary>Gets or sets a value indicating whether each conversation is ingested a second time to check that a replay adds nothing.</summary>
    public bool Replay { get; set; } = true;

    /// <summary>Gets or sets where the per-conversation stores are created; the system temp folder by default.</summary>
    public string? WorkDirectory { get; set; }
}

/// <summary>
/// The capture benchmark: each conversation of a labelled set, then (when a folder is given) each LoCoMo conversation, is
/// ingested session by session (one ingestion job per session) into a fresh embedded store through
/// <see cref="MemoryCapturePipeline"/>, and what the store ends up holding is scored: against the labels (extraction recall
/// and precision per type, rejection accuracy, end state, corroboration, event dates), or against LoCoMo's annotated
/// observations (evidence coverage and a precision proxy). Every conversation is then ingested again, which must add no event.
/// </summary>
public static class CaptureBenchmark
{
    /// <summary>The tenant of the labelled conversations.</summary>
    public const string Tenant = "capture";

    /// <summary>The tenant of the LoCoMo conversations.</summary>
    public const string LoCoMoTenant = "locomo";

    /// <summary>Runs the benchmark.</summary>
    /// <param name="locomoFolder">The folder with the LoCoMo JSON files (read in place), or null to run the labelled set only.</param>
    /// <param name="progress">Receives progress lines; may be null.</param>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The results.</returns>
    public static async Task<CaptureResult> RunAsync(string? locomoFolder, IProgress<string>? progress, CaptureBenchmarkOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CaptureBenchmarkOptions();

        // Everything that can fail on bad input is read before the model is loaded.
        var set = options.Set ?? await CaptureSetLoader.LoadSeededAsync(cancellationToken).ConfigureAwait(false);
        var locomo = locomoFolder is null ? null : await LoCoMoLoader.LoadFolderAsync(locomoFolder, cancellationToken).ConfigureAwait(false);
        var extractor = options.Extractor ?? new RuleBasedMemoryExtractor();
        return await BenchmarkEmbedder.RunAsync(options.EmbeddingGenerator, progress, RunWithAsync, cancellationToken).ConfigureAwait(false);

        async Task<CaptureResult> RunWithAsync(IEmbeddingGenerator<string, Embedding<float>> generator)
        {
            var clock = Stopwatch.StartNew();
            var seeded = new List<CaptureConversationResult>();
            for (var i = 0; i < set.Conversations.Count; i++)
            {
                var conversation = set.Conversations[i];
                var result = await RunConversationAsync(conversation, generator, extractor, options, cancellationToken).ConfigureAwait(false);
                seeded.Add(result);
                progress?.Report(Inv($"{set.Name} {i + 1}/{set.Conversations.Count} {conversation.Id}: {result.Counts.Candidates} candidates, {result.Memories.Count} memories, {result.Labels.Count(l => l.Found)}/{result.Labels.Count} labels found ({result.IngestTime.TotalSeconds:F1} s)"));
            }

            var seededTime = clock.Elapsed;
            TimeSpan? locomoTime = null;
            CaptureLoCoMoResult? locomoResult = null;
            if (locomo is not null)
            {
                clock.Restart();
                var conversations = new List<CaptureLoCoMoConversationResult>();
                for (var i = 0; i < locomo.Count; i++)
                {
                    progress?.Report($"locomo {i + 1}/{locomo.Count}: {locomo[i].Id}");
                    conversations.Add(await RunLoCoMoConversationAsync(locomo[i], generator, extractor, options, progress, cancellationToken).ConfigureAwait(false));
                }

                locomoResult = new CaptureLoCoMoResult(conversations);
                locomoTime = clock.Elapsed;
            }

            return new CaptureResult
            {
                Seeded = new CaptureSetResult(set.Name, seeded),
                LoCoMo = locomoResult,
                Extractor = extractor.Name,
                Resolver = options.Capture?.Resolver?.Name ?? new RuleBasedMemoryConflictResolver().Name,
                DefaultGate = options.Capture is null,
                EmbeddingModel = BenchmarkEmbedder.ModelId(generator),
                EmbeddingRuntime = BenchmarkEmbedder.Runtime(generator),
                Store = "SqliteMemoryStore (embedded SQLite, FTS5 + exact vectors), a fresh file per conversation, default retrieval",
                SeededTime = seededTime,
                LoCoMoTime = locomoTime,
                FinishedAt = DateTimeOffset.UtcNow,
            };
        }
    }

    /// <summary>Scores one labelled conversation from what its jobs recorded and what the store holds afterwards.</summary>
    /// <param name="conversation">The conversation and its labels.</param>
    /// <param name="jobs">The first pass's jobs.</param>
    /// <param name="records">The memories the store holds (active and superseded).</param>
    /// <param name="replay">What the second pass did.</param>
    /// <param name="ingestTime">How long the first pass took.</param>
    /// <returns>The scores.</returns>
    internal static CaptureConversationResult Score(
        CaptureConversation conversation,
        IReadOnlyList<MemoryIngestionJob> jobs,
        IReadOnlyList<MemoryRecord> records,
        CaptureReplay replay,
        TimeSpan ingestTime)
    {
        static bool Matches(CaptureMemoryLabel label, MemoryRecord record) => Accounts(record, label.Type, label.Subject, label.Evidence);

        var memories = records
            .OrderBy(r => r.Id)
            .Select(r => new CaptureStoredMemory(
                r.Id,
                r.Type,
                r.Subject,
                r.Value.Text,
                r.Status,
                r.Provenance.MessageIds,
                r.Metadata.GetValueOrDefault(MemoryEvolver.KeyMetadata),
                r.ValidFrom,
                conversation.Memories.Any(l => Matches(l, r))))
            .ToList();

        var labels = new List<CaptureLabelResult>();
        foreach (var label in conversation.Memories)
        {
            var matches = memories.Where(m => m.Type == label.Type && m.Subject == label.Subject && m.MessageIds.Intersect(label.Evidence, StringComparer.Ordinal).Any()).ToList();
            MemoryStatus? end = matches.Count == 0 ? null
                : matches.Any(m => m.Status == MemoryStatus.Active) ? MemoryStatus.Active
                : MemoryStatus.Superseded;
            labels.Add(new CaptureLabelResult(
                label,
                matches,
                end,
                label.Evidence.Count > 1 && matches.Any(m => label.Evidence.All(e => m.MessageIds.Contains(e, StringComparer.Ordinal))),
                label.ValidFrom is { } days && matches.Count > 0 ? matches.Any(m => days.Contains(m.ValidFrom)) : null,
                label.Key is { } key && matches.Count > 0 ? matches.Any(m => m.Key is { } k && KeyMatches(k, key)) : null));
        }

        var rejected = jobs
            .SelectMany(j => j.Rejections)
            .Select(r => new CaptureRejection(r.Reason, r.Detail, r.Candidate?.Type, r.Candidate?.Value.Text, r.Candidate?.Evidence.MessageIds ?? []))
            .ToList();
        var rejections = new List<CaptureRejectionResult>();
        foreach (var label in conversation.Rejections)
        {
            var reasons = rejected.Where(r => r.MessageIds.Contains(label.MessageId, StringComparer.Ordinal)).Select(r => r.Reason).ToList();
            var outcome = memories.Any(m => m.MessageIds.Contains(label.MessageId, StringComparer.Ordinal)) ? CaptureRejectionOutcome.Leaked
                : reasons.Contains(label.Reason) ? CaptureRejectionOutcome.RightReason
                : reasons.Count > 0 ? CaptureRejectionOutcome.OtherReason
                : CaptureRejectionOutcome.NotProposed;
            rejections.Add(new CaptureRejectionResult(label, outcome, reasons));
        }

        return new CaptureConversationResult(
            conversation.Id,
            conversation.Sessions.Count,
            conversation.Messages.Count(),
            CaptureCounts.Sum(jobs.Select(CaptureCounts.Of)),
            labels,
            rejections,
            memories,
            rejected,
            [.. jobs.SelectMany(j => j.Decisions)],
            replay,
            [.. jobs.SelectMany(j => j.Errors)],
            ingestTime);
    }

    /// <summary>
    /// Whether a stored memory accounts for a labelled one: it is about the same subject, of the same type, and cites one
    /// of its evidence turns. The eval suite matches its expected memories the same way.
    /// </summary>
    /// <param name="record">The stored memory.</param>
    /// <param name="type">The label's type.</param>
    /// <param name="subject">The label's subject.</param>
    /// <param name="evidence">The label's evidence turn ids.</param>
    /// <returns>Whether it matches.</returns>
    internal static bool Accounts(MemoryRecord record, string type, string subject, IEnumerable<string> evidence) =>
        record.Type == type
        && record.Subject == subject
        && record.Provenance.MessageIds.Intersect(evidence, StringComparer.Ordinal).Any();

    /// <summary>Scores one LoCoMo conversation's stored memories against its annotated observations.</summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="jobs">The first pass's jobs.</param>
    /// <param name="records">The memories the store holds (active and superseded).</param>
    /// <param name="replay">What the second pass did.</param>
    /// <param name="ingestTime">How long the first pass took.</param>
    /// <returns>The scores.</returns>
    internal static CaptureLoCoMoConversationResult ScoreLoCoMo(
        LoCoMoConversation conversation,
        IReadOnlyList<MemoryIngestionJob> jobs,
        IReadOnlyList<MemoryRecord> records,
        CaptureReplay replay,
        TimeSpan ingestTime)
    {
        // Per speaker: the turns their memories cite, and the turns their observations rest on.
        var cited = records
            .GroupBy(r => r.Subject, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(r => r.Provenance.MessageIds).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var evidence = conversation.Observations
            .GroupBy(o => o.Speaker, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(o => o.Evidence).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var covered = conversation.Observations.Count(o => cited.TryGetValue(o.Speaker, out var turns) && o.Evidence.Any(turns.Contains));
        var citing = records.Count(r => evidence.TryGetValue(r.Subject, out var turns) && r.Provenance.MessageIds.Any(turns.Contains));
        return new CaptureLoCoMoConversationResult(
            conversation.Id,
            conversation.Sessions.Count,
            conversation.Turns.Count(),
            conversation.Observations.Count,
            CaptureCounts.Sum(jobs.Select(CaptureCounts.Of)),
            records.Count,
            records.GroupBy(r => r.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            covered,
            citing,
            replay,
            [.. jobs.SelectMany(j => j.Errors)],
            ingestTime);
    }

    /// <summary>The LoCoMo session as one ingestion: each speaker is the subject of what they say, at the session's time.</summary>
    /// <param name="session">The session.</param>
    /// <returns>The request.</returns>
    internal static MemoryExtractionRequest ToRequest(LoCoMoSession session) =>
        new()
        {
            Tenant = LoCoMoTenant,

            // Image captions are left out: they describe a photo in a captioning model's words, not what the speaker said.
            Messages = session.Turns
                .Select(t => new MemoryMessage
                {
                    Id = t.DiaId,
                    Speaker = t.Speaker,
                    Role = MemoryMessageRole.User,
                    Text = t.Text,
                    ObservedAt = session.DateTime,
                    Session = "session_" + session.Number.ToString(CultureInfo.InvariantCulture),
                })
                .ToList(),
        };

    /// <summary>The labelled session as one ingestion.</summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="session">The session.</param>
    /// <returns>The request.</returns>
    internal static MemoryExtractionRequest ToRequest(CaptureConversation conversation, CaptureSession session) =>
        new() { Tenant = Tenant, Subject = conversation.Subject, Messages = session.Messages };

    /// <summary>Whether a stored slot key names the label's slot: equal, or ending in it after a type prefix (<c>preference:milk</c>).</summary>
    private static bool KeyMatches(string stored, string expected) =>
        string.Equals(stored, expected, StringComparison.OrdinalIgnoreCase)
        || stored.EndsWith(":" + expected, StringComparison.OrdinalIgnoreCase)
        || stored.EndsWith("." + expected, StringComparison.OrdinalIgnoreCase);

    private static async Task<CaptureConversationResult> RunConversationAsync(
        CaptureConversation conversation,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IMemoryExtractor extractor,
        CaptureBenchmarkOptions options,
        CancellationToken cancellationToken)
    {
        var requests = conversation.Sessions.Select(s => ToRequest(conversation, s)).ToList();
        var run = await IngestAsync(Tenant, requests, generator, extractor, options, null, conversation.Id, cancellationToken).ConfigureAwait(false);
        return Score(conversation, run.Jobs, run.Records, run.Replay, run.IngestTime);
    }

    private static async Task<CaptureLoCoMoConversationResult> RunLoCoMoConversationAsync(
        LoCoMoConversation conversation,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IMemoryExtractor extractor,
        CaptureBenchmarkOptions options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var requests = conversation.Sessions.Select(ToRequest).ToList();
        var run = await IngestAsync(LoCoMoTenant, requests, generator, extractor, options, progress, conversation.Id, cancellationToken).ConfigureAwait(false);
        var result = ScoreLoCoMo(conversation, run.Jobs, run.Records, run.Replay, run.IngestTime);
        progress?.Report(Inv($"  {conversation.Id}: {result.Counts.Candidates} candidates, {result.Memories} memories, {result.ObservationsCovered}/{result.Observations} observations covered, replay added {result.Replay.EventsAdded} events ({result.IngestTime.TotalSeconds:F1} s + replay {result.Replay.Time.TotalSeconds:F1} s)"));
        return result;
    }

    /// <summary>Ingests the sessions in order into a fresh store, reads what it holds, then (when asked) ingests them again.</summary>
    private static async Task<(List<MemoryIngestionJob> Jobs, List<MemoryRecord> Records, CaptureReplay Replay, TimeSpan IngestTime)> IngestAsync(
        string tenant,
        List<MemoryExtractionRequest> sessions,
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IMemoryExtractor extractor,
        CaptureBenchmarkOptions options,
        IProgress<string>? progress,
        string name,
        CancellationToken cancellationToken)
    {
        var folder = Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), $"skmem-capture-{Guid.NewGuid():N}");
        try
        {
            using var store = await SqliteMemoryStore.OpenAsync(
                new SqliteMemoryStoreOptions { Path = Path.Combine(folder, "capture.db"), EmbeddingGenerator = generator },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var pipeline = new MemoryCapturePipeline(store, extractor, options.Capture);

            var jobs = new List<MemoryIngestionJob>();
            var clock = Stopwatch.StartNew();
            foreach (var session in sessions)
            {
                jobs.Add(await pipeline.IngestAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false));
                if (progress is not null && (jobs.Count % 10 == 0 || jobs.Count == sessions.Count))
                {
                    progress.Report(Inv($"  {name}: {jobs.Count}/{sessions.Count} sessions ingested ({clock.Elapsed.TotalSeconds:F1} s)"));
                }
            }

            var ingestTime = clock.Elapsed;
            var records = await ReadAllAsync(store, tenant, cancellationToken).ConfigureAwait(false);
            var replay = CaptureReplay.None;
            if (options.Replay)
            {
                // The whole conversation again, session by session: every item should be recognized, and the log unchanged.
                var before = (await store.VerifyAsync(tenant, cancellationToken).ConfigureAwait(false)).EventCount;
                clock.Restart();
                var again = new List<MemoryIngestionJob>();
                foreach (var session in sessions)
                {
                    again.Add(await pipeline.IngestAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false));
                }

                var time = clock.Elapsed;
                var after = (await store.VerifyAsync(tenant, cancellationToken).ConfigureAwait(false)).EventCount;
                replay = new CaptureReplay(again.Sum(j => j.Counts.Items), again.Sum(j => j.Counts.Replayed), again.Sum(j => j.Counts.Candidates), after - before, time);
            }

            return (jobs, records, replay, ingestTime);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
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

    private static async Task<List<MemoryRecord>> ReadAllAsync(SqliteMemoryStore store, string tenant, CancellationToken cancellationToken)
    {
        var records = new List<MemoryRecord>();
        string? cursor = null;
        do
        {
            var page = await store.ReadAsync(
                new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Active, MemoryStatus.Superseded], PageSize = MemoryQuery.MaxPageSize, Cursor = cursor },
                cancellationToken).ConfigureAwait(false);
            records.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return records;
    }

    private static string Inv(FormattableString text) => BenchmarkDocument.Inv(text);
}
