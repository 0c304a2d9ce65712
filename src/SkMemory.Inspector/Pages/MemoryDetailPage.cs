using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>One memory: value, fields, evidence, metadata, history, read log, links, and the correct and delete forms.</summary>
internal static class MemoryDetailPage
{
    public static HtmlFragment Render(InspectorRequest request, MemoryView view)
    {
        var b = request.Base;
        var r = view.Record;
        var h = new HtmlBuilder();
        h.Add($"<p class=\"crumbs\"><a href=\"{b}/\">Memories</a> / <a href=\"{Format.SubjectUrl(b, r.Subject)}\" data-testid=\"memory-subject-link\">{r.Subject}</a></p>");
        if (view.Notice is not null)
        {
            h.Add($"<p class=\"alert ok\" role=\"status\" data-testid=\"notice\">{view.Notice}</p>");
        }

        h.Add($"<article class=\"card\" data-testid=\"memory\" data-memory-id=\"{r.Id}\"><h1 class=\"memory-title\">{r.Type} {Format.Status(r.Status)}</h1>");
        h.Add(r.Value.Text.Length == 0
            ? HtmlBuilder.Of($"<p class=\"value erased\" data-testid=\"memory-text\">(content erased{(r.DeletionReason is null ? string.Empty : ": " + r.DeletionReason)})</p>")
            : HtmlBuilder.Of($"<p class=\"value\" data-testid=\"memory-text\">{r.Value.Text}</p>"));
        if (r.Value.Structured is { } structured)
        {
            h.Add($"<h2>Structured value</h2><pre class=\"json\" data-testid=\"memory-json\">{Format.Indented(structured)}</pre>");
        }

        h.Add($"<dl class=\"fields\" data-testid=\"memory-fields\">");
        Field(h, "Id", "field-id", HtmlBuilder.Text(r.Id.ToString()));
        Field(h, "Subject", "field-subject", HtmlBuilder.Of($"<a href=\"{Format.SubjectUrl(b, r.Subject)}\">{r.Subject}</a>"));
        Field(h, "Scope", "field-scope", HtmlBuilder.Text(r.Scope.ToString()));
        Field(h, "Written by", "field-actor", HtmlBuilder.Text(r.Actor.ToString()));
        Field(h, "Confidence", "field-confidence", HtmlBuilder.Text(Format.Number(r.Confidence)));
        Field(h, "Salience", "field-salience", HtmlBuilder.Text(Format.Number(r.Salience)));
        Field(h, "Valid from", "field-valid-from", Format.Time(r.ValidFrom));
        Field(h, "Valid to", "field-valid-to", Format.Time(r.ValidTo));
        Field(h, "TTL", "field-ttl", HtmlBuilder.Text(r.Ttl is { } ttl ? Format.Duration(ttl) : "none"));
        Field(h, "Expires", "field-expires", Format.Time(r.ExpiresAt));
        Field(h, "Created", "field-created", Format.Time(r.CreatedAt));
        Field(h, "Updated", "field-updated", Format.Time(r.UpdatedAt));
        Field(h, "Version", "field-version", HtmlBuilder.Text(r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (r.DeletionReason is not null)
        {
            Field(h, "Deletion reason", "field-deletion-reason", HtmlBuilder.Text(r.DeletionReason));
        }

        h.Add($"</dl>");
        Links(h, b, r, view.Lineage);
        Evidence(h, r.Provenance);
        h.Add($"<section data-testid=\"memory-metadata\"><h2>Metadata</h2>");
        if (r.Metadata.Count == 0)
        {
            h.Add($"<p class=\"muted\">None.</p>");
        }
        else
        {
            h.Add($"<dl class=\"fields\">");
            foreach (var (key, value) in r.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                h.Add($"<dt>{key}</dt><dd data-testid=\"metadata-entry\">{value}</dd>");
            }

            h.Add($"</dl>");
        }

        h.Add($"</section></article>");
        History(h, view.History);
        Reads(h, view);
        Actions(h, request, r);
        return h.ToFragment();
    }

    private static void Field(HtmlBuilder h, string label, string testId, HtmlFragment value) =>
        h.Add($"<dt>{label}</dt><dd data-testid=\"{testId}\">{value}</dd>");

    private static void Links(HtmlBuilder h, string b, MemoryRecord r, MemoryLineage? lineage)
    {
        if (r.Supersedes is null && r.SupersededBy is null)
        {
            return;
        }

        h.Add($"<section data-testid=\"memory-links\"><h2>Versions</h2><ul>");
        if (r.Supersedes is { } previous)
        {
            h.Add($"<li>Supersedes <a href=\"{Format.MemoryUrl(b, previous)}\" data-testid=\"supersedes-link\">{previous}</a></li>");
        }

        if (r.SupersededBy is { } next)
        {
            h.Add($"<li>Superseded by <a href=\"{Format.MemoryUrl(b, next)}\" data-testid=\"superseded-by-link\">{next}</a></li>");
        }

        foreach (var older in (lineage?.Supersedes ?? []).Skip(1))
        {
            h.Add($"<li>Earlier: <a href=\"{Format.MemoryUrl(b, older.Id)}\" data-testid=\"earlier-link\">{older.Id}</a> {Format.Preview(older.Value.Text, 80)}</li>");
        }

        h.Add($"</ul></section>");
    }

    private static void Evidence(HtmlBuilder h, MemoryProvenance p)
    {
        h.Add($"<section data-testid=\"memory-evidence\"><h2>Provenance and evidence</h2><dl class=\"fields\">");
        Field(h, "Source", "evidence-source", HtmlBuilder.Text(Format.Name(p.SourceKind)));
        Field(h, "Observed at", "evidence-observed-at", Format.Time(p.ObservedAt));
        List(h, "Message ids", "evidence-message", p.MessageIds);
        List(h, "Tool calls", "evidence-tool-call", p.ToolCallIds);
        List(h, "File hashes", "evidence-file-hash", p.FileHashes);
        h.Add($"</dl>");
        if (p.QuotedSpans.Count > 0)
        {
            h.Add($"<h3>Quoted spans</h3>");
            foreach (var span in p.QuotedSpans)
            {
                h.Add($"<blockquote data-testid=\"evidence-quote\">{span}</blockquote>");
            }
        }
        else if (!p.HasEvidence)
        {
            h.Add($"<p class=\"muted\">No evidence recorded (a manual memory, or its evidence was erased).</p>");
        }

        h.Add($"</section>");
    }

    private static void List(HtmlBuilder h, string label, string testId, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        var list = new HtmlBuilder();
        foreach (var item in items)
        {
            list.Add($"<li data-testid=\"{testId}\"><code>{item}</code></li>");
        }

        h.Add($"<dt>{label}</dt><dd><ul class=\"plain\">{list.ToFragment()}</ul></dd>");
    }

    private static void History(HtmlBuilder h, IReadOnlyList<MemoryEvent> history)
    {
        h.Add($"<section class=\"card\" data-testid=\"memory-history\"><h2>History</h2><ol class=\"timeline\">");
        foreach (var e in history)
        {
            h.Add($"<li data-testid=\"history-event\" data-event-type=\"{Format.Name(e.EventType)}\"><span class=\"badge event\">{Format.Name(e.EventType)}</span> {Format.Time(e.OccurredAt)} by <span data-testid=\"history-actor\">{e.Actor.ToString()}</span>");
            if (e.Reason is not null)
            {
                h.Add($"<div class=\"reason\" data-testid=\"history-reason\">{e.Reason}</div>");
            }

            h.Add($"</li>");
        }

        h.Add($"</ol></section>");
    }

    private static void Reads(HtmlBuilder h, MemoryView view)
    {
        h.Add($"<section class=\"card\" data-testid=\"memory-reads\"><h2>Read log</h2>");
        if (view.Lineage is null)
        {
            h.Add($"<p class=\"muted\" data-testid=\"reads-refused\">{view.LineageRefusal}</p></section>");
            return;
        }

        if (view.Lineage.Reads.Count == 0)
        {
            h.Add($"<p class=\"muted\">Nobody has read this memory yet.</p></section>");
            return;
        }

        h.Add($"<div class=\"table-wrap\"><table><thead><tr><th>When</th><th>Reader</th><th>Operation</th><th>Task</th><th>Score</th><th>Injected</th></tr></thead><tbody>");
        foreach (var read in view.Lineage.Reads)
        {
            h.Add($"<tr data-testid=\"read-entry\"><td data-label=\"When\">{Format.Time(read.ReadAt)}</td><td data-label=\"Reader\">{read.Reader.ToString()}</td><td data-label=\"Operation\" data-testid=\"read-operation\">{read.Operation}</td>");
            h.Add($"<td data-label=\"Task\">{read.Task ?? "—"}</td><td data-label=\"Score\">{(read.Score is { } s ? Format.Number(s) : "—")}</td><td data-label=\"Injected\">{(read.Injected ? "yes" : "no")}</td></tr>");
        }

        h.Add($"</tbody></table></div></section>");
    }

    private static void Actions(HtmlBuilder h, InspectorRequest request, MemoryRecord r)
    {
        var url = Format.MemoryUrl(request.Base, r.Id);
        var version = r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (r.Status == MemoryStatus.Active)
        {
            h.Add($"<section class=\"card\" data-testid=\"correct\"><h2>Correct this memory</h2><p class=\"muted\">Writes a new version that supersedes this one; the old version and the reason stay in the history.</p>");
            h.Add($"<form method=\"post\" action=\"{url}/correct\" data-testid=\"correct-form\">{request.Csrf}<input type=\"hidden\" name=\"version\" value=\"{version}\">");
            h.Add($"<label for=\"correct-text\">Corrected text</label><textarea id=\"correct-text\" name=\"text\" rows=\"3\" required data-testid=\"correct-text\">{r.Value.Text}</textarea>");
            h.Add($"<label for=\"correct-reason\">Reason (required)</label><input id=\"correct-reason\" name=\"reason\" required data-testid=\"correct-reason\">");
            h.Add($"<button type=\"submit\" class=\"primary\" data-testid=\"correct-submit\">Save correction</button></form></section>");
        }

        if (r.Status != MemoryStatus.Deleted || r.Value.Text.Length > 0)
        {
            h.Add($"<section class=\"card danger\" data-testid=\"delete\"><h2>Delete this memory</h2>");
            h.Add($"<form method=\"post\" action=\"{url}/delete\" data-testid=\"delete-form\" data-confirm=\"Delete this memory? A purge cannot be undone.\">{request.Csrf}<input type=\"hidden\" name=\"version\" value=\"{version}\">");
            h.Add($"<fieldset><legend>How</legend><label class=\"choice\"><input type=\"radio\" name=\"mode\" value=\"purge\" checked data-testid=\"delete-mode-purge\"> Purge: erase the content everywhere (text, evidence, embeddings, search index) and get a signed deletion attestation</label>");
            h.Add($"<label class=\"choice\"><input type=\"radio\" name=\"mode\" value=\"soft\" data-testid=\"delete-mode-soft\"> Soft delete: mark it deleted; the content stays in the history</label></fieldset>");
            h.Add($"<label for=\"delete-reason\">Reason (required)</label><input id=\"delete-reason\" name=\"reason\" required data-testid=\"delete-reason\">");
            h.Add($"<button type=\"submit\" class=\"danger\" data-testid=\"delete-submit\">Delete</button></form></section>");
        }
    }
}
