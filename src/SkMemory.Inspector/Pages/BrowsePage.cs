using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>The tenant's memories the caller may read: filters, a table (or search results), paging, an empty state.</summary>
internal static class BrowsePage
{
    public static HtmlFragment Render(InspectorRequest request, BrowseView view)
    {
        var b = request.Base;
        var h = new HtmlBuilder();
        h.Add($"<h1>Memories</h1>");
        h.Add($"<form method=\"get\" action=\"{b}/\" class=\"filters card\" data-testid=\"filters\">");
        h.Add($"<div class=\"field grow\"><label for=\"q\">Search</label><input id=\"q\" name=\"q\" type=\"search\" value=\"{view.Text}\" placeholder=\"words or a question\" data-testid=\"filter-q\"></div>");
        h.Add($"<div class=\"field\"><label for=\"subject\">Subject</label><input id=\"subject\" name=\"subject\" value=\"{view.Subject}\" placeholder=\"any\" data-testid=\"filter-subject\"></div>");
        h.Add($"<div class=\"field\"><label for=\"type\">Type</label><input id=\"type\" name=\"type\" value=\"{view.Type}\" placeholder=\"any\" data-testid=\"filter-type\"></div>");
        h.Add($"<div class=\"field\"><label for=\"scope\">Scope</label><select id=\"scope\" name=\"scope\" data-testid=\"filter-scope\">{Options(view.Scope ?? string.Empty, [string.Empty, .. MemoryJson.EnumNamesOf<MemoryScopeKind>()])}</select></div>");
        h.Add($"<div class=\"field\"><label for=\"status\">Status</label><select id=\"status\" name=\"status\" data-testid=\"filter-status\">{Options(view.Status, [.. MemoryJson.EnumNamesOf<MemoryStatus>(), "any"])}</select></div>");
        h.Add($"<div class=\"field actions\"><button type=\"submit\" class=\"primary\" data-testid=\"filter-submit\">Apply</button>");
        if (view.Filtered)
        {
            h.Add($"<a href=\"{b}/\" data-testid=\"filter-clear\">Clear</a>");
        }

        h.Add($"</div></form>");
        if (view.Rows.Count == 0)
        {
            h.Add($"<section class=\"card empty\" data-testid=\"empty-state\">");
            if (view.Filtered)
            {
                h.Add($"<h2>Nothing matches</h2><p>No memory you may read matches these filters. <a href=\"{b}/\">Clear the filters</a>, pick status “any” to include superseded and deleted memories, or search with other words.</p>");
            }
            else
            {
                h.Add($"<h2>No memories to show yet</h2><p>You see the memories of tenant <strong>{request.Tenant}</strong> that your key may read: your own, those of the subjects you act for, your teams’ and public ones (an admin or <code>memory.read_all</code> key sees them all).</p>");
                h.Add($"<p>Add one with <code>skmem remember \"Prefers tea\" --subject {request.Caller.Actor.Id}</code>, or connect an agent to the MCP endpoint (<code>/mcp</code>) and let it remember.</p>");
            }

            h.Add($"</section>");
            return h.ToFragment();
        }

        var searching = view.Text is not null;
        h.Add($"<p class=\"muted\" data-testid=\"result-count\">{(searching ? $"{view.Rows.Count} best matches for “{view.Text}”" : $"{view.Rows.Count} memories on this page")}</p>");
        h.Add($"<div class=\"table-wrap\"><table class=\"memories\" data-testid=\"memory-table\"><thead><tr><th>Memory</th><th>Type</th><th>Subject</th><th>Scope</th><th>Status</th>{(searching ? HtmlBuilder.Of($"<th>Score</th>") : HtmlFragment.Empty)}<th>Updated</th></tr></thead><tbody>");
        foreach (var (record, score) in view.Rows)
        {
            h.Add($"<tr data-testid=\"memory-row\" data-memory-id=\"{record.Id}\"><td data-label=\"Memory\"><a href=\"{Format.MemoryUrl(b, record.Id)}\" data-testid=\"memory-link\">{(record.Value.Text.Length == 0 ? "(content erased)" : Format.Preview(record.Value.Text))}</a></td>");
            h.Add($"<td data-label=\"Type\">{record.Type}</td><td data-label=\"Subject\"><a href=\"{Format.SubjectUrl(b, record.Subject)}\" data-testid=\"subject-link\">{record.Subject}</a></td>");
            h.Add($"<td data-label=\"Scope\">{record.Scope.ToString()}</td><td data-label=\"Status\">{Format.Status(record.Status)}</td>");
            if (searching)
            {
                h.Add($"<td data-label=\"Score\">{(score is { } s ? Format.Number(s) : "—")}</td>");
            }

            h.Add($"<td data-label=\"Updated\">{Format.Time(record.UpdatedAt)}</td></tr>");
        }

        h.Add($"</tbody></table></div>");
        if (view.NextCursor is { } cursor)
        {
            var query = $"?subject={Uri.EscapeDataString(view.Subject ?? string.Empty)}&type={Uri.EscapeDataString(view.Type ?? string.Empty)}&scope={Uri.EscapeDataString(view.Scope ?? string.Empty)}&status={Uri.EscapeDataString(view.Status)}&cursor={Uri.EscapeDataString(cursor)}";
            h.Add($"<nav class=\"pager\"><a href=\"{b}/{query}\" data-testid=\"next-page\">Next page →</a></nav>");
        }

        return h.ToFragment();
    }

    private static HtmlFragment Options(string selected, IEnumerable<string> values)
    {
        var h = new HtmlBuilder();
        foreach (var value in values)
        {
            var label = value.Length == 0 ? "any" : value;
            h.Add(string.Equals(value, selected, StringComparison.Ordinal)
                ? HtmlBuilder.Of($"<option value=\"{value}\" selected>{label}</option>")
                : HtmlBuilder.Of($"<option value=\"{value}\">{label}</option>"));
        }

        return h.ToFragment();
    }
}
