using System.Net;
using System.Text.Json;

namespace SkMemory.Inspector.Tests;

/// <summary>Browse, search, the memory page (evidence, history, read log), the subject page, output encoding and isolation.</summary>
public sealed class PageTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>
{
    private async Task<InspectorClient> SignedInAsync(string secret)
    {
        var client = new InspectorClient(fixture.Server.BaseAddress);
        using var response = await client.SignInAsync(secret);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return client;
    }

    [Fact]
    public async Task Browse_filters_by_subject_and_search_finds_by_meaning_through_the_store()
    {
        var tea = await fixture.WriteAsync("browse-1", "Prefers green tea in the morning");
        var bike = await fixture.WriteAsync("browse-1", "Rides a bicycle to work", type: "fact");
        var other = await fixture.WriteAsync("browse-2", "Likes jazz records");
        using var admin = await SignedInAsync(fixture.AdminSecret);

        var (status, html) = await admin.PageAsync("/inspector/?subject=browse-1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"data-memory-id=\"{tea.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-memory-id=\"{bike.Id}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-memory-id=\"{other.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/inspector/memories/{tea.Id}\"", html, StringComparison.Ordinal);

        (_, html) = await admin.PageAsync("/inspector/?subject=browse-1&type=fact");
        Assert.DoesNotContain($"data-memory-id=\"{tea.Id}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-memory-id=\"{bike.Id}\"", html, StringComparison.Ordinal);

        (_, html) = await admin.PageAsync("/inspector/?subject=browse-1&q=green+tea");
        Assert.Contains("best matches", html, StringComparison.Ordinal);
        Assert.Contains($"data-memory-id=\"{tea.Id}\"", html, StringComparison.Ordinal);

        (_, html) = await admin.PageAsync("/inspector/?subject=nobody-here");
        Assert.Contains("data-testid=\"empty-state\"", html, StringComparison.Ordinal);
        Assert.Contains("Nothing matches", html, StringComparison.Ordinal);

        (status, html) = await admin.PageAsync("/inspector/?scope=galaxy");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("data-testid=\"error\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browse_pages_with_a_cursor()
    {
        for (var i = 0; i < 27; i++)
        {
            await fixture.WriteAsync("pager", $"Memory number {i}");
        }

        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (_, first) = await admin.PageAsync("/inspector/?subject=pager");
        Assert.Equal(25, CountOf(first, "data-testid=\"memory-row\""));
        var next = System.Text.RegularExpressions.Regex.Match(first, "href=\"([^\"]+)\" data-testid=\"next-page\"").Groups[1].Value;
        Assert.NotEmpty(next);
        var (_, second) = await admin.PageAsync(System.Net.WebUtility.HtmlDecode(next));
        Assert.Equal(2, CountOf(second, "data-testid=\"memory-row\""));
    }

    [Fact]
    public async Task The_memory_page_shows_value_evidence_metadata_history_and_the_read_log()
    {
        var record = await fixture.WriteAsync(
            "ana",
            "Allergic to peanuts",
            type: "fact",
            provenance: new MemoryProvenance
            {
                SourceKind = MemorySourceKind.Message,
                MessageIds = ["msg-41"],
                ToolCallIds = ["call-7"],
                FileHashes = ["sha256:abc123"],
                QuotedSpans = ["I am allergic to peanuts"],
                ObservedAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero),
            },
            metadata: new Dictionary<string, string> { ["source"] = "chat" });

        // A read through the governed store, as an agent would, so the read log has an entry.
        var governed = new MemoryStoreBuilder(fixture.Store).UseAccessControl(MemoryCallerAccessor.Fixed(new MemoryCaller { Tenant = "acme", Actor = MemoryActor.Agent("concierge"), ActingFor = ["ana"] })).Build();
        var hits = await governed.SearchAsync(new MemorySearchRequest { Tenant = "acme", Subject = "ana", Text = "peanuts" }, InspectorClient.Token);
        Assert.Contains(hits, h => h.Record.Id == record.Id);

        using var ana = await SignedInAsync(fixture.AnaSecret);
        var (status, html) = await ana.PageAsync($"/inspector/memories/{record.Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Allergic to peanuts", html, StringComparison.Ordinal);
        Assert.Contains("msg-41", html, StringComparison.Ordinal);
        Assert.Contains("call-7", html, StringComparison.Ordinal);
        Assert.Contains("sha256:abc123", html, StringComparison.Ordinal);
        Assert.Contains("I am allergic to peanuts", html, StringComparison.Ordinal);
        Assert.Contains("datetime=\"2026-03-04T05:06:07Z\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"metadata-entry\">chat<", html, StringComparison.Ordinal);
        Assert.Contains("data-event-type=\"created\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"read-entry\"", html, StringComparison.Ordinal);
        Assert.Contains("agent:concierge", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"read-operation\">search<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_structured_value_is_shown_as_indented_encoded_json()
    {
        using var document = JsonDocument.Parse("{\"drink\":\"tea\",\"note\":\"</pre><script>x</script>\"}");
        var record = (await fixture.Store.WriteAsync(new MemoryWriteRequest
        {
            Tenant = "acme",
            Type = "preference",
            Subject = "structured",
            Actor = MemoryActor.User("structured"),
            Value = new MemoryValue("Drinks tea", document.RootElement.Clone()),
        }, InspectorClient.Token)).Record;
        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (_, html) = await admin.PageAsync($"/inspector/memories/{record.Id}");
        Assert.Contains("data-testid=\"memory-json\">{", html, StringComparison.Ordinal);
        Assert.Contains("&quot;drink&quot;: &quot;tea&quot;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;/pre&gt;&lt;script&gt;x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>x", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_in_a_memory_renders_as_inert_text()
    {
        var record = await fixture.WriteAsync("xss", "<script>alert(1)</script>", metadata: new Dictionary<string, string> { ["k\"><b>"] = "<img src=x onerror=alert(2)>" });
        using var admin = await SignedInAsync(fixture.AdminSecret);
        foreach (var path in new[] { $"/inspector/memories/{record.Id}", "/inspector/?subject=xss", "/inspector/subjects/xss" })
        {
            var (status, html) = await admin.PageAsync(path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        }

        var (_, page) = await admin.PageAsync($"/inspector/memories/{record.Id}");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenants_memory_is_not_found_like_a_missing_one()
    {
        var foreign = await fixture.WriteAsync("gil", "Globex secret plan", tenant: "globex");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (status, html) = await admin.PageAsync($"/inspector/memories/{foreign.Id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("Globex secret plan", html, StringComparison.Ordinal);
        var (missing, missingHtml) = await admin.PageAsync($"/inspector/memories/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Contains("Memory not found", missingHtml, StringComparison.Ordinal);
        Assert.Contains("Memory not found", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PageAsync("/inspector/memories/not-a-guid")).Status);

        (_, html) = await admin.PageAsync("/inspector/?q=Globex+secret+plan");
        Assert.DoesNotContain(foreign.Id.ToString(), html, StringComparison.Ordinal);

        using var gil = await SignedInAsync(fixture.GlobexSecret);
        (status, html) = await gil.PageAsync($"/inspector/memories/{foreign.Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Globex secret plan", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subjects_key_sees_only_its_own_memories()
    {
        var anas = await fixture.WriteAsync("ana", "Ana's own memory about sailing");
        var bos = await fixture.WriteAsync("bo", "Bo's private memory about chess");
        using var ana = await SignedInAsync(fixture.AnaSecret);

        var (status, html) = await ana.PageAsync($"/inspector/memories/{bos.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("chess", html, StringComparison.Ordinal);
        Assert.DoesNotContain("'bo'", html, StringComparison.Ordinal); // whose memory it is stays in the audit log

        (_, html) = await ana.PageAsync("/inspector/?status=any");
        Assert.Contains(anas.Id.ToString(), html, StringComparison.Ordinal);
        Assert.DoesNotContain(bos.Id.ToString(), html, StringComparison.Ordinal);
        (_, html) = await ana.PageAsync("/inspector/?subject=bo");
        Assert.DoesNotContain(bos.Id.ToString(), html, StringComparison.Ordinal);
        (_, html) = await ana.PageAsync("/inspector/subjects/bo");
        Assert.Contains("data-testid=\"consent-hidden\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"count-active\">0<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_subject_page_counts_by_status_and_shows_consent_and_retention()
    {
        await fixture.WriteAsync("subj", "One");
        var two = await fixture.WriteAsync("subj", "Two", type: "fact");
        await fixture.Store.DeleteAsync(new MemoryDeleteRequest { Tenant = "acme", Id = two.Id, Reason = "test", Actor = MemoryActor.User("subj") }, InspectorClient.Token);
        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (status, html) = await admin.PageAsync("/inspector/subjects/subj");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-testid=\"count-active\">1<", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"count-deleted\">1<", html, StringComparison.Ordinal);
        Assert.Contains("data-scope=\"personal\"", html, StringComparison.Ordinal);
        Assert.Contains("no decision recorded", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"retention-rule\">preference (personal)", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"consent-form\"", html, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
