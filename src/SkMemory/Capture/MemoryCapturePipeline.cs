using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Storage;

namespace SkMemory.Capture;

/// <summary>
/// Turns interactions into memories: each ingestion is a job that extracts candidates, gates them, and evolves the store
/// (add, merge, supersede, no-op), recording every stage, count, rejection, decision and error on the job. Items an earlier
/// job ingested unchanged are skipped, so replaying the same messages creates nothing new. A job can be stored raw and run
/// later.
/// </summary>
/// <remarks>
/// Jobs live in the store's <see cref="IMemoryIngestionJobStore"/>. A job that fails (the extractor or the store is down)
/// keeps its input; run it again with <see cref="RunAsync(string, string, CancellationToken)"/>. This class is thread-safe.
/// </remarks>
public sealed partial class MemoryCapturePipeline
{
    private const int MaxIdLength = 256;

    private readonly IMemoryStore _store;
    private readonly IMemoryExtractor _extractor;
    private readonly IMemoryIngestionJobStore _jobs;
    private readonly MemoryGate _gate;
    private readonly MemoryEvolver _evolver;
    private readonly TimeProvider _time;
    private readonly SkMemory.Redaction.MemoryRedactor? _redactor;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryCapturePipeline"/> class.</summary>
    /// <param name="store">The store; it must keep ingestion jobs (the SQLite and Postgres stores do).</param>
    /// <param name="extractor">The extractor.</param>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="MemoryException">The store keeps no ingestion jobs (<see cref="MemoryErrorCode.NotSupported"/>).</exception>
    public MemoryCapturePipeline(IMemoryStore store, IMemoryExtractor extractor, MemoryCaptureOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(extractor);
        options ??= new MemoryCaptureOptions();
        loggerFactory ??= NullLoggerFactory.Instance;
        _store = store;
        _extractor = extractor;
        _jobs = store.GetService(typeof(IMemoryIngestionJobStore)) as IMemoryIngestionJobStore
            ?? throw new MemoryException(MemoryErrorCode.NotSupported, "This store keeps no ingestion jobs; capture needs the SQLite or Postgres store (or a store that provides IMemoryIngestionJobStore).");
        var types = options.Types ?? store.GetService(typeof(MemoryTypeRegistry)) as MemoryTypeRegistry ?? new MemoryTypeRegistry();
        _gate = new MemoryGate(types, options.Gate, loggerFactory);
        _evolver = new MemoryEvolver(store, options.Resolver, options.Actor, loggerFactory);
        _time = options.TimeProvider ?? TimeProvider.System;
        _redactor = options.Redactor ?? store.GetService(typeof(SkMemory.Redaction.MemoryRedactor)) as SkMemory.Redaction.MemoryRedactor;
        _logger = loggerFactory.CreateLogger<MemoryCapturePipeline>();
    }

    /// <summary>Creates an ingestion job for the input and, unless deferred, runs it.</summary>
    /// <param name="input">What to extract from.</param>
    /// <param name="defer">Store the input raw and return the pending job; run it later with <see cref="RunAsync(string, string, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The job: completed or failed, or pending when deferred.</returns>
    /// <exception cref="MemoryValidationException">The input is invalid (the field is named); no job is created.</exception>
    public async Task<MemoryIngestionJob> IngestAsync(MemoryExtractionRequest input, bool defer = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);

        // Input read from JSON leaves out what it does not have; the deserializer then sets null, not the defaults.
        input = input with
        {
            Scope = input.Scope ?? MemoryScope.Personal,
            Messages = input.Messages ?? [],
            ToolOutputs = input.ToolOutputs ?? [],
            Documents = input.Documents ?? [],
        };
        Validate(input);
        if (_redactor is not null)
        {
            input = await RedactAsync(input, _redactor, cancellationToken).ConfigureAwait(false);
        }

        var now = Now();
        var job = new MemoryIngestionJob
        {
            Id = "ing_" + Guid.CreateVersion7(now).ToString("N"),
            Tenant = input.Tenant,
            CreatedAt = now,
            UpdatedAt = now,
            Input = input,
            Counts = new MemoryIngestionCounts { Items = ItemCount(input) },
        };
        await _jobs.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
        LogCreated(job.Id, job.Tenant, job.Counts.Items);
        return defer ? job : await RunCoreAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a pending or failed job (again). A completed job is returned as it is.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The job after the run.</returns>
    /// <exception cref="MemoryException">The tenant has no such job (<see cref="MemoryErrorCode.NotFound"/>).</exception>
    /// <exception cref="MemoryConflictException">The job is running (<see cref="MemoryErrorCode.InvalidState"/>).</exception>
    public Task<MemoryIngestionJob> RunAsync(string tenant, string jobId, CancellationToken cancellationToken = default) =>
        RunAsync(tenant, jobId, force: false, cancellationToken);

    /// <summary>Runs a pending or failed job (again), or with <paramref name="force"/> a job marked running whose process died.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="force">Run a job marked running: only when the process that ran it stopped mid-run.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The job after the run; a completed job as it is.</returns>
    /// <exception cref="MemoryException">The tenant has no such job (<see cref="MemoryErrorCode.NotFound"/>).</exception>
    /// <exception cref="MemoryConflictException">
    /// The job is running and <paramref name="force"/> is false, or another process claimed it first
    /// (<see cref="MemoryErrorCode.InvalidState"/>).
    /// </exception>
    public async Task<MemoryIngestionJob> RunAsync(string tenant, string jobId, bool force, CancellationToken cancellationToken = default)
    {
        var job = await GetJobAsync(tenant, jobId, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryException(MemoryErrorCode.NotFound, $"Tenant '{tenant}' has no ingestion job '{jobId}'; list the jobs to find its id.");
        if (job.State == MemoryIngestionJobState.Running && !force)
        {
            throw new MemoryConflictException(
                MemoryErrorCode.InvalidState,
                $"Ingestion job '{jobId}' is running (since {job.UpdatedAt:O}); wait for it to finish, or if the process that ran it stopped, run it again with force (skmem ingest run {jobId} --force).",
                null);
        }

        return job.State == MemoryIngestionJobState.Completed ? job : await RunCoreAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets a job's status: its stages, counts, rejections with reasons, decisions and errors.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The job, or null.</returns>
    public Task<MemoryIngestionJob?> GetJobAsync(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(jobId);
        return _jobs.GetJobAsync(tenant, jobId, cancellationToken);
    }

    private async Task<MemoryIngestionJob> RunCoreAsync(MemoryIngestionJob job, CancellationToken cancellationToken)
    {
        var input = job.Input;
        var stages = new List<MemoryIngestionStage>();
        var rejections = new List<MemoryCandidateRejection>();
        var decisions = new List<MemoryIngestionDecision>();
        var errors = new List<string>();
        var counts = new MemoryIngestionCounts { Items = ItemCount(input) };
        job = await ClaimAsync(job with { State = MemoryIngestionJobState.Running, Stages = [], Rejections = [], Decisions = [], Errors = [], Counts = counts }, job.UpdatedAt, cancellationToken).ConfigureAwait(false);

        MemoryIngestionJob Snapshot(MemoryIngestionJobState state) => job with
        {
            State = state,
            Stages = stages.ToList(),
            Rejections = rejections.ToList(),
            Decisions = decisions.ToList(),
            Errors = errors.ToList(),
            Counts = counts,
        };

        var stage = "extract";
        try
        {
            // Items an earlier job ingested unchanged are skipped: a replay creates nothing new.
            var keys = ItemKeys(input);
            var done = await _jobs.FindIngestedAsync(input.Tenant, keys.Keys, cancellationToken).ConfigureAwait(false);
            var fresh = input with
            {
                Messages = input.Messages.Where(m => !done.Contains(MessageKey(input, m))).ToList(),
                ToolOutputs = input.ToolOutputs.Where(t => !done.Contains(ToolKey(input, t))).ToList(),
                Documents = input.Documents.Where(d => !done.Contains(DocumentKey(input, d))).ToList(),
            };
            counts = counts with { Replayed = done.Count };

            var started = Now();
            var extracted = ItemCount(fresh) == 0 ? MemoryExtractionResult.Empty : await _extractor.ExtractAsync(fresh, cancellationToken).ConfigureAwait(false);
            rejections.AddRange(extracted.Rejections);
            counts = counts with { Candidates = extracted.Candidates.Count, Rejected = extracted.Rejections.Count };
            stages.Add(new MemoryIngestionStage("extract", started, Now()));

            stage = "gate";
            started = Now();
            var accepted = new List<MemoryCandidate>();
            foreach (var candidate in extracted.Candidates)
            {
                if (_gate.Evaluate(candidate, fresh) is { } rejection)
                {
                    rejections.Add(rejection);
                }
                else
                {
                    accepted.Add(candidate);
                }
            }

            counts = counts with { Accepted = accepted.Count, Rejected = rejections.Count };
            stages.Add(new MemoryIngestionStage("gate", started, Now()));

            stage = "evolve";
            started = Now();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["capture.job"] = job.Id };
            foreach (var candidate in accepted)
            {
                try
                {
                    var outcome = await _evolver.EvolveAsync(input.Tenant, input.Scope, candidate, metadata, cancellationToken).ConfigureAwait(false);
                    decisions.Add(new MemoryIngestionDecision(outcome.Decision.Action, outcome.Decision.Reason, candidate.Type, candidate.Value.Text, outcome.Record.Id, outcome.Previous?.Id, candidate.Evidence));
                    counts = Count(counts, outcome.Decision.Action);
                }
                catch (MemoryException ex) when (ex is not MemoryConcurrencyException && ex.Code != MemoryErrorCode.Unavailable)
                {
                    // The store refused this candidate (for example a subject it does not accept); the others still go in.
                    // A store that cannot be reached refused nothing: that fails the job, so no item counts as ingested.
                    errors.Add($"{candidate.Type} \"{candidate.Value.Text}\" was not stored: {ex.Message}");
                }
            }

            stages.Add(new MemoryIngestionStage("evolve", started, Now()));
            await _jobs.MarkIngestedAsync(input.Tenant, job.Id, keys.Keys.Where(k => !done.Contains(k)).ToList(), cancellationToken).ConfigureAwait(false);
            job = await SaveAsync(Snapshot(MemoryIngestionJobState.Completed), cancellationToken).ConfigureAwait(false);
            LogCompleted(job.Id, counts.Candidates, counts.Accepted, counts.Rejected, counts.Added, counts.Merged, counts.Superseded, counts.NoOp, errors.Count);
            return job;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errors.Add($"cancelled during {stage}; run the job again to finish it");
            stages.Add(new MemoryIngestionStage(stage, Now(), null, "cancelled"));
            await SaveAsync(Snapshot(MemoryIngestionJobState.Failed), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // The job keeps its input: whatever failed (the model, the store), the run can be repeated and skips nothing.
            errors.Add($"{stage} failed: {ex.Message} Fix the cause, then run the job again (skmem ingest run {job.Id}).");
            stages.Add(new MemoryIngestionStage(stage, Now(), null, ex.Message));
            LogFailed(ex, job.Id, stage);
            return await SaveAsync(Snapshot(MemoryIngestionJobState.Failed), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Marks the job running only if nobody changed it since it was read, so two runs of one job cannot both start. The new
    /// time is after the one read even on a clock that has not moved, so a second claim from the same read always fails.
    /// </summary>
    private async Task<MemoryIngestionJob> ClaimAsync(MemoryIngestionJob job, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        var now = Now();
        job = job with { UpdatedAt = now > readAt ? now : readAt.AddTicks(10) };
        if (!await _jobs.TrySaveJobAsync(job, readAt, cancellationToken).ConfigureAwait(false))
        {
            throw new MemoryConflictException(MemoryErrorCode.InvalidState, $"Ingestion job '{job.Id}' was started by another run at the same time; see its status (skmem ingest status {job.Id}).", null);
        }

        return job;
    }

    private async Task<MemoryIngestionJob> SaveAsync(MemoryIngestionJob job, CancellationToken cancellationToken)
    {
        job = job with { UpdatedAt = Now() };
        await _jobs.SaveJobAsync(job, cancellationToken).ConfigureAwait(false);
        return job;
    }

    private static MemoryIngestionCounts Count(MemoryIngestionCounts counts, MemoryEvolveAction action) => action switch
    {
        MemoryEvolveAction.Add => counts with { Added = counts.Added + 1 },
        MemoryEvolveAction.Merge => counts with { Merged = counts.Merged + 1 },
        MemoryEvolveAction.Supersede => counts with { Superseded = counts.Superseded + 1 },
        _ => counts with { NoOp = counts.NoOp + 1 },
    };

    private static int ItemCount(MemoryExtractionRequest input) => input.Messages.Count + input.ToolOutputs.Count + input.Documents.Count;

    private static Dictionary<string, object> ItemKeys(MemoryExtractionRequest input)
    {
        var keys = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var m in input.Messages)
        {
            keys.TryAdd(MessageKey(input, m), m);
        }

        foreach (var t in input.ToolOutputs)
        {
            keys.TryAdd(ToolKey(input, t), t);
        }

        foreach (var d in input.Documents)
        {
            keys.TryAdd(DocumentKey(input, d), d);
        }

        return keys;
    }

    // An item's key covers where its memories go (subject, scope) and everything the extractor reads of it, so an edited
    // message, or the same message ingested for another subject, is new.
    private static string MessageKey(MemoryExtractionRequest input, MemoryMessage m) =>
        "msg:" + m.Id + ":" + Hash(input, m.Speaker, MemoryJson.EnumName(m.Role), m.ObservedAt.ToString("O"), m.Session ?? string.Empty, m.Text);

    private static string ToolKey(MemoryExtractionRequest input, MemoryToolOutput t) =>
        "tool:" + t.ToolCallId + ":" + Hash(input, t.ToolName, t.ObservedAt.ToString("O"), t.Text);

    private static string DocumentKey(MemoryExtractionRequest input, MemoryDocument d) =>
        "doc:" + d.ContentHash + ":" + Hash(input, d.Name, d.External ? "external" : "own", d.ObservedAt.ToString("O"));

    private static string Hash(MemoryExtractionRequest input, params string[] parts)
    {
        var text = string.Join('\n', [input.Subject ?? string.Empty, input.Scope.ToString(), input.Instructions ?? string.Empty, .. parts]);
        return MemoryEventChain.Sha256Hex(text)[..32];
    }

    // Secrets leave the input before the job stores it and before any extractor (a model, a vendor) reads it.
    private static async Task<MemoryExtractionRequest> RedactAsync(MemoryExtractionRequest input, SkMemory.Redaction.MemoryRedactor redactor, CancellationToken cancellationToken)
    {
        async Task<string> TextAsync(string text, string? subject, string field)
        {
            var result = await redactor.RedactAsync(text, new MemoryRedactionContext { Tenant = input.Tenant, Subject = subject, Field = field }, cancellationToken).ConfigureAwait(false);
            return result.IsBlocked ? throw new MemoryException(MemoryErrorCode.Blocked, result.BlockReason!) : result.Text;
        }

        var messages = new List<MemoryMessage>(input.Messages.Count);
        for (var i = 0; i < input.Messages.Count; i++)
        {
            var m = input.Messages[i];
            messages.Add(m with { Text = await TextAsync(m.Text, input.SubjectOf(m), $"messages[{i}].text").ConfigureAwait(false) });
        }

        var tools = new List<MemoryToolOutput>(input.ToolOutputs.Count);
        for (var i = 0; i < input.ToolOutputs.Count; i++)
        {
            var t = input.ToolOutputs[i];
            tools.Add(t with { Text = await TextAsync(t.Text, input.Subject, $"tool_outputs[{i}].text").ConfigureAwait(false) });
        }

        var documents = new List<MemoryDocument>(input.Documents.Count);
        for (var i = 0; i < input.Documents.Count; i++)
        {
            var d = input.Documents[i];
            documents.Add(d with { Text = await TextAsync(d.Text, input.Subject, $"documents[{i}].text").ConfigureAwait(false) });
        }

        return input with { Messages = messages, ToolOutputs = tools, Documents = documents };
    }

    private static void Validate(MemoryExtractionRequest input)
    {
        MemoryRequestValidator.Tenant(input.Tenant);
        MemoryRequestValidator.Scope(input.Scope);
        if (input.Subject is not null)
        {
            MemoryRequestValidator.Subject(input.Subject);
        }

        if (ItemCount(input) == 0)
        {
            throw new MemoryValidationException("input", "has no messages, tool outputs or documents: there is nothing to ingest");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < input.Messages.Count; i++)
        {
            var m = input.Messages[i] ?? throw new MemoryValidationException($"messages[{i}]", "is null");
            Require(m.Id, $"messages[{i}].id");
            Require(m.Speaker, $"messages[{i}].speaker");
            if (m.Text is null)
            {
                throw new MemoryValidationException($"messages[{i}].text", "is required");
            }

            if (!ids.Add(m.Id))
            {
                throw new MemoryValidationException($"messages[{i}].id", $"\"{m.Id}\" is used by an earlier message; evidence cites messages by id, so ids must be unique");
            }

            if (input.Subject is null)
            {
                // Without a fixed subject each speaker is the subject of what they say.
                MemoryRequestValidator.Subject(m.Speaker.Trim());
            }
        }

        ids.Clear();
        for (var i = 0; i < input.ToolOutputs.Count; i++)
        {
            var t = input.ToolOutputs[i] ?? throw new MemoryValidationException($"tool_outputs[{i}]", "is null");
            Require(t.ToolCallId, $"tool_outputs[{i}].tool_call_id");
            Require(t.ToolName, $"tool_outputs[{i}].tool_name");
            if (t.Text is null)
            {
                throw new MemoryValidationException($"tool_outputs[{i}].text", "is required");
            }

            if (!ids.Add(t.ToolCallId))
            {
                throw new MemoryValidationException($"tool_outputs[{i}].tool_call_id", $"\"{t.ToolCallId}\" is used by an earlier tool output");
            }
        }

        for (var i = 0; i < input.Documents.Count; i++)
        {
            var d = input.Documents[i] ?? throw new MemoryValidationException($"documents[{i}]", "is null");
            Require(d.Name, $"documents[{i}].name");
            if (d.Text is null)
            {
                throw new MemoryValidationException($"documents[{i}].text", "is required");
            }
        }
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new MemoryValidationException(field, "is required and must not be blank");
        }

        // Ids travel into the ledger's item keys and into evidence; keep them to what both stores index.
        if (value.Length > MaxIdLength)
        {
            throw new MemoryValidationException(field, $"is {value.Length} characters long; at most {MaxIdLength} are allowed");
        }
    }

    private DateTimeOffset Now() => MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow());

    [LoggerMessage(141, LogLevel.Information, "Ingestion job {JobId} created in tenant {Tenant} with {Items} item(s).")]
    private partial void LogCreated(string jobId, string tenant, int items);

    [LoggerMessage(142, LogLevel.Information, "Ingestion job {JobId} completed: {Candidates} candidate(s), {Accepted} accepted, {Rejected} rejected; {Added} added, {Merged} merged, {Superseded} superseded, {NoOp} unchanged; {Errors} error(s).")]
    private partial void LogCompleted(string jobId, int candidates, int accepted, int rejected, int added, int merged, int superseded, int noOp, int errors);

    [LoggerMessage(143, LogLevel.Warning, "Ingestion job {JobId} failed at stage {Stage}; it keeps its input and can be run again.")]
    private partial void LogFailed(Exception exception, string jobId, string stage);
}
