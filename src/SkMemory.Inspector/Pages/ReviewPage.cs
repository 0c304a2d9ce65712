using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>The review queue: held writes waiting for an admin, each with approve and reject forms, and recent decisions.</summary>
internal static class ReviewPage
{
    public static HtmlFragment Render(InspectorRequest request, ReviewView view)
    {
        var b = request.Base;
        var h = new HtmlBuilder();
        h.Add($"<h1>Review queue</h1>");
        if (view.Notice is not null)
        {
            h.Add($"<p class=\"alert ok\" role=\"status\" data-testid=\"notice\">{view.Notice}");
            if (view.NoticeMemoryId is { } written)
            {
                h.Add($" <a href=\"{Format.MemoryUrl(b, written)}\" data-testid=\"review-written-link\">Open the memory</a>");
            }

            h.Add($"</p>");
        }

        if (view.Policy is not { } policy)
        {
            h.Add($"<section class=\"card\" data-testid=\"review-none\"><p>No review policy is configured: every allowed write is stored at once.</p>");
            h.Add($"<p class=\"muted\">To hold writes for a person, start the server with <code>skmem serve --review-policy review.json</code> (or set <code>SKMEMORY_REVIEW_POLICY</code>), or add <code>UseReview(policy)</code> to the Inspector's <code>ConfigureStore</code>. docs/inspector.md shows the file format.</p></section>");
            return h.ToFragment();
        }

        h.Add($"<p class=\"muted\" data-testid=\"review-policy\">Held for review: {Describe(policy)}. Approving writes the memory as its original actor, with your name and reason in its history; rejecting writes nothing.</p>");
        h.Add($"<section data-testid=\"review-pending\"><h2>Pending ({view.Pending.Count})</h2>");
        if (view.Pending.Count == 0)
        {
            h.Add($"<p class=\"muted\" data-testid=\"review-empty\">Nothing is waiting for review.</p>");
        }

        foreach (var item in view.Pending)
        {
            Item(h, request, item, pending: true);
        }

        h.Add($"</section><section data-testid=\"review-decided\"><h2>Recently decided</h2>");
        if (view.Decided.Count == 0)
        {
            h.Add($"<p class=\"muted\">No decisions yet.</p>");
        }

        foreach (var item in view.Decided)
        {
            Item(h, request, item, pending: false);
        }

        h.Add($"</section>");
        return h.ToFragment();
    }

    /// <summary>The policy in words.</summary>
    public static string Describe(MemoryReviewPolicy policy)
    {
        var parts = new List<string>();
        if (policy.HoldTypes.Count > 0)
        {
            parts.Add("types " + string.Join(", ", policy.HoldTypes));
        }

        if (policy.HoldBelowConfidence is { } threshold)
        {
            parts.Add("confidence below " + Format.Number(threshold));
        }

        if (policy.HoldActorKinds.Count > 0)
        {
            parts.Add("writes by " + string.Join(", ", policy.HoldActorKinds.Select(Format.Name)) + " actors");
        }

        if (policy.HoldScopeKinds.Count > 0)
        {
            parts.Add(string.Join(", ", policy.HoldScopeKinds.Select(Format.Name)) + " memories");
        }

        return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
    }

    private static void Item(HtmlBuilder h, InspectorRequest request, MemoryReviewItem item, bool pending)
    {
        var r = item.Request;
        var state = Format.Name(item.State);
        h.Add($"<article class=\"card\" data-testid=\"review-item\" data-review-id=\"{item.Id}\" data-review-state=\"{state}\">");
        h.Add($"<h3>{r.Type} <span class=\"badge\" data-testid=\"review-state\">{state}</span></h3>");
        h.Add($"<p class=\"value\" data-testid=\"review-text\">{r.Value.Text}</p><dl class=\"fields\">");
        Field(h, "Subject", "review-subject", HtmlBuilder.Of($"<a href=\"{Format.SubjectUrl(request.Base, r.Subject)}\">{r.Subject}</a>"));
        Field(h, "Type", "review-type", HtmlBuilder.Text(r.Type));
        Field(h, "Scope", "review-scope", HtmlBuilder.Text(r.Scope.ToString()));
        Field(h, "Written by", "review-actor", HtmlBuilder.Text(r.Actor.ToString()));
        Field(h, "Confidence", "review-confidence", HtmlBuilder.Text(Format.Number(r.Confidence)));
        Field(h, "Evidence", "review-evidence", HtmlBuilder.Text(Evidence(r.Provenance)));
        Field(h, "Held because", "review-rule", HtmlBuilder.Text(item.Rule));
        Field(h, "Held at", "review-held-at", Format.Time(item.HeldAt));
        if (!pending)
        {
            Field(h, "Decided by", "review-decided-by", HtmlBuilder.Text(item.DecidedBy?.ToString() ?? "—"));
            Field(h, "Decided at", "review-decided-at", Format.Time(item.DecidedAt));
            Field(h, "Reason", "review-decision-reason", HtmlBuilder.Text(item.DecisionReason ?? "—"));
            if (item.MemoryId is { } written)
            {
                Field(h, "Memory", "review-memory", HtmlBuilder.Of($"<a href=\"{Format.MemoryUrl(request.Base, written)}\" data-testid=\"review-memory-link\">{written}</a>"));
            }
        }

        h.Add($"</dl>");
        if (pending)
        {
            var url = request.Base + "/review/" + item.Id.ToString("D");
            var reasonId = "reason-" + item.Id.ToString("N");
            h.Add($"<form method=\"post\" action=\"{url}/approve\" class=\"inline\" data-testid=\"review-approve-form\">{request.Csrf}");
            h.Add($"<label for=\"{reasonId}-a\">Reason (required)</label><input id=\"{reasonId}-a\" name=\"reason\" required data-testid=\"review-reason\">");
            h.Add($"<button type=\"submit\" class=\"primary\" data-testid=\"review-approve\">Approve and write</button></form>");
            h.Add($"<form method=\"post\" action=\"{url}/reject\" class=\"inline\" data-testid=\"review-reject-form\">{request.Csrf}");
            h.Add($"<label for=\"{reasonId}-r\">Reason (required)</label><input id=\"{reasonId}-r\" name=\"reason\" required data-testid=\"review-reject-reason\">");
            h.Add($"<button type=\"submit\" class=\"danger\" data-testid=\"review-reject\">Reject</button></form>");
        }

        h.Add($"</article>");
    }

    private static string Evidence(MemoryProvenance p)
    {
        var parts = new List<string> { Format.Name(p.SourceKind) };
        parts.AddRange(p.MessageIds.Select(m => "message " + m));
        parts.AddRange(p.ToolCallIds.Select(t => "tool call " + t));
        parts.AddRange(p.FileHashes.Select(f => "file " + f));
        parts.AddRange(p.QuotedSpans.Select(q => "“" + q + "”"));
        return string.Join("; ", parts);
    }

    private static void Field(HtmlBuilder h, string label, string testId, HtmlFragment value) =>
        h.Add($"<dt>{label}</dt><dd data-testid=\"{testId}\">{value}</dd>");
}
