using System.Text.Json;
using Microsoft.Data.Sqlite;
using SkMemory.Capture;
using SkMemory.Redaction;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Tests.Redaction;

/// <summary>Redaction around the real embedded store: every action, overrides, the classifier stage, the vault and reveal, capture.</summary>
public sealed class RedactingMemoryStoreTests : IAsyncLifetime
{
    private const string Tenant = "acme";
    private const string Card = "4539 1488 0343 6467";
    private const string GitHubToken = "ghp_aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2";
    private readonly string _directory = Directory.CreateTempSubdirectory("skmemory-redaction-").FullName;
    private SqliteMemoryStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(_directory, "memories.db") }, cancellationToken: Ct);

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Redact_replaces_the_secret_in_text_structured_value_and_quoted_spans()
    {
        var store = Redacting();
        var structured = JsonDocument.Parse($$"""{"tool":"gh","token":"{{GitHubToken}}","n":3}""").RootElement;

        var written = await store.WriteAsync(Write($"The CI token is {GitHubToken}") with
        {
            Value = new MemoryValue($"The CI token is {GitHubToken}", structured),
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1"], QuotedSpans = [$"token {GitHubToken}"] },
        }, Ct);

        var stored = (await _store.GetAsync(Tenant, written.Record.Id, Ct))!;
        Assert.Equal("The CI token is [redacted:api_key]", stored.Value.Text);
        Assert.Equal("[redacted:api_key]", stored.Value.Structured!.Value.GetProperty("token").GetString());
        Assert.Equal(3, stored.Value.Structured!.Value.GetProperty("n").GetInt32());
        Assert.Equal(["token [redacted:api_key]"], stored.Provenance.QuotedSpans);
        Assert.Equal("api_key", stored.Metadata[RedactingMemoryStore.RedactedMetadataKey]);
        Assert.DoesNotContain(GitHubToken, string.Join("\n", (await _store.GetHistoryAsync(Tenant, stored.Id, Ct)).Select(e => JsonSerializer.Serialize(e, MemoryJsonContext.Default.MemoryEvent))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_stores_a_token_in_the_vault_and_reveal_round_trips_for_a_caller_with_the_role()
    {
        var store = Redacting();

        var written = await store.WriteAsync(Write($"Pays with card {Card}"), Ct);
        var again = await store.WriteAsync(Write($"Backup card is {Card}") with { Subject = "ben" }, Ct);

        var text = written.Record.Value.Text;
        var token = Assert.Single(MemoryVaultToken.FindAll(text));
        Assert.Matches(@"^Pays with card \[\[tok:credit_card:[0-9a-z]{26}\]\]$", text);
        Assert.Equal(token, Assert.Single(MemoryVaultToken.FindAll(again.Record.Value.Text))); // same value, same token
        var vault = (IMemoryTokenVault)_store.GetService(typeof(IMemoryTokenVault))!;
        Assert.Equal(Card, (await vault.GetAsync(Tenant, token, Ct))!.Value); // no key: stored as is

        var revealer = new MemoryTokenRevealer(_store);
        var auditor = Caller(MemoryRoles.VaultReveal);
        Assert.Equal(Card, await revealer.RevealAsync(auditor, Tenant, token, "chargeback dispute #42", Ct));

        var reveal = Assert.Single(await vault.GetRevealsAsync(Tenant, token, Ct));
        Assert.Equal(auditor.Actor, reveal.Actor);
        Assert.Equal("chargeback dispute #42", reveal.Reason);
    }

    [Fact]
    public async Task Reveal_without_the_role_or_from_another_tenant_is_denied_and_audited()
    {
        var store = Redacting();
        var token = MemoryVaultToken.FindAll((await store.WriteAsync(Write($"card {Card}"), Ct)).Record.Value.Text)[0];
        var revealer = new MemoryTokenRevealer(_store);
        var audit = (IMemoryAuditLog)_store.GetService(typeof(IMemoryAuditLog))!;

        var missing = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => revealer.RevealAsync(Caller(), Tenant, token, "curious", Ct));
        var crossTenant = await Assert.ThrowsAsync<MemoryAccessDeniedException>(
            () => revealer.RevealAsync(Caller(MemoryRoles.VaultReveal) with { Tenant = "globex" }, Tenant, token, "curious", Ct));

        Assert.Equal(MemoryAccessDenialReason.MissingRole, missing.Denial.Reason);
        Assert.Equal(MemoryErrorCode.AccessDenied, missing.Code);
        Assert.Contains(MemoryRoles.VaultReveal, missing.Message, StringComparison.Ordinal);
        Assert.Equal(MemoryAccessDenialReason.CrossTenant, crossTenant.Denial.Reason);
        var denials = await audit.GetDenialsAsync(Tenant, cancellationToken: Ct);
        Assert.Equal(2, denials.Count(d => d.Operation == "vault_reveal"));
        var vault = (IMemoryTokenVault)_store.GetService(typeof(IMemoryTokenVault))!;
        Assert.Empty(await vault.GetRevealsAsync(Tenant, token, Ct));
    }

    [Fact]
    public async Task With_a_key_the_vault_value_is_encrypted_at_rest_and_still_reveals()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var options = new MemoryRedactionOptions { VaultKey = key };
        var store = Redacting(options);

        var first = await store.WriteAsync(Write($"card {Card}"), Ct);
        var second = await store.WriteAsync(Write($"again {Card}") with { Subject = "ben" }, Ct);
        var token = MemoryVaultToken.FindAll(first.Record.Value.Text)[0];

        Assert.Equal(token, MemoryVaultToken.FindAll(second.Record.Value.Text)[0]);
        var raw = await RawVaultValueAsync(token);
        Assert.StartsWith("aesgcm1:", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("4539", raw, StringComparison.Ordinal);
        Assert.Equal(Card, await new MemoryTokenRevealer(_store, options).RevealAsync(Caller(MemoryRoles.VaultReveal), Tenant, token, "audit", Ct));
        var wrongKey = new MemoryRedactionOptions { VaultKey = Enumerable.Repeat((byte)7, 32).ToArray() };
        var ex = await Assert.ThrowsAsync<MemoryException>(() => new MemoryTokenRevealer(_store, wrongKey).RevealAsync(Caller(MemoryRoles.VaultReveal), Tenant, token, "audit", Ct));
        Assert.Contains("vault key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tag_keeps_the_value_and_tags_the_memory()
    {
        var store = Redacting(new MemoryRedactionOptions { Policy = new MemoryRedactionPolicy { Kinds = Actions(("email", MemoryRedactionAction.Tag)) } });

        var written = await store.WriteAsync(Write("Ana's work email is ana.garcia@example.com"), Ct);

        Assert.Equal("Ana's work email is ana.garcia@example.com", written.Record.Value.Text);
        Assert.Equal("email", written.Record.Metadata[RedactingMemoryStore.TagsMetadataKey]);
    }

    [Fact]
    public async Task Block_refuses_the_write_with_the_rule_and_stores_nothing()
    {
        var store = Redacting(new MemoryRedactionOptions { Policy = new MemoryRedactionPolicy { Kinds = Actions(("private_key", MemoryRedactionAction.Block)) } });
        var before = await _store.VerifyAsync(Tenant, Ct);

        var ex = await Assert.ThrowsAsync<MemoryException>(() => store.WriteAsync(Write("key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"), Ct));

        Assert.Equal(MemoryErrorCode.Blocked, ex.Code);
        Assert.Contains("private_key_block", ex.Message, StringComparison.Ordinal);
        Assert.Contains("value.text", ex.Message, StringComparison.Ordinal);
        Assert.Contains("remove the private_key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before.EventCount, (await _store.VerifyAsync(Tenant, Ct)).EventCount);
        Assert.Empty((await _store.ReadAsync(new MemoryQuery { Tenant = Tenant }, Ct)).Items);
    }

    [Fact]
    public async Task A_block_in_one_field_refuses_the_write_even_after_another_field_was_tokenized()
    {
        var store = Redacting(new MemoryRedactionOptions { Policy = new MemoryRedactionPolicy { Kinds = Actions(("jwt", MemoryRedactionAction.Block)) } });
        var jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFuYSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

        var ex = await Assert.ThrowsAsync<MemoryException>(() => store.WriteAsync(
            Write($"card {Card}") with { Provenance = new MemoryProvenance { MessageIds = ["m1"], QuotedSpans = [$"session {jwt}"] } }, Ct));

        Assert.Equal(MemoryErrorCode.Blocked, ex.Code);
        Assert.Contains("provenance.quoted_spans[0]", ex.Message, StringComparison.Ordinal);
        Assert.Empty((await _store.ReadAsync(new MemoryQuery { Tenant = Tenant }, Ct)).Items);
    }

    [Fact]
    public async Task Per_tenant_and_per_type_overrides_apply()
    {
        var policy = MemoryRedactionPolicy.Parse(
            """
            {
              "kinds": { "email": "redact" },
              "types": { "identifier": { "email": "tag" } },
              "tenants": { "acme": { "types": { "identifier": { "email": "block" } } } }
            }
            """);
        var store = Redacting(new MemoryRedactionOptions { Policy = policy });

        var fact = await store.WriteAsync(Write("Ana wrote from ana@example.com") with { Tenant = "globex" }, Ct);
        var identifier = await store.WriteAsync(Write("Ana's email is ana@example.com") with { Tenant = "globex", Type = MemoryTypes.Identifier }, Ct);
        var blocked = await Assert.ThrowsAsync<MemoryException>(() => store.WriteAsync(Write("Ana's email is ana@example.com") with { Type = MemoryTypes.Identifier }, Ct));

        Assert.Equal("Ana wrote from [redacted:email]", fact.Record.Value.Text);
        Assert.Equal("Ana's email is ana@example.com", identifier.Record.Value.Text);
        Assert.Equal("email", identifier.Record.Metadata[RedactingMemoryStore.TagsMetadataKey]);
        Assert.Equal(MemoryErrorCode.Blocked, blocked.Code);
        Assert.Contains("type 'identifier'", blocked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_classifier_stage_finds_what_patterns_miss()
    {
        var options = new MemoryRedactionOptions { Policy = new MemoryRedactionPolicy { Kinds = Actions(("person_name", MemoryRedactionAction.Tokenize)) } };
        options.Classifiers.Add(new NameClassifier("Dana Whitfield"));
        var store = Redacting(options);

        var written = await store.WriteAsync(Write("Dana Whitfield approved card 4539148803436467"), Ct);

        Assert.Matches(@"^\[\[tok:person_name:[0-9a-z]{26}\]\] approved card \[\[tok:credit_card:[0-9a-z]{26}\]\]$", written.Record.Value.Text);
        var token = MemoryVaultToken.FindAll(written.Record.Value.Text)[0];
        Assert.Equal("person_name", MemoryVaultToken.KindOf(token));
        Assert.Equal("Dana Whitfield", await new MemoryTokenRevealer(_store).RevealAsync(Caller(MemoryRoles.Admin), Tenant, token, "support", Ct));
    }

    [Fact]
    public async Task Update_and_supersede_are_redacted_and_keep_the_metadata()
    {
        var store = Redacting();
        var written = await store.WriteAsync(Write("Ana uses the staging bot") with { Metadata = new Dictionary<string, string> { ["source"] = "chat" } }, Ct);

        var updated = await store.UpdateAsync(new MemoryUpdateRequest
        {
            Tenant = Tenant,
            Id = written.Record.Id,
            ExpectedVersion = written.Record.Version,
            Actor = MemoryActor.User("ana"),
            Value = $"Ana uses the staging bot with {GitHubToken}",
        }, Ct);
        var superseded = await store.SupersedeAsync(new MemorySupersedeRequest
        {
            Tenant = Tenant,
            Id = updated.Id,
            Actor = MemoryActor.User("ana"),
            Value = "Ana's card is now 5555 5555 5555 4444",
        }, Ct);

        Assert.Equal("Ana uses the staging bot with [redacted:api_key]", updated.Value.Text);
        Assert.Equal("chat", updated.Metadata["source"]);
        Assert.Equal("api_key", updated.Metadata[RedactingMemoryStore.RedactedMetadataKey]);
        Assert.Matches(@"^Ana's card is now \[\[tok:credit_card:[0-9a-z]{26}\]\]$", superseded.Current.Value.Text);
        Assert.Equal("chat", superseded.Current.Metadata["source"]);
        Assert.Equal("api_key,credit_card", superseded.Current.Metadata[RedactingMemoryStore.RedactedMetadataKey]);
    }

    [Fact]
    public async Task Search_text_is_redacted_before_the_store_and_its_embedder_see_it()
    {
        var recorder = new RecordingStore(_store);
        var store = new MemoryStoreBuilder(recorder).UseRedaction().Build();

        await store.SearchAsync(new MemorySearchRequest { Tenant = Tenant, Text = $"which card ends {Card}, token {GitHubToken}?", Mode = MemorySearchMode.Text }, Ct);

        Assert.Equal("which card ends [redacted:credit_card], token [redacted:api_key]?", Assert.Single(recorder.Searches));
    }

    [Fact]
    public async Task Capture_inputs_are_redacted_before_the_extractor_sees_them_and_in_the_stored_job()
    {
        var store = Redacting();
        var extractor = new RecordingExtractor();
        var pipeline = new MemoryCapturePipeline(store, extractor);
        var at = new DateTimeOffset(2025, 5, 8, 9, 0, 0, TimeSpan.Zero);

        var job = await pipeline.IngestAsync(new MemoryExtractionRequest
        {
            Tenant = Tenant,
            Subject = "ana",
            Messages = [new MemoryMessage { Id = "m1", Speaker = "ana", Text = $"my token is {GitHubToken}", ObservedAt = at }],
            ToolOutputs = [new MemoryToolOutput { ToolCallId = "t1", ToolName = "crm", Text = "{\"email\":\"ana@example.com\"}", ObservedAt = at }],
            Documents = [new MemoryDocument { Name = "notes.txt", Text = $"card {Card}", ObservedAt = at }],
        }, cancellationToken: Ct);

        var seen = Assert.Single(extractor.Seen);
        Assert.Equal("my token is [redacted:api_key]", seen.Messages[0].Text);
        Assert.Matches(@"^\{""email"":""\[\[tok:email:[0-9a-z]{26}\]\]""\}$", seen.ToolOutputs[0].Text);
        Assert.Matches(@"^card \[\[tok:credit_card:[0-9a-z]{26}\]\]$", seen.Documents[0].Text);
        var stored = (await pipeline.GetJobAsync(Tenant, job.Id, Ct))!;
        var json = JsonSerializer.Serialize(stored, MemoryJsonContext.Default.MemoryIngestionJob);
        Assert.DoesNotContain(GitHubToken, json, StringComparison.Ordinal);
        Assert.DoesNotContain("ana@example.com", json, StringComparison.Ordinal);
        Assert.DoesNotContain("4539", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocked_capture_input_creates_no_job()
    {
        var store = Redacting(new MemoryRedactionOptions { Policy = new MemoryRedactionPolicy { Kinds = Actions(("api_key", MemoryRedactionAction.Block)) } });
        var extractor = new RecordingExtractor();
        var pipeline = new MemoryCapturePipeline(store, extractor);
        var jobs = (IMemoryIngestionJobStore)_store.GetService(typeof(IMemoryIngestionJobStore))!;

        var ex = await Assert.ThrowsAsync<MemoryException>(() => pipeline.IngestAsync(new MemoryExtractionRequest
        {
            Tenant = Tenant,
            Subject = "ana",
            Messages = [new MemoryMessage { Id = "m1", Speaker = "ana", Text = $"my token is {GitHubToken}", ObservedAt = DateTimeOffset.UnixEpoch }],
        }, cancellationToken: Ct));

        Assert.Equal(MemoryErrorCode.Blocked, ex.Code);
        Assert.Contains("messages[0].text", ex.Message, StringComparison.Ordinal);
        Assert.Empty(extractor.Seen);
        Assert.Empty(await jobs.ListJobsAsync(Tenant, cancellationToken: Ct));
    }

    [Fact]
    public async Task Without_a_vault_tokenize_falls_back_to_redact()
    {
        var redactor = new MemoryRedactor();

        var result = await redactor.RedactAsync($"card {Card}", new MemoryRedactionContext { Tenant = Tenant }, Ct);

        Assert.False(redactor.HasVault);
        Assert.Equal("card [redacted:credit_card]", result.Text);
        Assert.Equal([MemoryRedactionAction.Redact], result.Actions);
    }

    [Fact]
    public async Task Text_already_redacted_is_not_redacted_again()
    {
        var store = Redacting();
        var written = await store.WriteAsync(Write($"card {Card}"), Ct);

        var again = await Redacting().UpdateAsync(new MemoryUpdateRequest
        {
            Tenant = Tenant,
            Id = written.Record.Id,
            ExpectedVersion = written.Record.Version,
            Actor = MemoryActor.User("ana"),
            Value = written.Record.Value.Text + " (primary)",
        }, Ct);

        Assert.Equal(written.Record.Value.Text + " (primary)", again.Value.Text);
    }

    [Fact]
    public async Task Merge_evidence_is_redacted()
    {
        var store = Redacting();
        var written = await store.WriteAsync(Write("Ana uses the staging bot") with { Provenance = new MemoryProvenance { MessageIds = ["m1"] } }, Ct);

        var merged = await store.MergeAsync(new MemoryMergeRequest
        {
            Tenant = Tenant,
            Id = written.Record.Id,
            Actor = MemoryActor.User("ana"),
            Reason = "corroborated",
            Evidence = new MemoryProvenance { MessageIds = ["m2"], QuotedSpans = [$"staging bot token {GitHubToken}"] },
        }, Ct);

        Assert.Contains("staging bot token [redacted:api_key]", merged.Provenance.QuotedSpans);
        Assert.DoesNotContain(merged.Provenance.QuotedSpans, q => q.Contains(GitHubToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_sqlite_vault_validates_deletes_and_scopes_by_tenant()
    {
        var vault = (IMemoryTokenVault)_store.GetService(typeof(IMemoryTokenVault))!;

        var token = await vault.TokenizeAsync(Tenant, "iban", "ana", "GB82WEST12345698765432", Ct);
        var other = await vault.TokenizeAsync("globex", "iban", "ana", "GB82WEST12345698765432", Ct);

        Assert.NotEqual(token, other);
        Assert.Null(await vault.GetAsync("globex", token, Ct));
        Assert.True(await vault.DeleteAsync(Tenant, token, Ct));
        Assert.False(await vault.DeleteAsync(Tenant, token, Ct));
        Assert.Null(await vault.GetAsync(Tenant, token, Ct));
        Assert.Equal("kind", (await Assert.ThrowsAsync<MemoryValidationException>(() => vault.TokenizeAsync(Tenant, "IBAN!", null, "x", Ct))).Field);
        Assert.Equal("token", (await Assert.ThrowsAsync<MemoryValidationException>(() => vault.GetAsync(Tenant, "[[tok:iban:nope]]", Ct))).Field);
        var revealer = new MemoryTokenRevealer(_store);
        Assert.Equal(MemoryErrorCode.NotFound, (await Assert.ThrowsAsync<MemoryException>(() => revealer.RevealAsync(Caller(MemoryRoles.VaultReveal), Tenant, token, "check", Ct))).Code);
        Assert.Equal("reason", (await Assert.ThrowsAsync<MemoryValidationException>(() => revealer.RevealAsync(Caller(MemoryRoles.VaultReveal), Tenant, other, " ", Ct))).Field);
    }

    [Fact]
    public async Task A_classifier_span_outside_the_text_is_reported()
    {
        var options = new MemoryRedactionOptions();
        options.Classifiers.Add(new NameClassifier("x"));
        options.Classifiers.Add(new BrokenClassifier());
        var redactor = new MemoryRedactor(options);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => redactor.FindAsync("short", new MemoryRedactionContext { Tenant = Tenant }, Ct).AsTask());

        Assert.Contains("broken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_entries_reject_null()
    {
        Assert.Throws<ArgumentNullException>("innerStore", () => new RedactingMemoryStore(null!));
        Assert.Throws<ArgumentNullException>("builder", () => RedactionMemoryStoreBuilderExtensions.UseRedaction(null!));
        Assert.Throws<ArgumentNullException>("store", () => new MemoryTokenRevealer(null!));
        Assert.Throws<ArgumentNullException>("text", () => MemoryRedactor.FindPatterns(null!));
    }

    private static Dictionary<string, MemoryRedactionAction> Actions(params (string Kind, MemoryRedactionAction Action)[] actions) =>
        actions.ToDictionary(a => a.Kind, a => a.Action, StringComparer.Ordinal);

    private static MemoryCaller Caller(params string[] roles) => new() { Tenant = Tenant, Actor = MemoryActor.User("auditor"), Roles = roles };

    private static MemoryWriteRequest Write(string text) => new()
    {
        Tenant = Tenant,
        Type = MemoryTypes.Fact,
        Subject = "ana",
        Actor = MemoryActor.User("ana"),
        Value = text,
    };

    private IMemoryStore Redacting(MemoryRedactionOptions? options = null) => new MemoryStoreBuilder(new NonDisposingStore(_store)).UseRedaction(options).Build();

    private async Task<string> RawVaultValueAsync(string token)
    {
        await using var connection = new SqliteConnection($"Data Source={_store.DatabasePath}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM memory_vault WHERE tenant = $tenant AND token = $token";
        command.Parameters.AddWithValue("$tenant", Tenant);
        command.Parameters.AddWithValue("$token", token);
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>A layer of its own under each stack, so several stacks share the test's store (stacks are not disposed).</summary>
    private sealed class NonDisposingStore(IMemoryStore inner) : DelegatingMemoryStore(inner);

    private sealed class RecordingStore(IMemoryStore inner) : DelegatingMemoryStore(inner)
    {
        public List<string> Searches { get; } = [];

        public override Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
        {
            Searches.Add(request.Text);
            return base.SearchAsync(request, cancellationToken);
        }
    }

    private sealed class NameClassifier(string name) : IMemorySensitiveDataClassifier
    {
        public string Id => "names";

        public ValueTask<IReadOnlyList<MemoryRedactionFinding>> ClassifyAsync(string text, MemoryRedactionContext context, CancellationToken cancellationToken = default)
        {
            var at = text.IndexOf(name, StringComparison.Ordinal);
            IReadOnlyList<MemoryRedactionFinding> found = at < 0 ? [] : [new MemoryRedactionFinding { RuleId = "names", Kind = "person_name", Start = at, Length = name.Length, Confidence = 0.9 }];
            return ValueTask.FromResult(found);
        }
    }

    private sealed class BrokenClassifier : IMemorySensitiveDataClassifier
    {
        public string Id => "broken";

        public ValueTask<IReadOnlyList<MemoryRedactionFinding>> ClassifyAsync(string text, MemoryRedactionContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IReadOnlyList<MemoryRedactionFinding>>([new MemoryRedactionFinding { RuleId = "broken", Kind = "x", Start = 3, Length = 10 }]);
    }

    private sealed class RecordingExtractor : IMemoryExtractor
    {
        public List<MemoryExtractionRequest> Seen { get; } = [];

        public string Name => "recording";

        public Task<MemoryExtractionResult> ExtractAsync(MemoryExtractionRequest request, CancellationToken cancellationToken = default)
        {
            Seen.Add(request);
            return Task.FromResult(MemoryExtractionResult.Empty);
        }
    }
}
