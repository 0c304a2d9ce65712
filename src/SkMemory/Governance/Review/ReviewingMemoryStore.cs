using SkMemory.Storage;

namespace SkMemory.Governance.Review;

/// <summary>
/// Holds the writes a <see cref="MemoryReviewPolicy"/> names in the store's <see cref="IMemoryReviewStore"/> instead of
/// writing them, and applies or drops them when a reviewer decides. Sits below access control and redaction, so a held
/// write was allowed and is already redacted.
/// </summary>
public sealed class ReviewingMemoryStore : DelegatingMemoryStore
{
    private readonly MemoryReviewPolicy _policy;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="ReviewingMemoryStore"/> class.</summary>
    /// <param name="innerStore">The store below (the canonical store, which keeps the review items).</param>
    /// <param name="policy">Which writes to hold.</param>
    /// <param name="timeProvider">The clock of the review items.</param>
    public ReviewingMemoryStore(IMemoryStore innerStore, MemoryReviewPolicy policy, TimeProvider? timeProvider = null)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the policy.</summary>
    public MemoryReviewPolicy Policy => _policy;

    private IMemoryReviewStore Reviews => InnerStore.GetService(typeof(IMemoryReviewStore)) as IMemoryReviewStore
        ?? throw new MemoryException(MemoryErrorCode.NotSupported, "This store keeps no review items (IMemoryReviewStore); use a SQLite or Postgres store at schema 7 or later.");

    /// <inheritdoc />
    public override async Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_policy.RuleFor(request) is not { } rule)
        {
            return await InnerStore.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // What the store would refuse anyway is refused now, not after someone approved it.
        MemoryRequestValidator.Tenant(request.Tenant);
        MemoryRequestValidator.Subject(request.Subject);
        MemoryRequestValidator.Scope(request.Scope);
        MemoryRequestValidator.Actor(request.Actor);
        var now = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow());
        var item = new MemoryReviewItem { Id = Guid.CreateVersion7(now), Tenant = request.Tenant, Request = request, Rule = rule, HeldAt = now };
        await Reviews.AddAsync(item, cancellationToken).ConfigureAwait(false);
        return new MemoryWriteResult(Preview(item), MemoryWriteOutcome.HeldForReview);
    }

    /// <summary>Approves a held write: it is written now, as its original actor, with the reviewer and reason in the event.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="itemId">The review item.</param>
    /// <param name="reviewer">Who approves (the caller's layer decides who may).</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The write's result.</returns>
    /// <exception cref="MemoryNotFoundException">No pending item has that id.</exception>
    public async Task<MemoryWriteResult> ApproveAsync(string tenant, Guid itemId, MemoryActor reviewer, string reason, CancellationToken cancellationToken = default)
    {
        var item = await PendingAsync(tenant, itemId, reviewer, reason, cancellationToken).ConfigureAwait(false);

        // Consent may have been revoked (or lapsed) while the write waited: the subject's choice now is what counts.
        if (InnerStore.GetService(typeof(IMemoryConsentStore)) is IMemoryConsentStore consents
            && await consents.GetAsync(tenant, item.Request.Subject, item.Request.Scope.Kind, cancellationToken).ConfigureAwait(false) is { } consent
            && !consent.IsInForce(_time.GetUtcNow()))
        {
            throw new MemoryException(
                MemoryErrorCode.ConsentRequired,
                $"Subject '{item.Request.Subject}' no longer consents to {MemoryJson.EnumName(item.Request.Scope.Kind)} memories; the held write cannot be approved (reject it instead).");
        }

        // The item's id makes the write idempotent, so two reviewers approving at once store it once.
        var request = item.Request with { Reason = $"approved by {reviewer}: {reason}", IdempotencyKey = item.Request.IdempotencyKey ?? $"review:{item.Id:N}" };
        var result = await InnerStore.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var now = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow());
        if (!await Reviews.DecideAsync(tenant, itemId, MemoryReviewState.Approved, reviewer, reason, result.Record.Id, now, cancellationToken).ConfigureAwait(false)
            && await Reviews.GetAsync(tenant, itemId, cancellationToken).ConfigureAwait(false) is { State: MemoryReviewState.Rejected } rejected)
        {
            throw new MemoryConflictException(
                MemoryErrorCode.InvalidState,
                $"Review item {itemId} was rejected by {rejected.DecidedBy} while this approval ran; memory {result.Record.Id} was written anyway. Delete it with a reason if the rejection stands.",
                result.Record.Id);
        }

        return result;
    }

    /// <summary>Rejects a held write: nothing is written; the item keeps the reviewer and reason.</summary>
    /// <exception cref="MemoryNotFoundException">No pending item has that id.</exception>
    public async Task RejectAsync(string tenant, Guid itemId, MemoryActor reviewer, string reason, CancellationToken cancellationToken = default)
    {
        await PendingAsync(tenant, itemId, reviewer, reason, cancellationToken).ConfigureAwait(false);
        if (!await Reviews.DecideAsync(tenant, itemId, MemoryReviewState.Rejected, reviewer, reason, null, MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false))
        {
            throw new MemoryConflictException(MemoryErrorCode.InvalidState, $"Review item {itemId} was decided by someone else meanwhile.", itemId);
        }
    }

    private static MemoryRecord Preview(MemoryReviewItem item) => new()
    {
        Id = item.Id,
        Tenant = item.Tenant,
        Type = item.Request.Type,
        Scope = item.Request.Scope,
        Subject = item.Request.Subject,
        Actor = item.Request.Actor,
        Value = item.Request.Value,
        Provenance = item.Request.Provenance,
        Confidence = item.Request.Confidence,
        Salience = item.Request.Salience,
        DecayPolicy = item.Request.DecayPolicy,
        CreatedAt = item.HeldAt,
        UpdatedAt = item.HeldAt,
        ValidFrom = item.Request.ValidFrom ?? item.HeldAt,
        Ttl = item.Request.Ttl,
        Metadata = item.Request.Metadata ?? new Dictionary<string, string>(),
        IdempotencyKey = item.Request.IdempotencyKey,
        Version = 0,
        ContentHash = string.Empty,
    };

    private async Task<MemoryReviewItem> PendingAsync(string tenant, Guid itemId, MemoryActor reviewer, string reason, CancellationToken cancellationToken)
    {
        MemoryRequestValidator.Tenant(tenant);
        MemoryRequestValidator.Actor(reviewer);
        MemoryRequestValidator.Reason(reason, required: true);
        var item = await Reviews.GetAsync(tenant, itemId, cancellationToken).ConfigureAwait(false);
        if (item is not { State: MemoryReviewState.Pending })
        {
            throw new MemoryNotFoundException(tenant, itemId);
        }

        return item;
    }
}
