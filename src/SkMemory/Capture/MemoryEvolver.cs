using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Capture;

/// <summary>
/// Applies an accepted candidate to the store: finds the related memories of the same subject and type (the same slot key
/// first, then by meaning and words), asks the resolver what to do, and adds, merges, supersedes or does nothing. Every
/// change is an event carrying the decision's reason; nothing is destroyed.
/// </summary>
/// <remarks>This class is thread-safe. A change that loses an optimistic-concurrency race is decided again once.</remarks>
public sealed partial class MemoryEvolver
{
    /// <summary>The metadata entry that holds a memory's slot key (<see cref="MemoryCandidate.Key"/>).</summary>
    public const string KeyMetadata = "capture.key";

    /// <summary>The metadata entry that names the extractor a memory came from.</summary>
    public const string ExtractorMetadata = "capture.extractor";

    private const int RelatedTop = 5;

    private readonly IMemoryStore _store;
    private readonly IMemoryConflictResolver _resolver;
    private readonly MemoryActor _actor;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryEvolver"/> class.</summary>
    /// <param name="store">The store.</param>
    /// <param name="resolver">The decision maker; <see cref="RuleBasedMemoryConflictResolver"/> when null.</param>
    /// <param name="actor">Who the changes are recorded as; the <c>skmemory-capture</c> agent when null.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    public MemoryEvolver(IMemoryStore store, IMemoryConflictResolver? resolver = null, MemoryActor? actor = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _resolver = resolver ?? new RuleBasedMemoryConflictResolver();
        _actor = actor ?? MemoryActor.Agent("skmemory-capture");
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MemoryEvolver>();
    }

    /// <summary>Decides and applies what an accepted candidate changes.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="scope">The scope the candidate belongs to.</param>
    /// <param name="candidate">The candidate, already through the gate.</param>
    /// <param name="metadata">Extra metadata for a memory the candidate creates (for example the ingestion job).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The decision and the memory it produced or touched.</returns>
    /// <exception cref="MemoryException">The store refused the change (the message says why).</exception>
    public async Task<MemoryEvolveOutcome> EvolveAsync(string tenant, MemoryScope scope, MemoryCandidate candidate, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(candidate);
        for (var attempt = 1; ; attempt++)
        {
            var related = await FindRelatedAsync(tenant, scope, candidate, cancellationToken).ConfigureAwait(false);
            var decision = await _resolver.ResolveAsync(candidate, related, cancellationToken).ConfigureAwait(false);
            var target = decision.TargetId is { } id ? related.FirstOrDefault(r => r.Record.Id == id)?.Record : null;
            if (decision.Action != MemoryEvolveAction.Add && target is null)
            {
                throw new InvalidOperationException($"Resolver {_resolver.Name} decided {MemoryJson.EnumName(decision.Action)} without naming one of the related memories as its target.");
            }

            try
            {
                var outcome = await ApplyAsync(tenant, scope, candidate, decision, target, metadata, cancellationToken).ConfigureAwait(false);
                LogDecision(MemoryJson.EnumName(outcome.Decision.Action), candidate.Type, outcome.Record.Id);
                LogDecisionSensitive(MemoryJson.EnumName(outcome.Decision.Action), candidate.Type, candidate.Subject, outcome.Record.Id, outcome.Decision.Reason);
                return outcome;
            }
            catch (MemoryConcurrencyException) when (attempt == 1)
            {
                // Another writer changed the target between the read and the change: decide again on fresh state.
            }
        }
    }

    /// <summary>Gets when a candidate's fact became true: its own time, else when its evidence was observed.</summary>
    internal static DateTimeOffset? ValidFromOf(MemoryCandidate candidate) => candidate.ValidFrom ?? candidate.Evidence.ObservedAt;

    /// <summary>Gets when a candidate was said (its evidence's observation time), else the time its fact became true.</summary>
    internal static DateTimeOffset? SaidAt(MemoryCandidate candidate) => candidate.Evidence.ObservedAt ?? candidate.ValidFrom;

    /// <summary>Gets when a memory was first said (its evidence's observation time), else when its fact became true.</summary>
    internal static DateTimeOffset SaidAt(MemoryRecord record) => record.Provenance.ObservedAt ?? record.ValidFrom;

    /// <summary>Text compared for "the same statement": lower case, single spaces, no closing punctuation.</summary>
    internal static string Normalize(string text) =>
        MemoryWords.Collapse(text.ToLowerInvariant()).TrimEnd('.', '!', ';', ' ');

    /// <summary>Whether the evidence names a message, tool call, file or quoted span the recorded evidence lacks.</summary>
    internal static bool AddsEvidence(MemoryProvenance recorded, MemoryProvenance evidence) =>
        evidence.MessageIds.Except(recorded.MessageIds, StringComparer.Ordinal).Any()
        || evidence.ToolCallIds.Except(recorded.ToolCallIds, StringComparer.Ordinal).Any()
        || evidence.FileHashes.Except(recorded.FileHashes, StringComparer.Ordinal).Any()
        || (evidence.MessageIds.Count + evidence.ToolCallIds.Count + evidence.FileHashes.Count == 0
            && evidence.QuotedSpans.Except(recorded.QuotedSpans, StringComparer.Ordinal).Any());

    // Related means the same scope exactly: a filter without an agent or session matches memories narrowed to any, and a
    // merge or supersede must never reach into another agent's or session's memory.
    private async Task<IReadOnlyList<MemoryRelatedRecord>> FindRelatedAsync(string tenant, MemoryScope scope, MemoryCandidate candidate, CancellationToken cancellationToken)
    {
        var related = new Dictionary<Guid, MemoryRelatedRecord>();
        if (candidate.Key is { } key)
        {
            var page = await _store.ReadAsync(
                new MemoryQuery
                {
                    Tenant = tenant,
                    Subject = candidate.Subject,
                    Types = [candidate.Type],
                    ScopeKinds = [scope.Kind],
                    Team = scope.Team,
                    Agent = scope.Agent,
                    Session = scope.Session,
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [KeyMetadata] = key },
                    PageSize = RelatedTop,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items.Where(r => r.Scope == scope))
            {
                related[record.Id] = new MemoryRelatedRecord(record, 1, SameKey: true);
            }
        }

        var words = MemoryWords.Set(candidate.Value.Text);
        foreach (var text in new[] { candidate.Value.Text, candidate.Replaces }.OfType<string>().Where(t => MemoryWords.Split(t).Any()))
        {
            var results = await _store.SearchAsync(
                new MemorySearchRequest
                {
                    Tenant = tenant,
                    Subject = candidate.Subject,
                    Types = [candidate.Type],
                    ScopeKinds = [scope.Kind],
                    Team = scope.Team,
                    Agent = scope.Agent,
                    Session = scope.Session,
                    Text = text,
                    Top = RelatedTop,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var result in results.Where(r => r.Record.Scope == scope))
            {
                if (!related.ContainsKey(result.Record.Id))
                {
                    var similarity = Math.Max(result.Breakdown.Semantic ?? 0, MemoryWords.Jaccard(words, MemoryWords.Set(result.Record.Value.Text)));
                    related[result.Record.Id] = new MemoryRelatedRecord(result.Record, Math.Clamp(similarity, 0, 1), SameKey: false);
                }
            }
        }

        return related.Values.OrderByDescending(r => r.SameKey).ThenByDescending(r => r.Similarity).ThenBy(r => r.Record.Id).ToList();
    }

    private async Task<MemoryEvolveOutcome> ApplyAsync(
        string tenant,
        MemoryScope scope,
        MemoryCandidate candidate,
        MemoryEvolveDecision decision,
        MemoryRecord? target,
        IReadOnlyDictionary<string, string>? metadata,
        CancellationToken cancellationToken)
    {
        var reason = $"capture ({_resolver.Name}): {decision.Reason}";
        switch (decision.Action)
        {
            case MemoryEvolveAction.NoOp:
                return new MemoryEvolveOutcome(decision, target!);

            case MemoryEvolveAction.Merge:
                var merged = await _store.MergeAsync(
                    new MemoryMergeRequest
                    {
                        Tenant = tenant,
                        Id = target!.Id,
                        ExpectedVersion = target.Version,
                        Actor = _actor,
                        Reason = reason,
                        Evidence = candidate.Evidence,

                        // Independent sources that agree make the fact likelier: 1 - (1 - a)(1 - b).
                        Confidence = 1 - ((1 - target.Confidence) * (1 - candidate.Confidence)),
                        Salience = Math.Max(target.Salience, candidate.Salience),
                    },
                    cancellationToken).ConfigureAwait(false);
                return new MemoryEvolveOutcome(decision, merged);

            case MemoryEvolveAction.Supersede:
                // The new value starts when its fact became true, else when it was said; never before the value it replaces
                // (a month-level date such as "last month" may start before it), and never at the system time of a replay.
                var validFrom = new[] { candidate.ValidFrom, candidate.Evidence.ObservedAt }.FirstOrDefault(t => t >= target!.ValidFrom) ?? target!.ValidFrom;
                try
                {
                    var superseded = await _store.SupersedeAsync(
                        new MemorySupersedeRequest
                        {
                            Tenant = tenant,
                            Id = target!.Id,
                            ExpectedVersion = target.Version,
                            Actor = _actor,
                            Reason = reason,
                            Value = candidate.Value,
                            Provenance = candidate.Evidence,
                            Confidence = candidate.Confidence,
                            Salience = candidate.Salience,
                            ValidFrom = validFrom,
                            Metadata = Metadata(candidate, metadata, target.Metadata),
                        },
                        cancellationToken).ConfigureAwait(false);
                    return new MemoryEvolveOutcome(decision, superseded.Current, superseded.Previous);
                }
                catch (MemoryConflictException ex) when (ex.Code == MemoryErrorCode.DuplicateContent && ex.ExistingId is { } holder)
                {
                    // Another active memory already says the new value: the old one stays, nothing is written twice.
                    var existing = await _store.GetAsync(tenant, holder, cancellationToken).ConfigureAwait(false);
                    return new MemoryEvolveOutcome(new MemoryEvolveDecision(MemoryEvolveAction.NoOp, $"duplicate: memory {holder} already holds the new value", holder), existing ?? target!);
                }

            default:
                var written = await _store.WriteAsync(
                    new MemoryWriteRequest
                    {
                        Tenant = tenant,
                        Type = candidate.Type,
                        Scope = scope,
                        Subject = candidate.Subject,
                        Actor = _actor,
                        Value = candidate.Value,
                        Provenance = candidate.Evidence,
                        Confidence = candidate.Confidence,
                        Salience = candidate.Salience,
                        ValidFrom = ValidFromOf(candidate),
                        Metadata = Metadata(candidate, metadata, null),
                        IdempotencyKey = IdempotencyKey(scope, candidate),
                        Reason = reason,
                    },
                    cancellationToken).ConfigureAwait(false);
                return written.Outcome == MemoryWriteOutcome.Created
                    ? new MemoryEvolveOutcome(decision, written.Record)
                    : new MemoryEvolveOutcome(new MemoryEvolveDecision(MemoryEvolveAction.NoOp, $"duplicate: memory {written.Record.Id} already holds this ({MemoryJson.EnumName(written.Outcome)})", written.Record.Id), written.Record);
        }
    }

    private static Dictionary<string, string> Metadata(MemoryCandidate candidate, IReadOnlyDictionary<string, string>? extra, IReadOnlyDictionary<string, string>? previous)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in (previous ?? new Dictionary<string, string>()).Concat(extra ?? new Dictionary<string, string>()))
        {
            metadata[name] = value;
        }

        metadata[ExtractorMetadata] = candidate.Extractor;
        if (candidate.Key is { } key)
        {
            metadata[KeyMetadata] = key;
        }
        else
        {
            metadata.Remove(KeyMetadata);
        }

        return metadata;
    }

    /// <summary>The same statement from the same evidence gets the same key, so a write repeated after a crash is recognized.</summary>
    private static string IdempotencyKey(MemoryScope scope, MemoryCandidate candidate)
    {
        var evidence = candidate.Evidence;
        var text = string.Join('\n', [candidate.Type, scope.ToString(), candidate.Subject, Normalize(candidate.Value.Text), candidate.Value.Structured?.GetRawText() ?? string.Empty, .. evidence.MessageIds.Order(StringComparer.Ordinal), .. evidence.ToolCallIds.Order(StringComparer.Ordinal), .. evidence.FileHashes.Order(StringComparer.Ordinal)]);
        return "capture:" + MemoryEventChain.Sha256Hex(text)[..40];
    }

    [LoggerMessage(131, LogLevel.Debug, "Evolve {Action} for a {Type} candidate: memory {MemoryId}.")]
    private partial void LogDecision(string action, string type, Guid memoryId);

    // The reason quotes memory text: content is logged only at Trace.
    [LoggerMessage(132, LogLevel.Trace, "Evolve {Action} for a {Type} candidate about {Subject}: memory {MemoryId}; {Reason}.")]
    private partial void LogDecisionSensitive(string action, string type, string subject, Guid memoryId, string reason);
}

/// <summary>What the evolve step did with one candidate.</summary>
/// <param name="Decision">The decision applied (a write that found the same content already stored is reported as a no-op).</param>
/// <param name="Record">The memory added, merged into, created by the supersede, or left as it was.</param>
/// <param name="Previous">The memory superseded, for a supersede.</param>
public sealed record MemoryEvolveOutcome(MemoryEvolveDecision Decision, MemoryRecord Record, MemoryRecord? Previous = null);
