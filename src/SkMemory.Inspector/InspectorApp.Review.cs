using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SkMemory.Governance.Review;
using SkMemory.Inspector.Pages;

namespace SkMemory.Inspector;

/// <summary>
/// The review queue: writes a review policy held, approved or rejected by a caller with the admin role. The review layer
/// does not check callers, so every handler here does, before it reads or decides anything.
/// </summary>
internal sealed partial class InspectorApp
{
    private const int DecidedShown = 20;

    private IMemoryReviewStore? ReviewStore => _options.Store.GetService(typeof(IMemoryReviewStore)) as IMemoryReviewStore;

    private async Task ReviewAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        await RequireReviewerAsync(request, "review", context.RequestAborted).ConfigureAwait(false);
        var view = new ReviewView();
        if (request.Review is { } review)
        {
            var reviews = ReviewStoreOf(request);
            var all = await reviews.ListAsync(request.Tenant, null, context.RequestAborted).ConfigureAwait(false);
            view = new ReviewView
            {
                Policy = review.Policy,
                Pending = [.. all.Where(i => i.State == MemoryReviewState.Pending)],
                Decided = [.. all.Where(i => i.State != MemoryReviewState.Pending).OrderByDescending(i => i.DecidedAt).Take(DecidedShown)],
            };
            var done = context.Request.Query["done"].ToString();
            if (done is "approved" or "rejected" && Guid.TryParse(context.Request.Query["item"], out var itemId)
                && all.FirstOrDefault(i => i.Id == itemId) is { } decided)
            {
                view = view with
                {
                    Notice = done == "approved"
                        ? $"Approved: the {decided.Request.Type} about {decided.Request.Subject} is written, as {decided.Request.Actor}."
                        : $"Rejected: nothing was written about {decided.Request.Subject}.",
                    NoticeMemoryId = done == "approved" ? decided.MemoryId : null,
                };
            }
        }

        await WritePageAsync(context, StatusCodes.Status200OK, "Review queue", ReviewPage.Render(request, view), request).ConfigureAwait(false);
    }

    private Task ApproveAsync(HttpContext context) => DecideAsync(context, approve: true);

    private Task RejectAsync(HttpContext context) => DecideAsync(context, approve: false);

    private async Task DecideAsync(HttpContext context, bool approve)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null || !await AntiforgeryHoldsAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var operation = approve ? "review.approve" : "review.reject";
        await RequireReviewerAsync(request, operation, context.RequestAborted).ConfigureAwait(false);
        if (request.Review is not { } review)
        {
            await WriteErrorAsync(
                context,
                StatusCodes.Status409Conflict,
                "No review policy",
                "No review policy is configured, so there is nothing to approve or reject.",
                "Start the server with --review-policy to hold writes for review.",
                request).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var reason = Required(form["reason"], approve ? "an approval" : "a rejection");
        var item = Guid.TryParse(context.Request.RouteValues["id"] as string, out var id)
            ? await ReviewStoreOf(request).GetAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false)
            : null;
        if (item is null)
        {
            await WriteErrorAsync(
                context,
                StatusCodes.Status404NotFound,
                "Review item not found",
                "There is no held write with this id in your tenant. Nothing was changed.",
                "Go back to the review queue and pick it from there.",
                request).ConfigureAwait(false);
            return;
        }

        if (item.State != MemoryReviewState.Pending)
        {
            await AlreadyDecidedAsync(context, request, item).ConfigureAwait(false);
            return;
        }

        try
        {
            if (approve)
            {
                var result = await review.ApproveAsync(request.Tenant, id, request.Caller.Actor, reason, context.RequestAborted).ConfigureAwait(false);
                LogReviewDecided(_logger, request.Key.Id, id, "approved", result.Record.Id);
            }
            else
            {
                await review.RejectAsync(request.Tenant, id, request.Caller.Actor, reason, context.RequestAborted).ConfigureAwait(false);
                LogReviewDecided(_logger, request.Key.Id, id, "rejected", null);
            }
        }
        catch (Exception ex) when (ex is MemoryNotFoundException or MemoryConflictException)
        {
            // Decided (or being decided) by someone else since it was read: show the decision as it is now.
            var current = await ReviewStoreOf(request).GetAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false) ?? item;
            await AlreadyDecidedAsync(context, request, current).ConfigureAwait(false);
            return;
        }

        SeeOther(context, _base + "/review?done=" + (approve ? "approved" : "rejected") + "&item=" + id.ToString("D"));
    }

    /// <summary>The 409 page for an item that is no longer pending (or that someone else is deciding right now).</summary>
    private Task AlreadyDecidedAsync(HttpContext context, InspectorRequest request, MemoryReviewItem item)
    {
        var message = item.State == MemoryReviewState.Pending
            ? "Someone else is deciding this held write right now. Nothing was changed."
            : $"This held write was already {Format.Name(item.State)} by {item.DecidedBy?.ToString() ?? "someone"}. Nothing was changed.";
        return WriteErrorAsync(context, StatusCodes.Status409Conflict, "Already decided", message, "Go back to the review queue to see the decision.", request);
    }

    /// <summary>Refuses (403, recorded in the audit log) a caller without the admin role.</summary>
    private async Task RequireReviewerAsync(InspectorRequest request, string operation, CancellationToken cancellationToken)
    {
        if (request.MayReview)
        {
            return;
        }

        var denial = new MemoryAccessDenial
        {
            Tenant = request.Tenant,
            Actor = request.Caller.Actor,
            Operation = operation,
            Reason = MemoryAccessDenialReason.MissingRole,
            Detail = $"{request.Caller.Actor} cannot see or decide the review queue: that needs the {MemoryRoles.Admin} role.",
            DeniedAt = _options.TimeProvider.GetUtcNow(),
        };
        await ((IMemoryAuditLog)_options.Store.GetService(typeof(IMemoryAuditLog))!).RecordDenialAsync(denial, cancellationToken).ConfigureAwait(false);
        throw new MemoryAccessDeniedException(denial);
    }

    private IMemoryReviewStore ReviewStoreOf(InspectorRequest request) =>
        ReviewStore ?? throw new MemoryValidationException("review", $"The store of tenant '{request.Tenant}' keeps no review items; use a SQLite or Postgres store at schema 7 or later.");

    [LoggerMessage(1209, LogLevel.Information, "Inspector: key {KeyId} {Decision} review item {ItemId} (memory {MemoryId}).")]
    private static partial void LogReviewDecided(ILogger logger, string keyId, Guid itemId, string decision, Guid? memoryId);
}
