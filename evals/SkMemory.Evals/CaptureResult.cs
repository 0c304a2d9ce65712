namespace SkMemory.Evals;

/// <summary>What the capture pipeline's ingestion jobs counted, summed over jobs.</summary>
public sealed record CaptureCounts
{
    /// <summary>Gets an all-zero count.</summary>
    public static CaptureCounts Zero { get; } = new();

    /// <summary>Gets the number of ingestion jobs (one per session).</summary>
    public int Jobs { get; init; }

    /// <summary>Gets the number of jobs that ended failed.</summary>
    public int FailedJobs { get; init; }

    /// <summary>Gets what the jobs counted from their input (items, candidates, the gate's and the evolve step's outcomes), summed.</summary>
    public MemoryIngestionCounts Ingestion { get; init; } = new();

    /// <inheritdoc cref="MemoryIngestionCounts.Items"/>
    public int Items => Ingestion.Items;

    /// <inheritdoc cref="MemoryIngestionCounts.Replayed"/>
    public int Replayed => Ingestion.Replayed;

    /// <inheritdoc cref="MemoryIngestionCounts.Candidates"/>
    public int Candidates => Ingestion.Candidates;

    /// <inheritdoc cref="MemoryIngestionCounts.Accepted"/>
    public int Accepted => Ingestion.Accepted;

    /// <inheritdoc cref="MemoryIngestionCounts.Rejected"/>
    public int Rejected => Ingestion.Rejected;

    /// <inheritdoc cref="MemoryIngestionCounts.Added"/>
    public int Added => Ingestion.Added;

    /// <inheritdoc cref="MemoryIngestionCounts.Merged"/>
    public int Merged => Ingestion.Merged;

    /// <inheritdoc cref="MemoryIngestionCounts.Superseded"/>
    public int Superseded => Ingestion.Superseded;

    /// <inheritdoc cref="MemoryIngestionCounts.NoOp"/>
    public int NoOp => Ingestion.NoOp;

    /// <summary>Gets the number of errors the jobs recorded.</summary>
    public int Errors { get; init; }

    /// <summary>Gets the rejections by reason (reasons with none left out).</summary>
    public IReadOnlyDictionary<MemoryRejectionReason, int> RejectedByReason { get; init; } = new Dictionary<MemoryRejectionReason, int>();

    /// <summary>Counts one job.</summary>
    /// <param name="job">The job.</param>
    /// <returns>Its counts.</returns>
    public static CaptureCounts Of(MemoryIngestionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new CaptureCounts
        {
            Jobs = 1,
            FailedJobs = job.State == MemoryIngestionJobState.Failed ? 1 : 0,
            Ingestion = job.Counts,
            Errors = job.Errors.Count,
            RejectedByReason = job.Rejections.GroupBy(r => r.Reason).ToDictionary(g => g.Key, g => g.Count()),
        };
    }

    /// <summary>Sums counts.</summary>
    /// <param name="counts">The counts.</param>
    /// <returns>The sum.</returns>
    public static CaptureCounts Sum(IEnumerable<CaptureCounts> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return counts.Aggregate(Zero, (a, b) => a.Plus(b));
    }

    /// <summary>Adds two counts.</summary>
    /// <param name="other">The other counts.</param>
    /// <returns>The sum.</returns>
    public CaptureCounts Plus(CaptureCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var reasons = new Dictionary<MemoryRejectionReason, int>(RejectedByReason);
        foreach (var (reason, n) in other.RejectedByReason)
        {
            reasons[reason] = reasons.GetValueOrDefault(reason) + n;
        }

        return new CaptureCounts
        {
            Jobs = Jobs + other.Jobs,
            FailedJobs = FailedJobs + other.FailedJobs,
            Ingestion = new MemoryIngestionCounts
            {
                Items = Items + other.Items,
                Replayed = Replayed + other.Replayed,
                Candidates = Candidates + other.Candidates,
                Accepted = Accepted + other.Accepted,
                Rejected = Rejected + other.Rejected,
                Added = Added + other.Added,
                Merged = Merged + other.Merged,
                Superseded = Superseded + other.Superseded,
                NoOp = NoOp + other.NoOp,
            },
            Errors = Errors + other.Errors,
            RejectedByReason = reasons,
        };
    }
}

/// <summary>What ingesting a conversation a second time did: it should skip every item and add no event.</summary>
/// <param name="Items">Items given again.</param>
/// <param name="Replayed">Items the jobs recognized as already ingested.</param>
/// <param name="Candidates">Candidates extracted on the second pass (0 when every item was recognized).</param>
/// <param name="EventsAdded">Events the second pass appended to the log.</param>
/// <param name="Time">How long the second pass took.</param>
public sealed record CaptureReplay(int Items, int Replayed, int Candidates, long EventsAdded, TimeSpan Time)
{
    /// <summary>Gets a replay that was not run.</summary>
    public static CaptureReplay None { get; } = new(0, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Sums replays.</summary>
    /// <param name="replays">The replays.</param>
    /// <returns>The sum.</returns>
    public static CaptureReplay Sum(IEnumerable<CaptureReplay> replays)
    {
        ArgumentNullException.ThrowIfNull(replays);
        return replays.Aggregate(None, (a, b) => new CaptureReplay(a.Items + b.Items, a.Replayed + b.Replayed, a.Candidates + b.Candidates, a.EventsAdded + b.EventsAdded, a.Time + b.Time));
    }
}

/// <summary>A memory the run left in the store (active or superseded), and whether a label accounts for it.</summary>
/// <param name="Id">The memory id.</param>
/// <param name="Type">Its type.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Text">Its text.</param>
/// <param name="Status">Active or superseded.</param>
/// <param name="MessageIds">The messages it cites (merged corroborations included).</param>
/// <param name="Key">Its slot key, if any.</param>
/// <param name="ValidFrom">When it became true.</param>
/// <param name="MatchesLabel">Whether it is of the type and subject of a label and cites one of the label's messages.</param>
public sealed record CaptureStoredMemory(
    Guid Id,
    string Type,
    string Subject,
    string Text,
    MemoryStatus Status,
    IReadOnlyList<string> MessageIds,
    string? Key,
    DateTimeOffset ValidFrom,
    bool MatchesLabel);

/// <summary>How one expected memory fared.</summary>
/// <param name="Label">The label.</param>
/// <param name="Matches">The memories (active or superseded) of its type and subject that cite one of its messages.</param>
/// <param name="EndStatus">Active when any match is active, superseded when all are, null when none was found.</param>
/// <param name="Corroborated">For a label with several messages: one memory cites them all.</param>
/// <param name="DateGrounded">For a label with event days: whether a match's valid-from falls on them; null otherwise or when not found.</param>
/// <param name="KeyMatched">For a label with a key: whether a match holds a slot key ending in it; null otherwise or when not found.</param>
public sealed record CaptureLabelResult(
    CaptureMemoryLabel Label,
    IReadOnlyList<CaptureStoredMemory> Matches,
    MemoryStatus? EndStatus,
    bool Corroborated,
    bool? DateGrounded,
    bool? KeyMatched)
{
    /// <summary>Gets a value indicating whether a memory was found for the label.</summary>
    public bool Found => Matches.Count > 0;

    /// <summary>Gets a value indicating whether the label ended as expected (active or superseded); false when not found.</summary>
    public bool EndStateCorrect => EndStatus == Label.Status;

    /// <summary>Gets how many active memories beyond one say the label's fact (a restatement added instead of merged).</summary>
    public int ActiveDuplicates => Math.Max(0, Matches.Count(m => m.Status == MemoryStatus.Active) - 1);
}

/// <summary>How an expected rejection fared.</summary>
public enum CaptureRejectionOutcome
{
    /// <summary>A candidate from the turn was rejected with the expected reason, and nothing from it was stored.</summary>
    RightReason,

    /// <summary>Candidates from the turn were rejected, but with another reason; nothing from it was stored.</summary>
    OtherReason,

    /// <summary>The extractor proposed nothing from the turn (kept out, but not by the gate).</summary>
    NotProposed,

    /// <summary>A stored memory cites the turn.</summary>
    Leaked,
}

/// <summary>A rejection the pipeline recorded (extractor or gate).</summary>
/// <param name="Reason">The reason.</param>
/// <param name="Detail">The gate's sentence.</param>
/// <param name="Type">The candidate's type, when there was a candidate.</param>
/// <param name="Text">The candidate's text, when there was a candidate.</param>
/// <param name="MessageIds">The messages the candidate cited.</param>
public sealed record CaptureRejection(MemoryRejectionReason Reason, string Detail, string? Type, string? Text, IReadOnlyList<string> MessageIds);

/// <summary>How an expected rejection fared.</summary>
/// <param name="Label">The label.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Reasons">The reasons given to candidates citing the turn.</param>
public sealed record CaptureRejectionResult(CaptureRejectionLabel Label, CaptureRejectionOutcome Outcome, IReadOnlyList<MemoryRejectionReason> Reasons);

/// <summary>Recall and precision for one memory type (or all).</summary>
/// <param name="Type">The type, or <c>all</c>.</param>
/// <param name="Labels">Expected memories of the type.</param>
/// <param name="Found">Of those, how many were found.</param>
/// <param name="Memories">Memories of the type left in the stores (active or superseded).</param>
/// <param name="Correct">Of those, how many match a label.</param>
public sealed record CaptureTypeScore(string Type, int Labels, int Found, int Memories, int Correct)
{
    /// <summary>Gets the recall: found / labels (0 with no label).</summary>
    public double Recall => Labels == 0 ? 0 : (double)Found / Labels;

    /// <summary>Gets the precision: correct / memories (0 with no memory).</summary>
    public double Precision => Memories == 0 ? 0 : (double)Correct / Memories;
}

/// <summary>One labelled conversation's run and scores.</summary>
/// <param name="Id">The conversation id.</param>
/// <param name="Sessions">Sessions (one job each).</param>
/// <param name="Messages">Turns.</param>
/// <param name="Counts">The jobs' counts.</param>
/// <param name="Labels">How each expected memory fared.</param>
/// <param name="Rejections">How each expected rejection fared.</param>
/// <param name="Memories">The memories left in the store (active or superseded).</param>
/// <param name="Rejected">Every rejection the jobs recorded.</param>
/// <param name="Decisions">Every evolve decision the jobs applied, with its reason.</param>
/// <param name="Replay">What a second ingestion did.</param>
/// <param name="Errors">The jobs' errors.</param>
/// <param name="IngestTime">Time to ingest every session (first pass).</param>
public sealed record CaptureConversationResult(
    string Id,
    int Sessions,
    int Messages,
    CaptureCounts Counts,
    IReadOnlyList<CaptureLabelResult> Labels,
    IReadOnlyList<CaptureRejectionResult> Rejections,
    IReadOnlyList<CaptureStoredMemory> Memories,
    IReadOnlyList<CaptureRejection> Rejected,
    IReadOnlyList<MemoryIngestionDecision> Decisions,
    CaptureReplay Replay,
    IReadOnlyList<string> Errors,
    TimeSpan IngestTime);

/// <summary>A labelled set's run: per conversation, and the scores over all of them.</summary>
/// <param name="Name">The set's name.</param>
/// <param name="Conversations">The conversations.</param>
public sealed record CaptureSetResult(string Name, IReadOnlyList<CaptureConversationResult> Conversations)
{
    /// <summary>Gets every label result.</summary>
    public IEnumerable<CaptureLabelResult> Labels => Conversations.SelectMany(c => c.Labels);

    /// <summary>Gets every memory left in the stores.</summary>
    public IEnumerable<CaptureStoredMemory> Memories => Conversations.SelectMany(c => c.Memories);

    /// <summary>Gets every expected rejection's result.</summary>
    public IEnumerable<CaptureRejectionResult> Rejections => Conversations.SelectMany(c => c.Rejections);

    /// <summary>Gets the summed counts.</summary>
    public CaptureCounts Counts => CaptureCounts.Sum(Conversations.Select(c => c.Counts));

    /// <summary>Gets the summed replays.</summary>
    public CaptureReplay Replay => CaptureReplay.Sum(Conversations.Select(c => c.Replay));

    /// <summary>Gets the total first-pass ingest time.</summary>
    public TimeSpan IngestTime => TimeSpan.FromTicks(Conversations.Sum(c => c.IngestTime.Ticks));

    /// <summary>Gets the number of turns.</summary>
    public int MessageCount => Conversations.Sum(c => c.Messages);

    /// <summary>Gets recall and precision per built-in type that has a label or a memory, then over all.</summary>
    public IReadOnlyList<CaptureTypeScore> Types
    {
        get
        {
            var labels = Labels.ToList();
            var memories = Memories.ToList();
            var types = MemoryTypes.BuiltIn.Concat(labels.Select(l => l.Label.Type)).Concat(memories.Select(m => m.Type)).Distinct(StringComparer.Ordinal);
            var rows = types
                .Select(t => Score(t, labels.Where(l => l.Label.Type == t).ToList(), memories.Where(m => m.Type == t).ToList()))
                .Where(r => r.Labels + r.Memories > 0)
                .ToList();
            rows.Add(Score("all", labels, memories));
            return rows;
        }
    }

    /// <summary>Gets the score over all types.</summary>
    public CaptureTypeScore All => Types[^1];

    /// <summary>Gets the share of expected rejections rejected with the expected reason.</summary>
    public double RejectionAccuracy => Share(Rejections.Count(r => r.Outcome == CaptureRejectionOutcome.RightReason), Rejections.Count());

    /// <summary>Gets the share of expected rejections that no stored memory cites (by the gate or because nothing was proposed).</summary>
    public double KeptOut => Share(Rejections.Count(r => r.Outcome != CaptureRejectionOutcome.Leaked), Rejections.Count());

    /// <summary>Gets the share of found labels that ended as expected (active or superseded).</summary>
    public double EndStateAccuracy => Share(Labels.Count(l => l.Found && l.EndStateCorrect), Labels.Count(l => l.Found));

    private static CaptureTypeScore Score(string type, List<CaptureLabelResult> labels, List<CaptureStoredMemory> memories) =>
        new(type, labels.Count, labels.Count(l => l.Found), memories.Count, memories.Count(m => m.MatchesLabel));

    private static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
}

/// <summary>One LoCoMo conversation captured session by session.</summary>
/// <param name="Id">The conversation id.</param>
/// <param name="Sessions">Sessions (one job each).</param>
/// <param name="Turns">Turns.</param>
/// <param name="Observations">Annotated observations with evidence.</param>
/// <param name="Counts">The jobs' counts.</param>
/// <param name="Memories">Memories left in the store (active or superseded).</param>
/// <param name="MemoriesByType">Those memories by type.</param>
/// <param name="ObservationsCovered">Observations whose evidence turn (one of them, when several) a stored memory about the same speaker cites.</param>
/// <param name="MemoriesCitingEvidence">Stored memories that cite a turn that is the evidence of an observation about their subject.</param>
/// <param name="Replay">What a second ingestion did.</param>
/// <param name="Errors">The jobs' errors.</param>
/// <param name="IngestTime">Time to ingest every session (first pass).</param>
public sealed record CaptureLoCoMoConversationResult(
    string Id,
    int Sessions,
    int Turns,
    int Observations,
    CaptureCounts Counts,
    int Memories,
    IReadOnlyDictionary<string, int> MemoriesByType,
    int ObservationsCovered,
    int MemoriesCitingEvidence,
    CaptureReplay Replay,
    IReadOnlyList<string> Errors,
    TimeSpan IngestTime)
{
    /// <summary>Gets the observation evidence coverage: observations covered / observations.</summary>
    public double Coverage => Observations == 0 ? 0 : (double)ObservationsCovered / Observations;

    /// <summary>Gets the precision proxy: memories citing an observation's evidence / memories.</summary>
    public double EvidencePrecision => Memories == 0 ? 0 : (double)MemoriesCitingEvidence / Memories;
}

/// <summary>The LoCoMo capture run over a folder of conversations.</summary>
/// <param name="Conversations">The conversations.</param>
public sealed record CaptureLoCoMoResult(IReadOnlyList<CaptureLoCoMoConversationResult> Conversations)
{
    /// <summary>Gets the summed counts.</summary>
    public CaptureCounts Counts => CaptureCounts.Sum(Conversations.Select(c => c.Counts));

    /// <summary>Gets the summed replays.</summary>
    public CaptureReplay Replay => CaptureReplay.Sum(Conversations.Select(c => c.Replay));

    /// <summary>Gets the total first-pass ingest time.</summary>
    public TimeSpan IngestTime => TimeSpan.FromTicks(Conversations.Sum(c => c.IngestTime.Ticks));

    /// <summary>Gets the number of turns.</summary>
    public int Turns => Conversations.Sum(c => c.Turns);

    /// <summary>Gets the number of observations.</summary>
    public int Observations => Conversations.Sum(c => c.Observations);

    /// <summary>Gets the number of observations covered.</summary>
    public int ObservationsCovered => Conversations.Sum(c => c.ObservationsCovered);

    /// <summary>Gets the number of memories left in the stores.</summary>
    public int Memories => Conversations.Sum(c => c.Memories);

    /// <summary>Gets the number of memories citing an observation's evidence.</summary>
    public int MemoriesCitingEvidence => Conversations.Sum(c => c.MemoriesCitingEvidence);

    /// <summary>Gets the observation evidence coverage over all conversations.</summary>
    public double Coverage => Observations == 0 ? 0 : (double)ObservationsCovered / Observations;

    /// <summary>Gets the precision proxy over all conversations.</summary>
    public double EvidencePrecision => Memories == 0 ? 0 : (double)MemoriesCitingEvidence / Memories;

    /// <summary>Gets the memories by type over all conversations.</summary>
    public IReadOnlyDictionary<string, int> MemoriesByType =>
        Conversations.SelectMany(c => c.MemoriesByType).GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value), StringComparer.Ordinal);
}

/// <summary>The capture benchmark's results.</summary>
public sealed record CaptureResult
{
    /// <summary>Gets the labelled set's run.</summary>
    public required CaptureSetResult Seeded { get; init; }

    /// <summary>Gets the LoCoMo run, when a data folder was given.</summary>
    public CaptureLoCoMoResult? LoCoMo { get; init; }

    /// <summary>Gets the extractor's name.</summary>
    public required string Extractor { get; init; }

    /// <summary>Gets the evolve resolver's name.</summary>
    public required string Resolver { get; init; }

    /// <summary>Gets a value indicating whether the gate ran with its default rules (no <see cref="CaptureBenchmarkOptions.Capture"/> given).</summary>
    public bool DefaultGate { get; init; } = true;

    /// <summary>Gets the embedding model used.</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets where the embedder ran.</summary>
    public required string EmbeddingRuntime { get; init; }

    /// <summary>Gets the store used.</summary>
    public required string Store { get; init; }

    /// <summary>Gets the wall time of the labelled set's run (stores, both passes and scoring).</summary>
    public required TimeSpan SeededTime { get; init; }

    /// <summary>Gets the wall time of the LoCoMo run, when there was one.</summary>
    public TimeSpan? LoCoMoTime { get; init; }

    /// <summary>Gets when the run finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
}
