using System.Globalization;

namespace SkMemory.Storage;

/// <summary>Merge (corroboration) and its undo.</summary>
public abstract partial class EventSourcedMemoryStore
{
    /// <inheritdoc />
    public async Task<MemoryRecord> MergeAsync(MemoryMergeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Change(request.Tenant, request.ExpectedVersion, request.Actor, request.Reason, request.Evidence, request.Confidence, request.Salience);
        MemoryRequestValidator.Reason(request.Reason, required: true);
        if (!request.Evidence.HasEvidence)
        {
            throw new MemoryValidationException("evidence", "must name at least one message id, tool call id, file hash or quoted span: a merge adds corroborating evidence");
        }

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, request.ExpectedVersion, "merge", cancellationToken).ConfigureAwait(false);
        if (current.Status != MemoryStatus.Active)
        {
            throw InvalidState(current, "merge");
        }

        // Corroboration only adds: lowering is an update, which says so in the log.
        if (request.Confidence < current.Confidence)
        {
            throw new MemoryValidationException("confidence", string.Create(CultureInfo.InvariantCulture, $"a merge cannot lower confidence ({current.Confidence} to {request.Confidence}); update the memory instead"));
        }

        if (request.Salience < current.Salience)
        {
            throw new MemoryValidationException("salience", string.Create(CultureInfo.InvariantCulture, $"a merge cannot lower salience ({current.Salience} to {request.Salience}); update the memory instead"));
        }

        var now = Now();
        var merged = current with
        {
            Provenance = Union(current.Provenance, MemoryRecordTransitions.Truncate(request.Evidence)),
            Confidence = request.Confidence ?? current.Confidence,
            Salience = request.Salience ?? current.Salience,
            Actor = request.Actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        await AppendAsync(tx, MemoryEventType.Merged, merged, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return merged;
    }

    /// <inheritdoc />
    public async Task<MemoryRecord> UnmergeAsync(MemoryUnmergeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Change(request.Tenant, null, request.Actor, request.Reason, null, null, null);
        MemoryRequestValidator.Reason(request.Reason, required: true);

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, null, "unmerge", cancellationToken).ConfigureAwait(false);
        if (current.Status != MemoryStatus.Active)
        {
            throw InvalidState(current, "unmerge");
        }

        // The writers' lock on the tenant is held, so the memory's history cannot grow while it is read.
        var history = new List<MemoryEvent>();
        await foreach (var e in ReadEventsAsync(request.Tenant, request.Id, cancellationToken).ConfigureAwait(false))
        {
            history.Add(e);
        }

        var at = history.FindIndex(e => e.EventId == request.MergeEventId);
        if (at <= 0 || history[at].EventType != MemoryEventType.Merged)
        {
            throw new MemoryValidationException("merge_event_id", $"event {request.MergeEventId} is not a merge into memory {request.Id}; pick a 'merged' event from the memory's history");
        }

        var marker = UnmergeMarker(request.MergeEventId);
        if (history.Skip(at + 1).Any(e => e.Reason?.StartsWith(marker, StringComparison.Ordinal) == true))
        {
            throw new MemoryValidationException("merge_event_id", $"merge {request.MergeEventId} into memory {request.Id} was already undone");
        }

        var before = history[at - 1].ReadRecord();
        var after = history[at].ReadRecord();
        if (before is null || after is null)
        {
            throw new MemoryValidationException("merge_event_id", $"the content of merge {request.MergeEventId} or of the version before it was erased; the merge cannot be undone from the log");
        }

        var now = Now();
        var restored = current with
        {
            Provenance = Without(current.Provenance, Added(before.Provenance, after.Provenance)),
            Confidence = Math.Clamp(current.Confidence - (after.Confidence - before.Confidence), 0, 1),
            Salience = Math.Clamp(current.Salience - (after.Salience - before.Salience), 0, 1),
            Actor = request.Actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        await AppendAsync(tx, MemoryEventType.Updated, restored, request.Actor, marker + " " + request.Reason, now, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return restored;
    }

    /// <summary>The start of the reason of the event that undoes a merge: how a second undo of the same merge is recognized.</summary>
    private static string UnmergeMarker(Guid mergeEventId) => $"unmerge of {mergeEventId:D}:";

    /// <summary>The evidence of both, each item once, oldest first; past the per-list limit the oldest items give way.</summary>
    private static MemoryProvenance Union(MemoryProvenance current, MemoryProvenance added) => current with
    {
        MessageIds = UnionList(current.MessageIds, added.MessageIds),
        ToolCallIds = UnionList(current.ToolCallIds, added.ToolCallIds),
        FileHashes = UnionList(current.FileHashes, added.FileHashes),
        QuotedSpans = UnionList(current.QuotedSpans, added.QuotedSpans),
        ObservedAt = current.ObservedAt ?? added.ObservedAt,
    };

    private static List<string> UnionList(IReadOnlyList<string> current, IReadOnlyList<string> added)
    {
        var all = current.Concat(added).Distinct(StringComparer.Ordinal).ToList();
        return all.Count <= MemoryRequestValidator.MaxEvidenceItems ? all : all[^MemoryRequestValidator.MaxEvidenceItems..];
    }

    /// <summary>The evidence items in <paramref name="after"/> that <paramref name="before"/> lacks.</summary>
    private static MemoryProvenance Added(MemoryProvenance before, MemoryProvenance after) => after with
    {
        MessageIds = after.MessageIds.Except(before.MessageIds, StringComparer.Ordinal).ToList(),
        ToolCallIds = after.ToolCallIds.Except(before.ToolCallIds, StringComparer.Ordinal).ToList(),
        FileHashes = after.FileHashes.Except(before.FileHashes, StringComparer.Ordinal).ToList(),
        QuotedSpans = after.QuotedSpans.Except(before.QuotedSpans, StringComparer.Ordinal).ToList(),
    };

    private static MemoryProvenance Without(MemoryProvenance current, MemoryProvenance removed) => current with
    {
        MessageIds = current.MessageIds.Where(i => !removed.MessageIds.Contains(i, StringComparer.Ordinal)).ToList(),
        ToolCallIds = current.ToolCallIds.Where(i => !removed.ToolCallIds.Contains(i, StringComparer.Ordinal)).ToList(),
        FileHashes = current.FileHashes.Where(i => !removed.FileHashes.Contains(i, StringComparer.Ordinal)).ToList(),
        QuotedSpans = current.QuotedSpans.Where(i => !removed.QuotedSpans.Contains(i, StringComparer.Ordinal)).ToList(),
    };
}
