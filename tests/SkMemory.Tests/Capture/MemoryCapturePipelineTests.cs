using System.Text.Json;
using SkMemory.Capture;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests.Retrieval;

namespace SkMemory.Tests.Capture;

/// <summary>Ingestion jobs on the real embedded store: stages, counts, reasons, replay, deferral, failure and re-run.</summary>
public sealed class MemoryCapturePipelineTests : IAsyncLifetime
{
    private const string Tenant = "acme";
    private static readonly DateTimeOffset Monday = new(2023, 5, 8, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Monday.AddDays(1));
    private readonly TemporarySqliteStore _sqlite;
    private SqliteMemoryStore _store = null!;

    public MemoryCapturePipelineTests() => _sqlite = new TemporarySqliteStore("skmemory-capture-", clock: _clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await _sqlite.OpenAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _sqlite.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_job_records_its_stages_counts_rejections_and_decisions()
    {
        var pipeline = Pipeline(new SentenceExtractor());

        var job = await pipeline.IngestAsync(Conversation(), cancellationToken: Ct);

        Assert.StartsWith("ing_", job.Id, StringComparison.Ordinal);
        Assert.Equal(MemoryIngestionJobState.Completed, job.State);
        Assert.Equal(["extract", "gate", "evolve"], job.Stages.Select(s => s.Name));
        Assert.All(job.Stages, s => Assert.NotNull(s.FinishedAt));
        Assert.Equal(new MemoryIngestionCounts { Items = 4, Candidates = 4, Accepted = 2, Rejected = 2, Added = 2 }, job.Counts);
        Assert.Equal([MemoryRejectionReason.Transient, MemoryRejectionReason.AssistantSpeculation], job.Rejections.Select(r => r.Reason));
        Assert.Equal("Ana: I'm in a hurry today", job.Rejections[0].Candidate?.Value.Text);
        Assert.Equal([MemoryEvolveAction.Add, MemoryEvolveAction.Add], job.Decisions.Select(d => d.Action));
        Assert.Equal([["m1"], ["m4"]], job.Decisions.Select(d => d.Evidence!.MessageIds));
        Assert.Empty(job.Errors);

        var stored = await _store.GetAsync(Tenant, job.Decisions[0].MemoryId, Ct);
        Assert.Equal("Ana: I prefer oat milk", stored!.Value.Text);
        Assert.Equal(["m1"], stored.Provenance.MessageIds);
        Assert.Equal(job.Id, stored.Metadata["capture.job"]);

        // Status survives: the job is read back from the store, whole.
        Assert.Equal(Json(job), Json(await pipeline.GetJobAsync(Tenant, job.Id, Ct)));
    }

    [Fact]
    public async Task Replaying_the_same_messages_creates_nothing_new()
    {
        var pipeline = Pipeline(new SentenceExtractor());
        await pipeline.IngestAsync(Conversation(), cancellationToken: Ct);
        var events = (await _store.VerifyAsync(Tenant, Ct)).EventCount;

        var replay = await pipeline.IngestAsync(Conversation(), cancellationToken: Ct);

        Assert.Equal(MemoryIngestionJobState.Completed, replay.State);
        Assert.Equal(new MemoryIngestionCounts { Items = 4, Replayed = 4 }, replay.Counts);
        Assert.Equal(events, (await _store.VerifyAsync(Tenant, Ct)).EventCount);

        // One new message in the replayed conversation is the only thing extracted.
        var longer = Conversation() with { Messages = [.. Conversation().Messages, Message("m5", "Ana", "I live in Lisbon")] };
        var next = await pipeline.IngestAsync(longer, cancellationToken: Ct);
        Assert.Equal(new MemoryIngestionCounts { Items = 5, Replayed = 4, Candidates = 1, Accepted = 1, Added = 1 }, next.Counts);

        // An edited message is new content: it is extracted again, and the evolve step sees the statement already stored.
        var edited = Conversation() with { Messages = [Message("m1", "Ana", "I prefer oat milk"), Message("m9", "Ana", "I prefer oat milk ")] };
        var again = await pipeline.IngestAsync(edited, cancellationToken: Ct);
        Assert.Equal(1, again.Counts.Replayed);
        Assert.Equal(MemoryEvolveAction.Merge, Assert.Single(again.Decisions).Action);
    }

    [Fact]
    public async Task A_deferred_job_keeps_its_input_raw_until_it_is_run_even_after_a_restart()
    {
        var job = await Pipeline(new SentenceExtractor()).IngestAsync(Conversation(), defer: true, cancellationToken: Ct);
        Assert.Equal(MemoryIngestionJobState.Pending, job.State);
        Assert.Empty(job.Stages);
        Assert.Empty((await _store.ReadAsync(new MemoryQuery { Tenant = Tenant }, Ct)).Items);

        _store.Dispose();
        _store = await _sqlite.OpenAsync(Ct);
        var pipeline = Pipeline(new SentenceExtractor());
        Assert.Equal(Conversation().Messages, (await pipeline.GetJobAsync(Tenant, job.Id, Ct))!.Input.Messages);

        var run = await pipeline.RunAsync(Tenant, job.Id, Ct);

        Assert.Equal(MemoryIngestionJobState.Completed, run.State);
        Assert.Equal(2, run.Counts.Added);
        Assert.Equal(Json(run), Json(await pipeline.RunAsync(Tenant, job.Id, Ct)));
        var missing = await Assert.ThrowsAsync<MemoryException>(() => pipeline.RunAsync(Tenant, "ing_nope", Ct));
        Assert.Equal(MemoryErrorCode.NotFound, missing.Code);
        Assert.Null(await pipeline.GetJobAsync("other", job.Id, Ct));
    }

    [Fact]
    public async Task A_job_is_run_by_one_run_at_a_time_and_a_running_job_only_with_force()
    {
        var gate = new TaskCompletionSource();
        var pipeline = Pipeline(new SentenceExtractor { OnExtract = () => gate.Task.Wait(TimeSpan.FromSeconds(30)) });
        var job = await pipeline.IngestAsync(Conversation(), defer: true, cancellationToken: Ct);

        // Two runs of one pending job: the first claims it; the second finds it running.
        var first = Task.Run(() => pipeline.RunAsync(Tenant, job.Id, Ct), Ct);
        while ((await pipeline.GetJobAsync(Tenant, job.Id, Ct))!.State != MemoryIngestionJobState.Running)
        {
            await Task.Delay(10, Ct);
        }

        var refused = await Assert.ThrowsAsync<MemoryConflictException>(() => pipeline.RunAsync(Tenant, job.Id, Ct));
        Assert.Equal(MemoryErrorCode.InvalidState, refused.Code);
        Assert.Contains($"skmem ingest run {job.Id} --force", refused.Message, StringComparison.Ordinal);
        gate.SetResult();
        Assert.Equal(MemoryIngestionJobState.Completed, (await first).State);
        Assert.Equal(2, (await _store.ReadAsync(new MemoryQuery { Tenant = Tenant }, Ct)).Items.Count);

        // A job left running by a process that died is run again only when asked to.
        var stuck = await pipeline.IngestAsync(Conversation() with { Subject = "ben" }, defer: true, cancellationToken: Ct);
        var jobs = (IMemoryIngestionJobStore)_store.GetService(typeof(IMemoryIngestionJobStore))!;
        await jobs.SaveJobAsync(stuck with { State = MemoryIngestionJobState.Running }, Ct);
        await Assert.ThrowsAsync<MemoryConflictException>(() => pipeline.RunAsync(Tenant, stuck.Id, Ct));
        Assert.Equal(MemoryIngestionJobState.Completed, (await pipeline.RunAsync(Tenant, stuck.Id, force: true, Ct)).State);
    }

    [Fact]
    public async Task A_failing_extractor_fails_the_job_with_what_to_do_and_a_rerun_finishes_it()
    {
        var extractor = new SentenceExtractor { FailuresLeft = 1 };
        var pipeline = Pipeline(extractor);

        var failed = await pipeline.IngestAsync(Conversation(), cancellationToken: Ct);

        Assert.Equal(MemoryIngestionJobState.Failed, failed.State);
        var stage = Assert.Single(failed.Stages);
        Assert.Equal("extract", stage.Name);
        Assert.Null(stage.FinishedAt);
        Assert.Equal("model unreachable", stage.Error);
        Assert.Equal($"extract failed: model unreachable Fix the cause, then run the job again (skmem ingest run {failed.Id}).", Assert.Single(failed.Errors));
        Assert.Empty((await _store.ReadAsync(new MemoryQuery { Tenant = Tenant }, Ct)).Items);

        var rerun = await pipeline.RunAsync(Tenant, failed.Id, Ct);

        Assert.Equal(MemoryIngestionJobState.Completed, rerun.State);
        Assert.Empty(rerun.Errors);
        Assert.Equal(2, rerun.Counts.Added);
    }

    [Fact]
    public async Task A_candidate_the_store_refuses_is_an_error_on_the_job_and_the_others_are_stored()
    {
        var pipeline = Pipeline(new SentenceExtractor { Type = "hobby" }, types: new MemoryTypeRegistry().Register(new MemoryTypeDefinition("hobby", "A hobby.")));

        var job = await pipeline.IngestAsync(Conversation(), cancellationToken: Ct);

        // The gate knew "hobby" but the store does not: each candidate is refused by the store, with the store's reason.
        Assert.Equal(MemoryIngestionJobState.Completed, job.State);
        Assert.Equal(2, job.Errors.Count);
        Assert.StartsWith("hobby \"Ana: I prefer oat milk\" was not stored:", job.Errors[0], StringComparison.Ordinal);
        Assert.Contains("unknown memory type \"hobby\"", job.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_cannot_be_reached_fails_the_job_and_a_rerun_stores_everything()
    {
        var unavailable = new UnavailableStore(_store);
        var pipeline = new MemoryCapturePipeline(unavailable, new SentenceExtractor(), new MemoryCaptureOptions { TimeProvider = _clock });

        var job = await pipeline.IngestAsync(Conversation(), cancellationToken: Ct);

        // Not "stored with errors": the items were never stored, so they must not count as ingested.
        Assert.Equal(MemoryIngestionJobState.Failed, job.State);
        Assert.StartsWith("evolve failed: the memory service is down.", Assert.Single(job.Errors), StringComparison.Ordinal);
        unavailable.Down = false;
        var rerun = await pipeline.RunAsync(Tenant, job.Id, Ct);
        Assert.Equal(MemoryIngestionJobState.Completed, rerun.State);
        Assert.Equal(0, rerun.Counts.Replayed);
        Assert.Equal(2, rerun.Counts.Added);
    }

    [Fact]
    public async Task Input_read_from_json_with_only_messages_is_ingested()
    {
        var input = JsonSerializer.Deserialize(
            """{"tenant":"acme","subject":"ana","messages":[{"id":"m1","speaker":"Ana","text":"I prefer oat milk","observed_at":"2023-05-08T09:00:00Z"}]}""",
            MemoryJsonContext.Default.MemoryExtractionRequest)!;

        var job = await Pipeline(new SentenceExtractor()).IngestAsync(input, cancellationToken: Ct);

        Assert.Equal(MemoryIngestionJobState.Completed, job.State);
        Assert.Equal(1, job.Counts.Added);
        Assert.Equal(MemoryScope.Personal, job.Input.Scope);
        Assert.Empty(job.Input.Documents);
    }

    [Fact]
    public async Task Invalid_input_is_rejected_naming_the_field_and_creates_no_job()
    {
        var pipeline = Pipeline(new SentenceExtractor());

        async Task AssertInvalidAsync(MemoryExtractionRequest input, string field)
        {
            var error = await Assert.ThrowsAsync<MemoryValidationException>(() => pipeline.IngestAsync(input, cancellationToken: Ct));
            Assert.Equal(field, error.Field);
        }

        await AssertInvalidAsync(Conversation() with { Tenant = " " }, "tenant");
        await AssertInvalidAsync(Conversation() with { Messages = [] }, "input");
        await AssertInvalidAsync(Conversation() with { Messages = [Message("m1", "Ana", "a"), Message("m1", "Ana", "b")] }, "messages[1].id");
        await AssertInvalidAsync(Conversation() with { Messages = [Message(" ", "Ana", "a")] }, "messages[0].id");
        await AssertInvalidAsync(Conversation() with { Messages = [Message(new string('m', 257), "Ana", "a")] }, "messages[0].id");
        await AssertInvalidAsync(Conversation() with { Messages = [Message("m1", "", "a")] }, "messages[0].speaker");
        await AssertInvalidAsync(Conversation() with { ToolOutputs = [new MemoryToolOutput { ToolCallId = "c", ToolName = "", Text = "x", ObservedAt = Monday }] }, "tool_outputs[0].tool_name");
        await AssertInvalidAsync(Conversation() with { Documents = [new MemoryDocument { Name = "", Text = "x", ObservedAt = Monday }] }, "documents[0].name");
        var jobs = (IMemoryIngestionJobStore)_store.GetService(typeof(IMemoryIngestionJobStore))!;
        Assert.Empty(await jobs.ListJobsAsync(Tenant, cancellationToken: Ct));
    }

    [Fact]
    public async Task A_cancelled_run_leaves_a_failed_job_that_can_be_run_again()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pipeline = Pipeline(new SentenceExtractor { OnExtract = cancel.Cancel });

        var job = await pipeline.IngestAsync(Conversation(), defer: true, cancellationToken: Ct);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(Tenant, job.Id, cancel.Token));

        var stored = await pipeline.GetJobAsync(Tenant, job.Id, Ct);
        Assert.Equal(MemoryIngestionJobState.Failed, stored!.State);
        Assert.Equal("cancelled during extract; run the job again to finish it", Assert.Single(stored.Errors));
        Assert.Equal(MemoryIngestionJobState.Completed, (await Pipeline(new SentenceExtractor()).RunAsync(Tenant, job.Id, Ct)).State);
    }

    [Fact]
    public async Task The_chat_model_path_runs_end_to_end_through_bad_output_a_supersede_and_a_rejected_guess()
    {
        var model = new ScriptedChatClient()
            .Reply("{\"memories\": [ {\"type\": \"preference\"")
            .Reply(Memories(Memory("Ana prefers almond milk", "m0", "I love almond milk", "2023-04-01")))
            .Reply(Memories(
                Memory("Ana prefers oat milk", "m1", "switched from almond to oat milk", "2023-05-01", replaces: "almond milk"),
                Memory("Ana prefers window seats", "m2", "You probably prefer window seats", null, signals: "\"assistant_speculation\"")))
            .Reply("sorry, I cannot help with that")
            .Reply("{\"memories\": \"none\"}");
        var judge = new ScriptedChatClient().Reply("""{"action":"supersede","target_index":0,"reason":"Ana switched from almond to oat milk"}""");
        var pipeline = new MemoryCapturePipeline(
            _store,
            new ChatClientMemoryExtractor(model, new ChatClientMemoryExtractorOptions { ModelId = "gpt-test" }),
            new MemoryCaptureOptions { TimeProvider = _clock, Resolver = new ChatClientMemoryConflictResolver(judge, new RuleBasedMemoryConflictResolver(), new ChatClientMemoryConflictResolverOptions { ModelId = "judge" }) });
        MemoryExtractionRequest Say(params MemoryMessage[] messages) => new() { Tenant = Tenant, Subject = "ana", Messages = messages };

        // A malformed first reply is retried once; the second is stored, with its grounded date.
        var first = await pipeline.IngestAsync(Say(Message("m0", "Ana", "I love almond milk in my coffee") with { ObservedAt = new DateTimeOffset(2023, 4, 1, 9, 0, 0, TimeSpan.Zero) }), cancellationToken: Ct);
        Assert.Equal(new MemoryIngestionCounts { Items = 1, Candidates = 1, Accepted = 1, Added = 1 }, first.Counts);
        var almond = await _store.GetAsync(Tenant, first.Decisions[0].MemoryId, Ct);
        Assert.Equal("chat:gpt-test", almond!.Metadata[MemoryEvolver.ExtractorMetadata]);
        Assert.Equal(2, model.Requests.Count);

        // The transition supersedes (decided by the judge model); the assistant's guess is rejected with its reason.
        var second = await pipeline.IngestAsync(Say(Message("m1", "Ana", "I switched from almond to oat milk last week."), Message("m2", "assistant", "You probably prefer window seats.") with { Role = MemoryMessageRole.Assistant }), cancellationToken: Ct);
        Assert.Equal(new MemoryIngestionCounts { Items = 2, Candidates = 2, Accepted = 1, Rejected = 1, Superseded = 1 }, second.Counts);
        Assert.Equal(MemoryRejectionReason.AssistantSpeculation, Assert.Single(second.Rejections).Reason);
        var decision = Assert.Single(second.Decisions);
        Assert.Equal(MemoryEvolveAction.Supersede, decision.Action);
        Assert.Equal(almond.Id, decision.PreviousId);
        Assert.Equal("Ana switched from almond to oat milk", decision.Reason);
        var oat = await _store.GetAsync(Tenant, decision.MemoryId, Ct);
        Assert.Equal(new DateTimeOffset(2023, 5, 1, 0, 0, 0, TimeSpan.Zero), oat!.ValidFrom);
        Assert.Equal(MemoryStatus.Superseded, (await _store.GetAsync(Tenant, almond.Id, Ct))!.Status);
        Assert.Equal("capture (chat:judge): Ana switched from almond to oat milk", (await _store.GetHistoryAsync(Tenant, almond.Id, Ct))[^1].Reason);

        // Bad output twice: nothing half-parsed is stored, and the rejection says why.
        var events = (await _store.VerifyAsync(Tenant, Ct)).EventCount;
        var third = await pipeline.IngestAsync(Say(Message("m3", "Ana", "I am fluent in Spanish")), cancellationToken: Ct);
        Assert.Equal(MemoryIngestionJobState.Completed, third.State);
        Assert.Equal(new MemoryIngestionCounts { Items = 1, Rejected = 1 }, third.Counts);
        var malformed = Assert.Single(third.Rejections);
        Assert.Equal(MemoryRejectionReason.MalformedOutput, malformed.Reason);
        Assert.Null(malformed.Candidate);
        Assert.Equal(events, (await _store.VerifyAsync(Tenant, Ct)).EventCount);
    }

    private static string Memories(params string[] memories) => "{\"memories\":[" + string.Join(",", memories) + "]}";

    private static string Memory(string text, string messageId, string quote, string? validFrom, string? replaces = null, string signals = "") =>
        "{\"type\":\"preference\",\"subject\":\"ana\",\"text\":\"" + text + "\",\"confidence\":0.9,\"salience\":0.5,\"key\":\"preference:milk\","
        + "\"replaces\":" + (replaces is null ? "null" : "\"" + replaces + "\"") + ",\"valid_from\":" + (validFrom is null ? "null" : "\"" + validFrom + "\"")
        + ",\"signals\":[" + signals + "],\"evidence\":{\"message_ids\":[\"" + messageId + "\"],\"tool_call_ids\":[],\"documents\":[],\"quotes\":[\"" + quote + "\"]}}";

    /// <summary>Jobs compare by their JSON: record equality would compare their lists by reference.</summary>
    private static string Json(MemoryIngestionJob? job) => JsonSerializer.Serialize(job!, MemoryJsonContext.Default.MemoryIngestionJob);

    /// <summary>A store whose writes fail as a service that cannot be reached, until <see cref="Down"/> is cleared.</summary>
    private sealed class UnavailableStore(IMemoryStore inner) : DelegatingMemoryStore(inner)
    {
        public bool Down { get; set; } = true;

        public override Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default) =>
            Down ? throw new MemoryException(MemoryErrorCode.Unavailable, "the memory service is down.") : base.WriteAsync(request, cancellationToken);
    }

    private MemoryCapturePipeline Pipeline(IMemoryExtractor extractor, MemoryTypeRegistry? types = null) =>
        new(_store, extractor, new MemoryCaptureOptions { TimeProvider = _clock, Types = types });


    private static MemoryExtractionRequest Conversation() => new()
    {
        Tenant = Tenant,
        Subject = "ana",
        Messages =
        [
            Message("m1", "Ana", "I prefer oat milk"),
            Message("m2", "Ana", "I'm in a hurry today"),
            Message("m3", "assistant", "You probably like window seats") with { Role = MemoryMessageRole.Assistant },
            Message("m4", "Ana", "I am fluent in Spanish"),
        ],
    };

    private static MemoryMessage Message(string id, string speaker, string text) => new() { Id = id, Speaker = speaker, Text = text, ObservedAt = Monday };

    /// <summary>One candidate per message, quoting it whole: the pipeline's mechanics without any extraction heuristics.</summary>
    private sealed class SentenceExtractor : IMemoryExtractor
    {
        public int FailuresLeft { get; set; }

        public string Type { get; init; } = MemoryTypes.Fact;

        public Action? OnExtract { get; init; }

        public string Name => "sentences";

        public Task<MemoryExtractionResult> ExtractAsync(MemoryExtractionRequest request, CancellationToken cancellationToken = default)
        {
            OnExtract?.Invoke();
            cancellationToken.ThrowIfCancellationRequested();
            if (FailuresLeft-- > 0)
            {
                throw new HttpRequestException("model unreachable");
            }

            var candidates = request.Messages.Select(m => new MemoryCandidate
            {
                Type = Type,
                Subject = request.SubjectOf(m),
                Value = $"{m.Speaker}: {m.Text.Trim()}",
                Confidence = 0.8,
                Extractor = Name,
                Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = [m.Id], QuotedSpans = [m.Text.Trim()], ObservedAt = m.ObservedAt },
            }).ToList();
            return Task.FromResult(new MemoryExtractionResult(candidates, []));
        }
    }
}
