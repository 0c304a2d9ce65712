using System.Net;
using ModelContextProtocol.Client;
using SkMemory.Mcp;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;

namespace SkMemory.Inspector.Tests;

/// <summary>
/// The Inspector's review queue over a real SQLite store and Kestrel, with a review policy holding type <c>preference</c>:
/// held writes, the page, approve and reject with reasons, double decisions, the admin-only rule, antiforgery.
/// </summary>
public sealed class ReviewTests(ReviewFixture fixture) : IClassFixture<ReviewFixture>
{
    private async Task<InspectorClient> SignedInAsync(string secret)
    {
        var client = new InspectorClient(fixture.Server.BaseAddress);
        using var response = await client.SignInAsync(secret);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return client;
    }

    private IMemoryReviewStore Reviews => (IMemoryReviewStore)fixture.Store.GetService(typeof(IMemoryReviewStore))!;

    private async Task<MemoryWriteResult> HoldAsync(string subject, string text)
    {
        var result = await fixture.GovernedFor(subject).WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = "acme",
                Type = "preference",
                Subject = subject,
                Actor = MemoryActor.User(subject),
                Value = text,
                Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["msg-42"] },
                Reason = "said so in chat",
            },
            InspectorClient.Token);
        Assert.Equal(MemoryWriteOutcome.HeldForReview, result.Outcome);
        return result;
    }

    private async Task<int> StoredAsync(string subject) =>
        (await fixture.Store.ReadAsync(new MemoryQuery { Tenant = "acme", Subject = subject, Statuses = Enum.GetValues<MemoryStatus>(), IncludeExpired = true }, InspectorClient.Token)).Items.Count;

    [Fact]
    public async Task A_held_write_stores_nothing_and_is_listed_with_its_rule_for_an_admin()
    {
        var held = await HoldAsync("rv-list", "Prefers <b>window</b> seats");
        Assert.Equal(0, await StoredAsync("rv-list"));
        var item = await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token);
        Assert.Equal(MemoryReviewState.Pending, item!.State);
        Assert.Equal("type 'preference' is held for review", item.Rule);

        // A type the policy does not name is written at once.
        var fact = await fixture.GovernedFor("rv-list").WriteAsync(
            new MemoryWriteRequest { Tenant = "acme", Type = "fact", Subject = "rv-list", Actor = MemoryActor.User("rv-list"), Value = "Lives in Lisbon", Provenance = MemoryProvenance.Manual },
            InspectorClient.Token);
        Assert.Equal(MemoryWriteOutcome.Created, fact.Outcome);

        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (status, html) = await admin.PageAsync("/inspector/review");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"data-testid=\"review-item\" data-review-id=\"{held.Record.Id}\" data-review-state=\"pending\"", html, StringComparison.Ordinal);
        Assert.Contains("Prefers &lt;b&gt;window&lt;/b&gt; seats", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>window</b>", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"review-rule\">type &#x27;preference&#x27; is held for review", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"review-actor\">user:rv-list", html, StringComparison.Ordinal);
        Assert.Contains("message msg-42", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"review-held-at\"><time datetime=", html, StringComparison.Ordinal);
        Assert.Contains($"action=\"/inspector/review/{held.Record.Id}/approve\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"review-reject\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"nav-review-count\">", html, StringComparison.Ordinal);

        // The navigation shows the pending count on every page.
        (_, html) = await admin.PageAsync("/inspector/");
        var pending = (await Reviews.ListAsync("acme", MemoryReviewState.Pending, InspectorClient.Token)).Count;
        Assert.Contains($"data-testid=\"nav-review-count\">{pending}</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approving_writes_the_memory_as_its_original_actor_with_the_reviewer_in_the_history()
    {
        var held = await HoldAsync("rv-approve", "Prefers tea over coffee");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        using var response = await admin.PostAsync($"/inspector/review/{held.Record.Id}/approve", "/inspector/review", ("reason", "checked with the user"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        var item = await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token);
        Assert.Equal(MemoryReviewState.Approved, item!.State);
        Assert.Equal(MemoryActor.User("admin"), item.DecidedBy);
        Assert.Equal("checked with the user", item.DecisionReason);
        var memoryId = Assert.IsType<Guid>(item.MemoryId);
        var record = await fixture.Store.GetAsync("acme", memoryId, InspectorClient.Token);
        Assert.Equal("Prefers tea over coffee", record!.Value.Text);
        Assert.Equal(MemoryActor.User("rv-approve"), record.Actor);
        var history = await fixture.Store.GetHistoryAsync("acme", memoryId, InspectorClient.Token);
        Assert.Equal(MemoryActor.User("rv-approve"), history[0].Actor);
        Assert.Contains("user:admin", history[0].Reason, StringComparison.Ordinal);
        Assert.Contains("checked with the user", history[0].Reason, StringComparison.Ordinal);

        var (status, html) = await admin.PageAsync(response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-testid=\"notice\">Approved", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/inspector/memories/{memoryId}\" data-testid=\"review-written-link\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-review-id=\"{held.Record.Id}\" data-review-state=\"approved\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/inspector/memories/{memoryId}\" data-testid=\"review-memory-link\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejecting_writes_nothing_and_keeps_the_reason()
    {
        var held = await HoldAsync("rv-reject", "Prefers to be called at 3am");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        using var response = await admin.PostAsync($"/inspector/review/{held.Record.Id}/reject", "/inspector/review", ("reason", "an obvious joke"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var item = await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token);
        Assert.Equal(MemoryReviewState.Rejected, item!.State);
        Assert.Equal("an obvious joke", item.DecisionReason);
        Assert.Null(item.MemoryId);
        Assert.Equal(0, await StoredAsync("rv-reject"));

        var (_, html) = await admin.PageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("data-testid=\"notice\">Rejected", html, StringComparison.Ordinal);
        Assert.Contains($"data-review-id=\"{held.Record.Id}\" data-review-state=\"rejected\"", html, StringComparison.Ordinal);
        Assert.Contains("an obvious joke", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deciding_twice_or_an_unknown_item_is_a_friendly_409_or_404_and_changes_nothing()
    {
        var held = await HoldAsync("rv-twice", "Prefers aisle seats");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        using (var first = await admin.PostAsync($"/inspector/review/{held.Record.Id}/reject", "/inspector/review", ("reason", "no evidence")))
        {
            Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        }

        using (var again = await admin.PostAsync($"/inspector/review/{held.Record.Id}/approve", "/inspector/review", ("reason", "changed my mind")))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            var html = await again.Content.ReadAsStringAsync(InspectorClient.Token);
            Assert.Contains("Already decided", html, StringComparison.Ordinal);
            Assert.Contains("already rejected by user:admin", html, StringComparison.Ordinal);
        }

        var item = await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token);
        Assert.Equal(MemoryReviewState.Rejected, item!.State);
        Assert.Equal("no evidence", item.DecisionReason);
        Assert.Equal(0, await StoredAsync("rv-twice"));

        using var unknown = await admin.PostAsync($"/inspector/review/{Guid.NewGuid()}/approve", "/inspector/review", ("reason", "whatever"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Review item not found", await unknown.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);

        // Another tenant's admin cannot decide acme's items either: to globex the item does not exist.
        var other = await fixture.HoldAnotherAsync("rv-twice-2");
        using var globex = await SignedInAsync(fixture.GlobexSecret);
        using var foreign = await globex.PostAsync($"/inspector/review/{other}/approve", "/inspector/review", ("reason", "not mine"));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(MemoryReviewState.Pending, (await Reviews.GetAsync("acme", other, InspectorClient.Token))!.State);
    }

    [Fact]
    public async Task A_decision_without_a_reason_is_a_400_and_changes_nothing()
    {
        var held = await HoldAsync("rv-noreason", "Prefers e-mail");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        using var response = await admin.PostAsync($"/inspector/review/{held.Record.Id}/approve", "/inspector/review", ("reason", "  "));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A reason is required", await response.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);
        Assert.Equal(MemoryReviewState.Pending, (await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token))!.State);
    }

    [Fact]
    public async Task A_key_without_the_admin_role_gets_403_on_the_page_and_on_the_posts()
    {
        var held = await HoldAsync("rv-403", "Prefers trains");
        using var ana = await SignedInAsync(fixture.AnaSecret);
        var (status, html) = await ana.PageAsync("/inspector/review");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("memory.admin", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Prefers trains", html, StringComparison.Ordinal);
        (_, html) = await ana.PageAsync("/inspector/");
        Assert.DoesNotContain("data-testid=\"nav-review\"", html, StringComparison.Ordinal);

        using (var approve = await ana.PostAsync($"/inspector/review/{held.Record.Id}/approve", "/inspector/", ("reason", "I say so")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, approve.StatusCode);
        }

        using (var reject = await ana.PostAsync($"/inspector/review/{held.Record.Id}/reject", "/inspector/", ("reason", "I say so")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, reject.StatusCode);
        }

        Assert.Equal(MemoryReviewState.Pending, (await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token))!.State);
        Assert.Equal(0, await StoredAsync("rv-403"));
    }

    [Fact]
    public async Task A_decision_without_the_antiforgery_token_is_a_400_and_changes_nothing()
    {
        var held = await HoldAsync("rv-csrf", "Prefers dark mode");
        using var admin = await SignedInAsync(fixture.AdminSecret);
        using var approve = await admin.PostRawAsync($"/inspector/review/{held.Record.Id}/approve", ("reason", "csrf"));
        Assert.Equal(HttpStatusCode.BadRequest, approve.StatusCode);
        using var reject = await admin.PostRawAsync($"/inspector/review/{held.Record.Id}/reject", ("reason", "csrf"));
        Assert.Equal(HttpStatusCode.BadRequest, reject.StatusCode);
        Assert.Equal(MemoryReviewState.Pending, (await Reviews.GetAsync("acme", held.Record.Id, InspectorClient.Token))!.State);
        Assert.Equal(0, await StoredAsync("rv-csrf"));
    }

    [Fact]
    public async Task An_agents_mcp_write_is_held_shows_in_the_queue_and_approval_writes_it_as_the_agent()
    {
        var ct = InspectorClient.Token;
        var keys = (IMemoryApiKeyStore)fixture.Store.GetService(typeof(IMemoryApiKeyStore))!;
        var agentKey = (await keys.CreateAsync(new MemoryApiKeyRequest { Tenant = "acme", Actor = MemoryActor.Agent("concierge"), ActingFor = ["rv-mcp"], Label = "review test agent" }, ct)).Secret;
        Guid itemId;
        await using (var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = fixture.Server.McpEndpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + agentKey },
            }),
            cancellationToken: ct))
        {
            var result = await client.CallToolAsync(
                "write_with_provenance",
                new Dictionary<string, object?>
                {
                    ["scope"] = new Dictionary<string, object?> { ["subject"] = "rv-mcp", ["kind"] = "personal" },
                    ["type"] = "preference",
                    ["text"] = "rv-mcp prefers vegetarian meals",
                    ["evidence"] = new Dictionary<string, object?> { ["source_kind"] = "message", ["message_ids"] = new[] { "m-7" } },
                },
                cancellationToken: ct);
            Assert.True(result.IsError != true, "write_with_provenance failed");
            var structured = result.StructuredContent!.Value;
            Assert.Equal("held_for_review", structured.GetProperty("outcome").GetString());
            itemId = Guid.Parse(structured.GetProperty("record").GetProperty("id").GetString()!);
        }

        Assert.Equal(0, await StoredAsync("rv-mcp"));
        using var admin = await SignedInAsync(fixture.AdminSecret);
        var (_, html) = await admin.PageAsync("/inspector/review");
        Assert.Contains($"data-review-id=\"{itemId}\" data-review-state=\"pending\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"review-actor\">agent:concierge", html, StringComparison.Ordinal);

        using var response = await admin.PostAsync($"/inspector/review/{itemId}/approve", "/inspector/review", ("reason", "the user confirmed"));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var item = await Reviews.GetAsync("acme", itemId, ct);
        var record = await fixture.Store.GetAsync("acme", item!.MemoryId!.Value, ct);
        Assert.Equal(MemoryActor.Agent("concierge"), record!.Actor);
        Assert.Equal(["m-7"], record.Provenance.MessageIds);
    }

    [Fact]
    public async Task Without_a_review_layer_the_page_says_no_policy_is_configured()
    {
        // The plain InspectorFixture stack has no review layer.
        var plain = new InspectorFixture();
        await plain.InitializeAsync();
        try
        {
            using var client = new InspectorClient(plain.Server.BaseAddress);
            using (var signIn = await client.SignInAsync(plain.AdminSecret))
            {
                Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
            }

            var (status, html) = await client.PageAsync("/inspector/review");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("No review policy is configured", html, StringComparison.Ordinal);
            Assert.Contains("--review-policy", html, StringComparison.Ordinal);
        }
        finally
        {
            await plain.DisposeAsync();
        }
    }
}

/// <summary>The Inspector over a temporary SQLite store whose stack holds writes of type <c>preference</c> for review.</summary>
public sealed class ReviewFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "skm-inspector-review-" + Guid.NewGuid().ToString("N"));

    public static MemoryReviewPolicy Policy { get; } = new() { HoldTypes = ["preference"] };

    public SqliteMemoryStore Store { get; private set; } = null!;

    public SkMemoryHttpServer Server { get; private set; } = null!;

    public string AdminSecret { get; private set; } = null!;

    public string AnaSecret { get; private set; } = null!;

    public string GlobexSecret { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions
        {
            Path = Path.Combine(_directory, "memory.db"),
            EmbeddingGenerator = new TestEmbeddingGenerator(),
        });
        Server = await SkMemoryHttpServer.StartAsync(new SkMemoryHttpServerOptions
        {
            Store = Store,
            Port = 0,
            ConfigureStore = b => b.UseReview(Policy),
            ConfigureApp = app => app.MapSkMemoryInspector(new InspectorOptions { Store = Store, ConfigureStore = b => b.UseReview(Policy) }),
        });
        AdminSecret = await InspectorFixture.CreateKeyAsync(Store, "acme", MemoryActor.User("admin"), MemoryRoles.Admin);
        AnaSecret = await InspectorFixture.CreateKeyAsync(Store, "acme", MemoryActor.User("ana"));
        GlobexSecret = await InspectorFixture.CreateKeyAsync(Store, "globex", MemoryActor.User("gil"), MemoryRoles.Admin);
    }

    /// <summary>The stack an application would give <paramref name="subject"/>: access control as that user, then review.</summary>
    public IMemoryStore GovernedFor(string subject) =>
        new MemoryStoreBuilder(Store)
            .UseAccessControl(MemoryCallerAccessor.Fixed(new MemoryCaller { Tenant = "acme", Actor = MemoryActor.User(subject) }))
            .UseReview(Policy)
            .Build();

    /// <summary>Holds one more write of acme and returns its review item id.</summary>
    public async Task<Guid> HoldAnotherAsync(string subject) =>
        (await GovernedFor(subject).WriteAsync(new MemoryWriteRequest
        {
            Tenant = "acme",
            Type = "preference",
            Subject = subject,
            Actor = MemoryActor.User(subject),
            Value = "Prefers the window",
            Provenance = MemoryProvenance.Manual,
        })).Record.Id;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Store.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
