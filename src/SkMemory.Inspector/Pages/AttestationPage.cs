using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>The signed deletion attestation a purge returned, with a JSON download.</summary>
internal static class AttestationPage
{
    public static HtmlFragment Render(InspectorRequest request, MemoryDeletionAttestation a)
    {
        var json = MemoryAttestationJson.Serialize(a, indented: true);
        var h = new HtmlBuilder();
        h.Add($"<p class=\"alert ok\" role=\"status\" data-testid=\"notice\">Purged. The content is erased everywhere; keep this attestation as the proof.</p>");
        h.Add($"<article class=\"card\" data-testid=\"attestation\" data-attestation-id=\"{a.Id}\"><h1>Deletion attestation</h1><dl class=\"fields\">");
        Field(h, "Attestation id", "att-id", HtmlBuilder.Text(a.Id.ToString()));
        Field(h, "Tenant", "att-tenant", HtmlBuilder.Text(a.Tenant));
        Field(h, "Reason", "att-reason", HtmlBuilder.Text(a.Reason));
        Field(h, "Actor", "att-actor", HtmlBuilder.Text(a.Actor.ToString()));
        Field(h, "Purged at", "att-time", Format.Time(a.PurgedAt));
        var ids = new HtmlBuilder();
        foreach (var id in a.MemoryIds.Concat(a.DerivedIds))
        {
            ids.Add($"<li><a href=\"{Format.MemoryUrl(request.Base, id)}\" data-testid=\"att-memory\">{id}</a></li>");
        }

        Field(h, "Memories", "att-memories", HtmlBuilder.Of($"<ul class=\"plain\">{ids.ToFragment()}</ul>"));
        var c = a.Counts;
        Field(h, "Counts", "att-counts", HtmlBuilder.Of($"{c.Records} records, {c.EventPayloads} event payloads, {c.Embeddings} embeddings, {c.FullTextRows} full-text rows, {c.VaultTokens} vault tokens, {c.DerivedMemories} derived memories"));
        Field(h, "Chain head", "att-chain-head", HtmlBuilder.Of($"<code>{a.ChainHead}</code>"));
        Field(h, "Signature", "att-signature", a.Signature is null
            ? HtmlBuilder.Text("unsigned (the store has no signing key)")
            : HtmlBuilder.Of($"{a.Algorithm ?? "?"}, key <code>{a.KeyId ?? "?"}</code>"));
        h.Add($"</dl><p><a class=\"button\" download=\"attestation-{a.Id}.json\" href=\"data:application/json;charset=utf-8,{Uri.EscapeDataString(json)}\" data-testid=\"att-download\">Download attestation (JSON)</a></p>");
        h.Add($"<p class=\"muted small\">Check it later with <code>skmem verify --attestation attestation-{a.Id}.json</code>.</p>");
        h.Add($"<details><summary>JSON</summary><pre class=\"json\" data-testid=\"att-json\">{json}</pre></details></article>");
        return h.ToFragment();
    }

    private static void Field(HtmlBuilder h, string label, string testId, HtmlFragment value) =>
        h.Add($"<dt>{label}</dt><dd data-testid=\"{testId}\">{value}</dd>");
}
