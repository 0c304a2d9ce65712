using System.Text.Json;

namespace SkMemory.Tests.Conformance;

/// <summary>
/// Ingestion jobs and the ledger of ingested items, kept beside the memories in the store's own database
/// (<see cref="IMemoryIngestionJobStore"/> through <see cref="IMemoryStore.GetService"/>).
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task IngestionJobs_FullyPopulatedJob_RoundTripsExactly()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var job = FullJob(tenant, "ing_full", ClockStart.AddTicks(1_234_560));

        await jobs.CreateJobAsync(job, Ct);
        var read = await jobs.GetJobAsync(tenant, job.Id, Ct);

        // Records compare their lists by reference, so the JSON form is the exact comparison.
        Assert.NotNull(read);
        Assert.Equal(JobJson(job), JobJson(read));
        Assert.Equal(job.CreatedAt, read.CreatedAt);
        Assert.Equal(TimeSpan.FromHours(2), read.Input.Messages[1].ObservedAt.Offset);
        Assert.Equal(job.Rejections[0].Candidate!.Value, read.Rejections[0].Candidate!.Value);
        Assert.Equal(job.Decisions[1], read.Decisions[1]);
        Assert.Equal(job.Counts, read.Counts);
        Assert.Null(await jobs.GetJobAsync(tenant, "ing_missing", Ct));
    }

    [Fact]
    public virtual async Task CreateJobAsync_IdTakenInTheTenant_ThrowsDuplicateAndKeepsTheFirst()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var first = EmptyJob(tenant, "ing_dup", ClockStart);
        await jobs.CreateJobAsync(first, Ct);

        var error = await Assert.ThrowsAsync<MemoryException>(() => jobs.CreateJobAsync(FullJob(tenant, "ing_dup", ClockStart.AddMinutes(1)), Ct));

        Assert.Equal(MemoryErrorCode.DuplicateContent, error.Code);
        Assert.Equal(JobJson(first), JobJson((await jobs.GetJobAsync(tenant, "ing_dup", Ct))!));

        // The id is only taken in its own tenant.
        var other = NewTenant();
        await jobs.CreateJobAsync(EmptyJob(other, "ing_dup", ClockStart), Ct);
        Assert.Equal(other, (await jobs.GetJobAsync(other, "ing_dup", Ct))!.Tenant);
    }

    [Fact]
    public virtual async Task SaveJobAsync_UnknownJob_ThrowsNotFoundAndCreatesNothing()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var other = NewTenant();
        await jobs.CreateJobAsync(EmptyJob(other, "ing_theirs", ClockStart), Ct);

        var missing = await Assert.ThrowsAsync<MemoryException>(() => jobs.SaveJobAsync(EmptyJob(tenant, "ing_never", ClockStart), Ct));
        var foreign = await Assert.ThrowsAsync<MemoryException>(() => jobs.SaveJobAsync(FullJob(tenant, "ing_theirs", ClockStart), Ct));

        Assert.Equal((MemoryErrorCode.NotFound, MemoryErrorCode.NotFound), (missing.Code, foreign.Code));
        Assert.Empty(await jobs.ListJobsAsync(tenant, cancellationToken: Ct));
        Assert.Equal(MemoryIngestionJobState.Pending, (await jobs.GetJobAsync(other, "ing_theirs", Ct))!.State);
    }

    [Fact]
    public virtual async Task SaveJobAsync_ReplacesTheStoredJob()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var pending = EmptyJob(tenant, "ing_run", ClockStart);
        await jobs.CreateJobAsync(pending, Ct);
        var finished = FullJob(tenant, "ing_run", ClockStart) with { UpdatedAt = ClockStart.AddSeconds(5) };

        await jobs.SaveJobAsync(finished, Ct);

        Assert.Equal(JobJson(finished), JobJson((await jobs.GetJobAsync(tenant, "ing_run", Ct))!));
        Assert.Empty(await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Pending, cancellationToken: Ct));
        Assert.Equal(["ing_run"], (await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Failed, cancellationToken: Ct)).Select(j => j.Id));

        // Saving again (a rerun) replaces it again, back to an earlier state.
        var rerun = finished with { State = MemoryIngestionJobState.Running, Errors = [], UpdatedAt = ClockStart.AddSeconds(9) };
        await jobs.SaveJobAsync(rerun, Ct);
        Assert.Equal(JobJson(rerun), JobJson((await jobs.GetJobAsync(tenant, "ing_run", Ct))!));
    }

    [Fact]
    public virtual async Task TrySaveJobAsync_ReplacesOnlyTheVersionTheCallerRead()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var pending = EmptyJob(tenant, "ing_claim", ClockStart.AddTicks(1_234_560));
        await jobs.CreateJobAsync(pending, Ct);
        var claimed = pending with { State = MemoryIngestionJobState.Running, UpdatedAt = pending.UpdatedAt.AddTicks(10) };

        Assert.True(await jobs.TrySaveJobAsync(claimed, pending.UpdatedAt, Ct));

        // A second claim from the same read loses: the job is no longer at the version it read.
        Assert.False(await jobs.TrySaveJobAsync(claimed with { UpdatedAt = pending.UpdatedAt.AddTicks(20) }, pending.UpdatedAt, Ct));
        Assert.Equal(JobJson(claimed), JobJson((await jobs.GetJobAsync(tenant, "ing_claim", Ct))!));
        Assert.False(await jobs.TrySaveJobAsync(EmptyJob(tenant, "ing_missing", ClockStart), ClockStart, Ct));
        Assert.Null(await jobs.GetJobAsync(tenant, "ing_missing", Ct));
        Assert.True(await jobs.TrySaveJobAsync(claimed with { State = MemoryIngestionJobState.Completed, UpdatedAt = claimed.UpdatedAt.AddSeconds(1) }, claimed.UpdatedAt, Ct));

        // Of several concurrent claims from one read, exactly one wins.
        var read = (await jobs.GetJobAsync(tenant, "ing_claim", Ct))!;
        var claims = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => jobs.TrySaveJobAsync(read with { State = MemoryIngestionJobState.Running, UpdatedAt = read.UpdatedAt.AddTicks(10 * i) }, read.UpdatedAt, Ct)));
        Assert.Equal(1, claims.Count(c => c));
    }

    [Fact]
    public virtual async Task IngestionJobs_OtherTenantsJobsAndKeys_AreInvisible()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var (a, b) = (NewTenant(), NewTenant());
        await jobs.CreateJobAsync(FullJob(a, "ing_a", ClockStart), Ct);
        await jobs.MarkIngestedAsync(a, "ing_a", ["msg:1:aaaa", "doc:sha256:bbbb"], Ct);

        Assert.Null(await jobs.GetJobAsync(b, "ing_a", Ct));
        Assert.Empty(await jobs.ListJobsAsync(b, cancellationToken: Ct));
        Assert.Empty(await jobs.FindIngestedAsync(b, ["msg:1:aaaa", "doc:sha256:bbbb"], Ct));

        // The same key ingested in another tenant is that tenant's own entry.
        await jobs.MarkIngestedAsync(b, "ing_b", ["msg:1:aaaa"], Ct);
        Assert.Equal("ing_a", await ReadIngestedJobIdAsync(store, a, "msg:1:aaaa", Ct));
        Assert.Equal("ing_b", await ReadIngestedJobIdAsync(store, b, "msg:1:aaaa", Ct));
        Assert.Equal(["msg:1:aaaa"], await jobs.FindIngestedAsync(b, ["msg:1:aaaa", "doc:sha256:bbbb"], Ct));
    }

    [Fact]
    public virtual async Task ListJobsAsync_NewestFirstByCreationThenId_WithStateFilterAndLimit()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var t = ClockStart;

        // Created out of order; two share a creation time (the id breaks the tie, descending), and one is written with a
        // +02:00 offset: 03:00+02:00 is 01:00Z, so it is older than 02:00Z although its text sorts later.
        (string Id, DateTimeOffset CreatedAt, MemoryIngestionJobState State)[] specs =
        [
            ("ing_c", t.AddHours(2), MemoryIngestionJobState.Completed),
            ("ing_a", t.AddHours(1).ToOffset(TimeSpan.FromHours(2)), MemoryIngestionJobState.Failed),
            ("ing_e", t.AddHours(3), MemoryIngestionJobState.Pending),
            ("ing_b", t.AddHours(2), MemoryIngestionJobState.Completed),
            ("ing_d", t.AddHours(2).AddTicks(10), MemoryIngestionJobState.Completed),
            ("ing_0", t, MemoryIngestionJobState.Completed),
        ];
        foreach (var (id, createdAt, state) in specs)
        {
            await jobs.CreateJobAsync(EmptyJob(tenant, id, createdAt) with { State = state }, Ct);
        }

        Assert.Equal(["ing_e", "ing_d", "ing_c", "ing_b", "ing_a", "ing_0"], (await jobs.ListJobsAsync(tenant, cancellationToken: Ct)).Select(j => j.Id));
        Assert.Equal(["ing_e", "ing_d"], (await jobs.ListJobsAsync(tenant, limit: 2, cancellationToken: Ct)).Select(j => j.Id));
        Assert.Equal(["ing_d", "ing_c", "ing_b", "ing_0"], (await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Completed, cancellationToken: Ct)).Select(j => j.Id));
        Assert.Equal(["ing_d", "ing_c", "ing_b"], (await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Completed, 3, Ct)).Select(j => j.Id));
        Assert.Equal(["ing_a"], (await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Failed, cancellationToken: Ct)).Select(j => j.Id));
        Assert.Empty(await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Running, cancellationToken: Ct));
        Assert.Equal(6, (await jobs.ListJobsAsync(tenant, limit: 1000, cancellationToken: Ct)).Count);
        Assert.Single(await jobs.ListJobsAsync(tenant, limit: 1, cancellationToken: Ct));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    [InlineData(int.MaxValue)]
    public virtual async Task ListJobsAsync_LimitOutside1To1000_IsRejected(int limit)
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => jobs.ListJobsAsync(NewTenant(), limit: limit, cancellationToken: Ct));

        Assert.Equal("limit", error.Field);
    }

    [Fact]
    public virtual async Task IngestionJobs_InvalidTenantJobIdOrKey_AreRejectedAndWriteNothing()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();

        async Task Rejected(string field, Func<Task> call) => Assert.Equal(field, (await Assert.ThrowsAsync<MemoryValidationException>(call)).Field);
        await Rejected("tenant", () => jobs.CreateJobAsync(EmptyJob(" ", "ing_x", ClockStart), Ct));
        await Rejected("tenant", () => jobs.CreateJobAsync(EmptyJob("t\u0001", "ing_x", ClockStart), Ct));
        await Rejected("tenant", () => jobs.CreateJobAsync(EmptyJob(new string('t', 129), "ing_x", ClockStart), Ct));
        await Rejected("id", () => jobs.CreateJobAsync(EmptyJob(tenant, "", ClockStart), Ct));
        await Rejected("id", () => jobs.CreateJobAsync(EmptyJob(tenant, "ing\n1", ClockStart), Ct));
        await Rejected("id", () => jobs.SaveJobAsync(EmptyJob(tenant, new string('i', 129), ClockStart), Ct));
        await Rejected("state", () => jobs.CreateJobAsync(EmptyJob(tenant, "ing_x", ClockStart) with { State = (MemoryIngestionJobState)42 }, Ct));
        await Rejected("input.tenant", () => jobs.CreateJobAsync(EmptyJob(tenant, "ing_x", ClockStart) with { Input = EmptyJob(NewTenant(), "ing_x", ClockStart).Input }, Ct));
        await Rejected("tenant", () => jobs.GetJobAsync("", "ing_x", Ct));
        await Rejected("id", () => jobs.GetJobAsync(tenant, " ", Ct));
        await Rejected("tenant", () => jobs.ListJobsAsync("", cancellationToken: Ct));
        await Rejected("state", () => jobs.ListJobsAsync(tenant, (MemoryIngestionJobState)42, cancellationToken: Ct));
        await Rejected("tenant", () => jobs.FindIngestedAsync("", ["k"], Ct));
        await Rejected("item_keys[1]", () => jobs.FindIngestedAsync(tenant, ["k", ""], Ct));
        await Rejected("job_id", () => jobs.MarkIngestedAsync(tenant, "", ["k"], Ct));
        await Rejected("item_keys[2]", () => jobs.MarkIngestedAsync(tenant, "ing_x", ["k1", "k2", "bad\0key"], Ct));
        await Rejected("item_keys[1]", () => jobs.MarkIngestedAsync(tenant, "ing_x", ["k1", "\ud800"], Ct));
        await Rejected("item_keys[0]", () => jobs.MarkIngestedAsync(tenant, "ing_x", [new string('k', 513)], Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => jobs.CreateJobAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => jobs.FindIngestedAsync(tenant, null!, Ct));

        // A rejected batch records none of its keys, not even the valid ones before the bad one.
        Assert.Empty(await jobs.ListJobsAsync(tenant, cancellationToken: Ct));
        Assert.Empty(await jobs.FindIngestedAsync(tenant, ["k", "k1", "k2"], Ct));
    }

    [Fact]
    public virtual async Task IngestedLedger_FindReturnsTheKeysAlreadyMarked_AndMarkingAgainKeepsTheFirstJob()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();

        // Keys carry caller ids: quotes, backslashes, tabs, brackets, non-ASCII and astral characters must come back as given.
        string[] odd = ["msg:\"quoted\":1", "tool:back\\slash:2", "msg:tab\there:3", "doc:[1,2]:4", "msg:Zoë 🧠:5"];
        Assert.Empty(await jobs.FindIngestedAsync(tenant, [], Ct));
        await jobs.MarkIngestedAsync(tenant, "ing_1", [], Ct);
        Assert.Empty(await jobs.FindIngestedAsync(tenant, ["msg:a", "msg:b"], Ct));

        await jobs.MarkIngestedAsync(tenant, "ing_1", ["msg:a", "msg:b", "msg:a", .. odd], Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await jobs.MarkIngestedAsync(tenant, "ing_2", ["msg:b", "msg:c"], Ct);

        var found = await jobs.FindIngestedAsync(tenant, ["msg:b", "msg:c", "msg:d", "MSG:A", .. odd], Ct);
        Assert.Equal(new[] { "msg:b", "msg:c" }.Concat(odd).Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));
        Assert.Equal("ing_1", await ReadIngestedJobIdAsync(store, tenant, "msg:b", Ct));
        Assert.Equal("ing_2", await ReadIngestedJobIdAsync(store, tenant, "msg:c", Ct));
        Assert.Equal("ing_1", await ReadIngestedJobIdAsync(store, tenant, "msg:Zoë 🧠:5", Ct));
        Assert.Null(await ReadIngestedJobIdAsync(store, tenant, "msg:d", Ct));
    }

    [Fact]
    public virtual async Task IngestedLedger_ThousandsOfKeysInOneCall_AreMarkedAndFoundTogether()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var keys = Enumerable.Range(0, 2500).Select(i => $"msg:m{i}:{i * 7919 % 10007:x8}").ToList();
        var unknown = Enumerable.Range(0, 2500).Select(i => $"msg:u{i}:0").ToList();

        await jobs.MarkIngestedAsync(tenant, "ing_big", keys.Where((_, i) => i % 2 == 0).ToList(), Ct);
        var half = await jobs.FindIngestedAsync(tenant, keys, Ct);
        await jobs.MarkIngestedAsync(tenant, "ing_big2", keys, Ct);
        var all = await jobs.FindIngestedAsync(tenant, [.. unknown, .. keys], Ct);

        Assert.Equal(1250, half.Count);
        Assert.True(half.SetEquals(keys.Where((_, i) => i % 2 == 0)));
        Assert.Equal(2500, all.Count);
        Assert.True(all.SetEquals(keys));
        Assert.Equal("ing_big", await ReadIngestedJobIdAsync(store, tenant, keys[0], Ct));
        Assert.Equal("ing_big2", await ReadIngestedJobIdAsync(store, tenant, keys[1], Ct));
    }

    [Fact]
    public virtual async Task IngestionJobs_SurviveReopeningTheStore()
    {
        var store = await NewStoreAsync();
        var jobs = Jobs(store);
        var tenant = NewTenant();
        var job = FullJob(tenant, "ing_persist", ClockStart);
        await jobs.CreateJobAsync(job, Ct);
        await jobs.CreateJobAsync(EmptyJob(tenant, "ing_later", ClockStart.AddHours(1)), Ct);
        await jobs.MarkIngestedAsync(tenant, job.Id, ["msg:1:aaaa", "tool:call-1:bbbb"], Ct);
        store.Dispose();

        var reopened = Jobs(await ReopenAsync(store));

        Assert.Equal(JobJson(job), JobJson((await reopened.GetJobAsync(tenant, job.Id, Ct))!));
        Assert.Equal(["ing_later", "ing_persist"], (await reopened.ListJobsAsync(tenant, cancellationToken: Ct)).Select(j => j.Id));
        Assert.Equal(2, (await reopened.FindIngestedAsync(tenant, ["msg:1:aaaa", "tool:call-1:bbbb", "msg:2:cccc"], Ct)).Count);
        await Assert.ThrowsAsync<MemoryException>(() => reopened.CreateJobAsync(job, Ct));
    }

    /// <summary>Gets a store's ingestion job store, which every canonical store must provide.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The job store.</returns>
    protected static IMemoryIngestionJobStore Jobs(IMemoryStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var jobs = store.GetService(typeof(IMemoryIngestionJobStore));
        Assert.NotNull(jobs);
        return Assert.IsAssignableFrom<IMemoryIngestionJobStore>(jobs);
    }

    private static string JobJson(MemoryIngestionJob job) => JsonSerializer.Serialize(job, MemoryJsonContext.Default.MemoryIngestionJob);

    /// <summary>A pending job with one message and nothing done yet.</summary>
    private static MemoryIngestionJob EmptyJob(string tenant, string id, DateTimeOffset createdAt) => new()
    {
        Id = id,
        Tenant = tenant,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        Input = new MemoryExtractionRequest
        {
            Tenant = tenant,
            Messages = [new MemoryMessage { Id = "m1", Speaker = "ana", Text = "I drink oat milk.", ObservedAt = createdAt }],
        },
        Counts = new MemoryIngestionCounts { Items = 1 },
    };

    /// <summary>A failed job with every field set: input of each kind, stages, counts, rejections (with and without a candidate), decisions, errors.</summary>
    private static MemoryIngestionJob FullJob(string tenant, string id, DateTimeOffset createdAt)
    {
        var observed = createdAt.AddMinutes(-5);
        var document = new MemoryDocument { Name = "notes/ana.md", Text = "Ana moved to Lisbon in 2024.", ObservedAt = observed, External = false };
        var candidate = new MemoryCandidate
        {
            Type = MemoryTypes.Preference,
            Subject = "ana",
            Value = new MemoryValue("Ana prefers oat milk", JsonSerializer.Deserialize("""{"milk":"oat","strength":0.75,"tags":["coffee",null]}""", MemoryJsonContext.Default.JsonElement)),
            Source = "ana",
            Confidence = 0.35,
            Salience = 0.9,
            Evidence = new MemoryProvenance
            {
                SourceKind = MemorySourceKind.Message,
                MessageIds = ["m1", "m2"],
                QuotedSpans = ["oat milk, \"always\""],
                ToolCallIds = ["call-1"],
                FileHashes = [document.ContentHash],
                ObservedAt = observed,
            },
            Key = "preference:milk",
            Replaces = "almond milk",
            ValidFrom = observed.AddDays(-7),
            Signals = [MemoryCandidateSignal.Transient, MemoryCandidateSignal.Hypothetical],
            Extractor = "rules",
        };
        return new MemoryIngestionJob
        {
            Id = id,
            Tenant = tenant,
            State = MemoryIngestionJobState.Failed,
            CreatedAt = createdAt,
            UpdatedAt = createdAt.AddSeconds(3).AddTicks(10),
            Input = new MemoryExtractionRequest
            {
                Tenant = tenant,
                Subject = "ana",
                Scope = MemoryScope.ForTeam("eng") with { Agent = "helper", Session = "s-1" },
                Messages =
                [
                    new MemoryMessage { Id = "m1", Speaker = "Ana", Text = "I switched from almond to oat milk. Zoë 🧠", ObservedAt = observed, Session = "s-1" },
                    new MemoryMessage { Id = "m2", Speaker = "bot", Role = MemoryMessageRole.Assistant, Text = "Noted!", ObservedAt = observed.AddSeconds(1).ToOffset(TimeSpan.FromHours(2)) },
                ],
                ToolOutputs = [new MemoryToolOutput { ToolCallId = "call-1", ToolName = "crm.lookup", Text = """{"city":"Lisbon"}""", ObservedAt = observed }],
                Documents = [document, new MemoryDocument { Name = "https-page", Text = "Lisbon weather", ObservedAt = observed, External = true }],
                Instructions = "Only remember food preferences.",
            },
            Stages =
            [
                new MemoryIngestionStage("extract", createdAt, createdAt.AddSeconds(1)),
                new MemoryIngestionStage("gate", createdAt.AddSeconds(1), createdAt.AddSeconds(2)),
                new MemoryIngestionStage("evolve", createdAt.AddSeconds(2), null, "the store timed out"),
            ],
            Counts = new MemoryIngestionCounts { Items = 5, Replayed = 1, Candidates = 9, Accepted = 6, Rejected = 3, Added = 2, Merged = 1, Superseded = 1, NoOp = 1 },
            Rejections =
            [
                new MemoryCandidateRejection(MemoryRejectionReason.LowConfidence, "confidence 0.35 is under 0.6 for preference", candidate),
                new MemoryCandidateRejection(MemoryRejectionReason.MalformedOutput, "the reply was not JSON, twice"),
            ],
            Decisions =
            [
                new MemoryIngestionDecision(MemoryEvolveAction.Add, "no related memory", MemoryTypes.Fact, "Ana lives in Lisbon", Guid.Parse("0193f5c1-0000-7000-8000-000000000001")),
                new MemoryIngestionDecision(
                    MemoryEvolveAction.Supersede,
                    "same key preference:milk, newer value",
                    MemoryTypes.Preference,
                    "Ana prefers oat milk",
                    Guid.Parse("0193f5c1-0000-7000-8000-000000000003"),
                    Guid.Parse("0193f5c1-0000-7000-8000-000000000002")),
            ],
            Errors = ["evolve: the store timed out; run the job again"],
        };
    }
}
