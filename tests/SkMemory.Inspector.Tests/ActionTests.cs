using System.Net;
using System.Text.Json;

namespace SkMemory.Inspector.Tests;

/// <summary>Correct, delete (purge with attestation, soft), consent, export, and the antiforgery check on every POST.</summary>
public sealed class ActionTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>
{
    private async Task<InspectorClient> SignedInAsync(string secret)
    {
        var client = new InspectorClient(fixture.Server.BaseAddress);
        using var response = await client.SignInAsync(secret);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return client;
    }

    [Fact]
    public async Task Correcting_supersedes_as_the_signed_in_caller_with_the_reason()
    {
        var record = await fixture.WriteAsync("ana", "Lives in Lisbon");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var page = $"/inspector/memories/{record.Id}";
        using var response = await ana.PostAsync(page + "/correct", page, ("text", "Lives in Porto"), ("reason", "moved in May"), ("version", "1"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.EndsWith("?done=corrected", location, StringComparison.Ordinal);

        var (status, html) = await ana.PageAsync(location);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Lives in Porto", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"notice\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/inspector/memories/{record.Id}\" data-testid=\"supersedes-link\"", html, StringComparison.Ordinal);

        (_, html) = await ana.PageAsync(page);
        Assert.Contains("data-event-type=\"superseded\"", html, StringComparison.Ordinal);
        Assert.Contains("moved in May", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"superseded-by-link\"", html, StringComparison.Ordinal);
        var previous = await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token);
        Assert.Equal(MemoryStatus.Superseded, previous!.Status);
        var history = await fixture.Store.GetHistoryAsync("acme", record.Id, InspectorClient.Token);
        Assert.Equal(MemoryActor.User("ana"), history[^1].Actor);
    }

    [Fact]
    public async Task A_correction_without_a_reason_is_a_400_and_changes_nothing()
    {
        var record = await fixture.WriteAsync("ana", "Drinks coffee black");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var page = $"/inspector/memories/{record.Id}";
        using var response = await ana.PostAsync(page + "/correct", page, ("text", "Drinks tea"), ("reason", "  "));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A reason is required", await response.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);
        Assert.Equal(MemoryStatus.Active, (await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token))!.Status);
    }

    [Fact]
    public async Task Purging_erases_the_content_and_shows_the_signed_attestation_with_a_download()
    {
        var record = await fixture.WriteAsync("ana", "Secret diary entry about the surprise party", provenance: new MemoryProvenance { QuotedSpans = ["the surprise party"] });
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var page = $"/inspector/memories/{record.Id}";
        using var response = await ana.PostAsync(page + "/delete", page, ("mode", "purge"), ("reason", "GDPR erasure #12"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(InspectorClient.Token);
        Assert.Contains("data-testid=\"attestation\"", html, StringComparison.Ordinal);
        Assert.Contains("GDPR erasure #12", html, StringComparison.Ordinal);
        Assert.Contains("user:ana", html, StringComparison.Ordinal);
        Assert.Contains(record.Id.ToString(), html, StringComparison.Ordinal);
        Assert.Contains("ES256", html, StringComparison.Ordinal);
        Assert.Contains("download=\"attestation-", html, StringComparison.Ordinal);
        Assert.Contains("href=\"data:application/json;charset=utf-8,", html, StringComparison.Ordinal);
        var json = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"att-json\">([^<]+)</pre>").Groups[1].Value;
        var attestation = MemoryAttestationJson.Deserialize(WebUtility.HtmlDecode(json));
        Assert.Equal([record.Id], attestation.MemoryIds);
        Assert.NotNull(attestation.Signature);

        var (status, after) = await ana.PageAsync(page);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("surprise party", after, StringComparison.Ordinal);
        Assert.Contains("content erased", after, StringComparison.Ordinal);
        var stored = await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token);
        Assert.Equal(string.Empty, stored!.Value.Text);
        Assert.Equal(MemoryStatus.Deleted, stored.Status);
    }

    [Fact]
    public async Task A_correction_of_a_version_that_changed_meanwhile_is_a_409()
    {
        var record = await fixture.WriteAsync("ana", "Works at Initech");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var page = $"/inspector/memories/{record.Id}";
        await fixture.Store.UpdateAsync(new MemoryUpdateRequest { Tenant = "acme", Id = record.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Salience = 0.9 }, InspectorClient.Token);
        using var response = await ana.PostAsync(page + "/correct", page, ("text", "Works at Initrode"), ("reason", "new job"), ("version", "1"));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Changed meanwhile", await response.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);
        Assert.Equal(MemoryStatus.Active, (await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token))!.Status);
    }

    [Fact]
    public async Task A_soft_delete_marks_the_memory_deleted_with_the_reason()
    {
        var record = await fixture.WriteAsync("ana", "Plays the cello");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var page = $"/inspector/memories/{record.Id}";
        using var response = await ana.PostAsync(page + "/delete", page, ("mode", "soft"), ("reason", "not true any more"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var (_, html) = await ana.PageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("data-event-type=\"deleted\"", html, StringComparison.Ordinal);
        Assert.Contains("not true any more", html, StringComparison.Ordinal);
        Assert.Equal(MemoryStatus.Deleted, (await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token))!.Status);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_a_400_and_changes_nothing()
    {
        var record = await fixture.WriteAsync("ana", "Has a cat named Miso");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var page = $"/inspector/memories/{record.Id}";
        using var correct = await ana.PostRawAsync(page + "/correct", ("text", "Has a dog"), ("reason", "csrf"));
        Assert.Equal(HttpStatusCode.BadRequest, correct.StatusCode);
        Assert.Contains("Nothing was changed", await correct.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);
        using var purge = await ana.PostRawAsync(page + "/delete", ("mode", "purge"), ("reason", "csrf"), ("__csrf", "forged"));
        Assert.Equal(HttpStatusCode.BadRequest, purge.StatusCode);
        using var consent = await ana.PostRawAsync("/inspector/subjects/ana/consent", ("scope", "personal"), ("state", "revoked"), ("reason", "csrf"));
        Assert.Equal(HttpStatusCode.BadRequest, consent.StatusCode);
        using var signIn = await new InspectorClient(fixture.Server.BaseAddress).PostRawAsync("/inspector/signin", ("key", fixture.AnaSecret));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);

        var stored = await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token);
        Assert.Equal("Has a cat named Miso", stored!.Value.Text);
        Assert.Equal(MemoryStatus.Active, stored.Status);
        Assert.Equal(1, stored.Version);
        var consents = (IMemoryConsentStore)fixture.Store.GetService(typeof(IMemoryConsentStore))!;
        Assert.Null(await consents.GetAsync("acme", "ana", MemoryScopeKind.Personal, InspectorClient.Token));
    }

    [Fact]
    public async Task A_token_of_another_session_is_refused()
    {
        var record = await fixture.WriteAsync("bo", "Bo keeps bees");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        using var bo = await SignedInAsync(fixture.BoSecret);
        var (_, anaPage) = await ana.PageAsync("/inspector/");
        using var response = await bo.PostRawAsync($"/inspector/memories/{record.Id}/delete", ("__csrf", InspectorClient.TokenOf(anaPage)), ("mode", "purge"), ("reason", "x"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bo keeps bees", (await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token))!.Value.Text);
    }

    [Fact]
    public async Task A_subject_cannot_act_on_another_subjects_memory_or_consent()
    {
        var record = await fixture.WriteAsync("bo", "Bo's bank is Nordbank");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        foreach (var (path, fields) in new (string, (string, string)[])[]
        {
            ($"/inspector/memories/{record.Id}/correct", [("text", "hacked"), ("reason", "x")]),
            ($"/inspector/memories/{record.Id}/delete", [("mode", "purge"), ("reason", "x")]),
            ($"/inspector/memories/{record.Id}/delete", [("mode", "soft"), ("reason", "x")]),
            ("/inspector/subjects/bo/consent", [("scope", "personal"), ("state", "revoked"), ("reason", "x")]),
        })
        {
            using var response = await ana.PostAsync(path, "/inspector/", fields);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync(InspectorClient.Token);
            Assert.Contains("data-testid=\"error\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Nordbank", html, StringComparison.Ordinal);
        }

        var stored = await fixture.Store.GetAsync("acme", record.Id, InspectorClient.Token);
        Assert.Equal("Bo's bank is Nordbank", stored!.Value.Text);
        Assert.Equal(MemoryStatus.Active, stored.Status);
        var consents = (IMemoryConsentStore)fixture.Store.GetService(typeof(IMemoryConsentStore))!;
        Assert.Null(await consents.GetAsync("acme", "bo", MemoryScopeKind.Personal, InspectorClient.Token));
    }

    [Fact]
    public async Task Revoking_consent_takes_the_subjects_memories_out_of_browse()
    {
        var record = await fixture.WriteAsync("consenter", "Consenter likes hiking");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (_, before) = await admin.PageAsync("/inspector/?subject=consenter");
        Assert.Contains(record.Id.ToString(), before, StringComparison.Ordinal);

        using var response = await admin.PostAsync("/inspector/subjects/consenter/consent", "/inspector/subjects/consenter", ("scope", "personal"), ("state", "revoked"), ("reason", "subject asked by email"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var (_, subject) = await admin.PageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Consent revoked", subject, StringComparison.Ordinal);
        Assert.Contains("subject asked by email", subject, StringComparison.Ordinal);

        var (_, after) = await admin.PageAsync("/inspector/?subject=consenter");
        Assert.DoesNotContain(record.Id.ToString(), after, StringComparison.Ordinal);
        var consent = await ((IMemoryConsentStore)fixture.Store.GetService(typeof(IMemoryConsentStore))!).GetAsync("acme", "consenter", MemoryScopeKind.Personal, InspectorClient.Token);
        Assert.Equal(MemoryConsentState.Revoked, consent!.State);
        Assert.Equal(MemoryActor.User("admin"), consent.ChangedBy);
    }

    [Fact]
    public async Task Granting_consent_again_keeps_the_end_date_the_subject_gave()
    {
        var consents = (IMemoryConsentStore)fixture.Store.GetService(typeof(IMemoryConsentStore))!;
        var ahead = DateTimeOffset.UtcNow.AddDays(30);
        foreach (var (subject, end, expected) in new[] { ("granter-a", (DateTimeOffset?)ahead, (DateTimeOffset?)ahead), ("granter-b", null, null) })
        {
            await consents.SetAsync(new MemoryConsent { Tenant = "acme", Subject = subject, Scope = MemoryScopeKind.Personal, State = MemoryConsentState.Granted, Purpose = "support", ExpiresAt = end, ChangedAt = DateTimeOffset.UtcNow, ChangedBy = MemoryActor.User(subject) }, InspectorClient.Token);
            using var admin = await SignedInAsync(fixture.AdminSecret);
            using var response = await admin.PostAsync($"/inspector/subjects/{subject}/consent", $"/inspector/subjects/{subject}", ("scope", "personal"), ("state", "granted"), ("reason", "confirmed on the phone"));
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

            var granted = (await consents.GetAsync("acme", subject, MemoryScopeKind.Personal, InspectorClient.Token))!;
            Assert.Equal((MemoryConsentState.Granted, "support"), (granted.State, granted.Purpose));
            Assert.Equal(expected?.ToUnixTimeSeconds(), granted.ExpiresAt?.ToUnixTimeSeconds());
        }
    }

    [Fact]
    public async Task Export_streams_the_subjects_readable_memories_as_json_lines_and_is_audited()
    {
        var one = await fixture.WriteAsync("exporter", "First line \"quoted\"\nwith a newline");
        var two = await fixture.WriteAsync("exporter", "Second");
        await fixture.WriteAsync("not-exported", "Someone else");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        using var response = await admin.GetAsync("/inspector/subjects/exporter/export.jsonl");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync(InspectorClient.Token);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var records = lines.Select(MemoryJson.DeserializeRecord).ToList();
        Assert.Equal(new[] { one.Id, two.Id }.Order(), records.Select(r => r.Id).Order());
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());

        var reads = await ((IMemoryAuditLog)fixture.Store.GetService(typeof(IMemoryAuditLog))!).GetReadsAsync("acme", one.Id, cancellationToken: InspectorClient.Token);
        Assert.Contains(reads, r => r.Reader == MemoryActor.User("admin"));

        using var ana = await SignedInAsync(fixture.AnaSecret);
        using var denied = await ana.GetAsync("/inspector/subjects/exporter/export.jsonl");
        Assert.Equal(string.Empty, (await denied.Content.ReadAsStringAsync(InspectorClient.Token)).Trim());
    }
}
