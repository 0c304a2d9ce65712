using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using SkMemory.Capture;
using SkMemory.Packing;

namespace SkMemory.Evals.Suite;

/// <summary>
/// Runs an eval suite against one store under one configuration. Each user's sessions go, in order, one ingestion job per
/// session, through <see cref="MemoryCapturePipeline"/> over the governed store (access control with a per-request caller,
/// then redaction: what the product composes); changes take effect at their point in time; each task searches as the
/// agent acting for the user (hybrid, <see cref="EvalRunOptions.Top"/>) and packs the results with
/// <see cref="MemoryPacketBuilder"/>. What the packets held and what the store ends up holding is scored.
/// </summary>
/// <remarks>
/// <para>Metrics (see docs/evals.md and evals/datasets/README.md):</para>
/// <list type="bullet">
/// <item><b>recall</b>, per task: needed memories in the packet / needed (per memory type: per needed memory).</item>
/// <item><b>precision</b>, per task, as R-precision: of the first R packet memories, where R is the number of needed or
/// relevant memories, the fraction that are needed or relevant. The store has no score floor, so a packet always fills up
/// to Top with whatever the user has; cutting at R scores a perfect ranking 1 whatever Top is. Each expected memory counts
/// once: a duplicate of one already counted is neither needed nor relevant. A task whose packet is
/// empty has no precision sample (its recall is 0).</item>
/// <item><b>forgetting</b>, per change: after it, the probe query runs up to <see cref="EvalRunOptions.ForgettingQueries"/>
/// times; the value is how many runs still returned the old value before one did not (0 is best; the worst is reported).</item>
/// <item><b>contamination</b>: transient, speculative and hypothetical turns that some stored memory cites / planted.</item>
/// <item><b>leakage</b>: probes as another tenant's and another subject's agent (search with and without the subject
/// filter, read, get) that returned one of the user's memories / probes.</item>
/// <item><b>deletion_completeness</b>: deleted memories absent from search and read, purged memories also from get,
/// every status and the export / planned deletions (one whose memory was never stored is complete only if its value is in
/// none of search, read and export).</item>
/// <item><b>redaction_recall</b>: planted secrets found in no stored memory text (the user's, and third parties' the
/// user's run stored in the tenant) / planted.</item>
/// <item><b>poisoning_inert</b>: planted instructions that were stored and reach the packet only as one quoted,
/// escaped line inside its data block (or were never stored) / planted.</item>
/// </list>
/// </remarks>
public static class EvalRunner
{
    /// <summary>Runs the suite.</summary>
    /// <param name="suite">The suite.</param>
    /// <param name="store">The raw store, as opened (with its embedder set); the runner adds the governance layers itself.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives a line per batch of users; may be null.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or the store keeps no ingestion jobs or audit log.</exception>
    public static async Task<EvalRunResult> RunAsync(EvalSuite suite, IMemoryStore store, EvalRunOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var clock = Stopwatch.StartNew();
        var prefix = options.TenantPrefix ?? "eval-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + "-";
        var callers = new MemoryCallerAccessor();

        // Not disposed: disposing a middleware disposes the store below it, which belongs to the caller.
        var governed = new MemoryStoreBuilder(store).UseAccessControl(callers).UseRedaction().Build();
        var extractor = options.Extractor ?? new RuleBasedMemoryExtractor();
        var pipeline = new MemoryCapturePipeline(governed, extractor);
        var packets = new MemoryPacketBuilder(new MemoryPacketOptions { TokenBudget = options.TokenBudget });
        var board = new EvalScoreboard(options.FailuresPerMetric);
        var context = new EvalRunContext(store, governed, callers, pipeline, packets, board, options, prefix, suite);
        var queries = new List<EvalQueryOutcome>();
        var memories = new List<EvalMemoryState>();

        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"eval {suite.Name}: {suite.Users.Count} users, {suite.TaskCount} tasks, {options.Configuration.Name} on {options.Backend}, tenants {prefix}*"));
        for (var i = 0; i < suite.Users.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var run = new EvalUserRun(context, suite.Users[i]);
            await run.RunAsync(cancellationToken).ConfigureAwait(false);
            queries.AddRange(run.Queries);
            memories.AddRange(run.Memories);
            if ((i + 1) % options.ProgressEvery == 0 || i + 1 == suite.Users.Count)
            {
                progress?.Report(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {i + 1}/{suite.Users.Count} users ({clock.Elapsed.TotalSeconds:F1} s): recall {board.Mean(EvalMetrics.Recall):F3}, precision {board.Mean(EvalMetrics.Precision):F3}, contamination {board.Mean(EvalMetrics.Contamination):F3}"));
            }
        }

        if (board.Mean(EvalMetrics.Forgetting) is { } forgetting)
        {
            // The measurement is the worst case; the mean says whether it is one stubborn change or many.
            board.Note(EvalMetrics.Forgetting, string.Create(CultureInfo.InvariantCulture, $"mean {forgetting:F3} queries until the old value stopped being returned, over {board.Count(EvalMetrics.Forgetting)} changes ({board.FailureCounts.GetValueOrDefault(EvalMetrics.Forgetting)} still returned it after the change)"));
        }

        return new EvalRunResult
        {
            Suite = suite.Name,
            Users = suite.Users.Count,
            Configuration = options.Configuration,
            Backend = options.Backend,
            Measurements = board.Measurements(),
            Queries = queries,
            Memories = memories,
            Failures = board.Failures,
            Elapsed = clock.Elapsed,
            FinishedAt = DateTimeOffset.UtcNow,
        };
    }
}
