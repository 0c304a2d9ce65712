using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>One subject: counts by status, consent per scope kind, the retention that applies, export and consent actions.</summary>
internal static class SubjectPage
{
    public static HtmlFragment Render(InspectorRequest request, SubjectView view)
    {
        var b = request.Base;
        var url = Format.SubjectUrl(b, view.Subject);
        var h = new HtmlBuilder();
        h.Add($"<p class=\"crumbs\"><a href=\"{b}/\">Memories</a> / subject</p>");
        if (view.Notice is not null)
        {
            h.Add($"<p class=\"alert ok\" role=\"status\" data-testid=\"notice\">{view.Notice}</p>");
        }

        h.Add($"<h1 data-testid=\"subject-name\">{view.Subject}</h1>");
        h.Add($"<p><a href=\"{b}/?subject={Uri.EscapeDataString(view.Subject)}&amp;status=any\" data-testid=\"subject-browse\">Browse this subject’s memories</a> · <a href=\"{url}/export.jsonl\" download data-testid=\"subject-export\">Export as JSON Lines</a></p>");
        h.Add($"<section class=\"card\" data-testid=\"subject-counts\"><h2>Memories you can see, by status</h2><dl class=\"counts\">");
        foreach (var (status, count) in view.Counts)
        {
            var shown = count >= view.CountLimit ? $"{view.CountLimit}+" : count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            h.Add($"<div><dt>{Format.Status(status)}</dt><dd data-testid=\"count-{Format.Name(status)}\">{shown}</dd></div>");
        }

        h.Add($"</dl></section>");
        Consent(h, request, view, url);
        h.Add($"<section class=\"card\" data-testid=\"subject-retention\"><h2>Retention</h2><p class=\"muted\">What the retention policy ({view.RetentionSource ?? "default"}) does to this subject’s kinds of memory when the sweeper runs:</p><ul>");
        foreach (var line in view.Retention)
        {
            h.Add($"<li data-testid=\"retention-rule\">{line}</li>");
        }

        h.Add($"</ul></section>");
        return h.ToFragment();
    }

    private static void Consent(HtmlBuilder h, InspectorRequest request, SubjectView view, string url)
    {
        h.Add($"<section class=\"card\" data-testid=\"subject-consent\"><h2>Consent</h2>");
        if (view.Consents is null)
        {
            h.Add($"<p class=\"muted\" data-testid=\"consent-hidden\">Only the subject, someone acting for it, or a key with memory.read_all or memory.admin sees its consent.</p></section>");
            return;
        }

        h.Add($"<div class=\"table-wrap\"><table><thead><tr><th>Scope</th><th>State</th><th>Purpose</th><th>Changed</th><th>By</th><th>Reason</th></tr></thead><tbody>");
        foreach (var (kind, consent) in view.Consents)
        {
            if (consent is null)
            {
                h.Add($"<tr data-testid=\"consent-row\" data-scope=\"{Format.Name(kind)}\"><td data-label=\"Scope\">{Format.Name(kind)}</td><td data-label=\"State\" data-testid=\"consent-state\">no decision recorded</td><td colspan=\"4\" class=\"muted\">Reads and writes follow the access policy.</td></tr>");
                continue;
            }

            var state = consent.IsInForce(DateTimeOffset.UtcNow) ? Format.Name(consent.State) : consent.State == MemoryConsentState.Granted ? "lapsed" : Format.Name(consent.State);
            h.Add($"<tr data-testid=\"consent-row\" data-scope=\"{Format.Name(kind)}\"><td data-label=\"Scope\">{Format.Name(kind)}</td><td data-label=\"State\" data-testid=\"consent-state\">{state}</td><td data-label=\"Purpose\">{consent.Purpose}</td>");
            h.Add($"<td data-label=\"Changed\">{Format.Time(consent.ChangedAt)}</td><td data-label=\"By\">{consent.ChangedBy.ToString()}</td><td data-label=\"Reason\">{consent.Reason ?? "—"}</td></tr>");
        }

        h.Add($"</tbody></table></div>");
        if (view.MayChangeConsent)
        {
            var kinds = new HtmlBuilder();
            foreach (var kind in view.Consents.Keys)
            {
                kinds.Add($"<option value=\"{Format.Name(kind)}\">{Format.Name(kind)}</option>");
            }

            h.Add($"<form method=\"post\" action=\"{url}/consent\" class=\"stack\" data-testid=\"consent-form\" data-confirm=\"Change this subject's consent?\">{request.Csrf}");
            h.Add($"<label for=\"consent-scope\">Scope kind</label><select id=\"consent-scope\" name=\"scope\" data-testid=\"consent-scope\">{kinds.ToFragment()}</select>");
            h.Add($"<label for=\"consent-reason\">Reason (required)</label><input id=\"consent-reason\" name=\"reason\" required data-testid=\"consent-reason\">");
            h.Add($"<div class=\"row\"><button type=\"submit\" name=\"state\" value=\"revoked\" class=\"danger\" data-testid=\"consent-revoke\">Revoke consent</button>");
            h.Add($"<button type=\"submit\" name=\"state\" value=\"granted\" data-testid=\"consent-grant\">Grant consent</button></div>");
            h.Add($"<p class=\"muted small\">Revoking hides the subject’s memories of that scope kind from every read at once and refuses new writes there; the retention sweeper purges them after the policy’s grace period.</p></form>");
        }

        h.Add($"</section>");
    }
}
