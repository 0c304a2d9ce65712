using System.Diagnostics;
using System.Text.Json;
using SkMemory.Postgres.Tests;
using SkMemory.Tests;

namespace SkMemory.Cli.Tests;

/// <summary>
/// <c>skmem ingest</c>, <c>ingest status</c>, <c>ingest run</c> and <c>ingest list</c> end to end, in-process: the offline
/// extractor on a temp SQLite store (and once on PostgreSQL), the chat extractor against a local OpenAI-compatible server.
/// </summary>
public sealed class IngestCommandTests(PostgresFixture postgres) : IDisposable
{
    /// <summary>The README's example: six turns of Ana's and the assistant's, and a CRM lookup.</summary>
    private static readonly string Example = Path.Combine(RepositoryRoot(), "docs", "examples", "conversation.json");

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_conversation_ingested_with_the_offline_extractor_yields_typed_memories_citing_their_messages()
    {
        var text = (await _cli.RunAsync("ingest", Example)).ShouldSucceed();

        // The job id comes first, then the summary.
        var lines = text.Out.Split('\n');
        Assert.StartsWith("job         ing_", lines[0], StringComparison.Ordinal);
        var jobId = lines[0]["job".PadRight(12).Length..].Trim();
        Assert.Contains("state       completed", text.Out, StringComparison.Ordinal);
        Assert.Contains("stages      extract ", text.Out, StringComparison.Ordinal);
        Assert.Contains("counts      7 items, 0 replayed, 8 candidates, 6 accepted, 2 rejected (assistant_speculation 1, transient 1); 5 added, 0 merged, 1 superseded, 0 no-op", text.Out, StringComparison.Ordinal);
        Assert.Contains($"job {jobId} created with 7 items", text.Error, StringComparison.Ordinal);
        Assert.Contains($"job {jobId} completed", text.Error, StringComparison.Ordinal);

        var memories = (await _cli.RunAsync("list", "--subject", "ana", "--json")).ShouldSucceed().Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["asset", "constraint", "fact", "identifier", "preference"],
            memories.Select(m => m.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        var milk = Single(memories, "preference");
        Assert.Equal("ana prefers oat milk in their coffee", milk.GetProperty("value").GetProperty("text").GetString());
        Assert.Equal(["m1"], Strings(milk.GetProperty("provenance").GetProperty("message_ids")));
        Assert.Equal(["I prefer oat milk in my coffee"], Strings(milk.GetProperty("provenance").GetProperty("quoted_spans")));
        Assert.Equal(jobId, milk.GetProperty("metadata").GetProperty("capture.job").GetString());
        Assert.Equal("rules", milk.GetProperty("metadata").GetProperty("capture.extractor").GetString());
        Assert.Equal("agent", milk.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal(["m5"], Strings(Single(memories, "constraint").GetProperty("provenance").GetProperty("message_ids")));
        Assert.Equal(["m5"], Strings(Single(memories, "fact").GetProperty("provenance").GetProperty("message_ids")));
        Assert.Equal(["m6"], Strings(Single(memories, "asset").GetProperty("provenance").GetProperty("message_ids")));
        Assert.Equal(["call-1"], Strings(Single(memories, "identifier").GetProperty("provenance").GetProperty("tool_call_ids")));

        var recall = (await _cli.RunAsync("recall", "oat milk", "--subject", "ana")).ShouldSucceed();
        Assert.Contains(milk.GetProperty("id").GetString()!, recall.Out.Split('\n')[1], StringComparison.Ordinal);

        // The whole job as JSON: the same counts, the input, the decisions with the memories they produced.
        var job = (await _cli.RunAsync("ingest", "status", jobId, "--json")).ShouldSucceed().Json();
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal(["extract", "gate", "evolve"], job.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(6, job.GetProperty("input").GetProperty("messages").GetArrayLength());
        Assert.Equal("default", job.GetProperty("tenant").GetString());
        Assert.Contains(job.GetProperty("decisions").EnumerateArray(), d => d.GetProperty("memory_id").GetString() == milk.GetProperty("id").GetString() && d.GetProperty("action").GetString() == "add");
    }

    [Fact]
    public async Task Replaying_the_same_file_creates_nothing_new()
    {
        var first = (await _cli.RunAsync("ingest", Example, "--json")).ShouldSucceed().Json();
        Assert.Equal(5, first.GetProperty("counts").GetProperty("added").GetInt32());
        var memories = SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--status", "all", "--json")).ShouldSucceed());
        var events = (await _cli.RunAsync("verify")).ShouldSucceed().Out;

        var replay = (await _cli.RunAsync("ingest", Example)).ShouldSucceed();

        Assert.Contains("counts      7 items, 7 replayed, 0 candidates, 0 accepted, 0 rejected; 0 added, 0 merged, 0 superseded, 0 no-op", replay.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("decisions", replay.Out, StringComparison.Ordinal);
        Assert.Equal(memories, SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--status", "all", "--json")).ShouldSucceed()));
        Assert.Equal(events, (await _cli.RunAsync("verify")).ShouldSucceed().Out);

        // Two jobs, newest first.
        var jobs = (await _cli.RunAsync("ingest", "list", "--json")).ShouldSucceed().Json().EnumerateArray().ToList();
        Assert.Equal(2, jobs.Count);
        Assert.Equal(7, jobs[0].GetProperty("counts").GetProperty("replayed").GetInt32());
        Assert.Equal(first.GetProperty("id").GetString(), jobs[1].GetProperty("id").GetString());
        Assert.False(jobs[0].TryGetProperty("input", out _));
    }

    [Fact]
    public async Task A_deferred_job_is_stored_raw_and_extracted_by_ingest_run()
    {
        var deferred = (await _cli.RunAsync("ingest", Example, "--defer")).ShouldSucceed();
        var jobId = deferred.Out.Split('\n')[0]["job".PadRight(12).Length..].Trim();
        Assert.Contains("state       pending", deferred.Out, StringComparison.Ordinal);
        Assert.Contains("stages      (none yet)", deferred.Out, StringComparison.Ordinal);
        Assert.Contains($"next        skmem ingest run {jobId}", deferred.Out, StringComparison.Ordinal);
        Assert.Empty(SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()));

        var pending = (await _cli.RunAsync("ingest", "list", "--state", "pending")).ShouldSucceed();
        Assert.Contains(jobId, pending.Out, StringComparison.Ordinal);
        Assert.Contains("pending", pending.Out.Split('\n')[1], StringComparison.Ordinal);

        var run = (await _cli.RunAsync("ingest", "run", jobId, "--json")).ShouldSucceed().Json();
        Assert.Equal(jobId, run.GetProperty("id").GetString());
        Assert.Equal("completed", run.GetProperty("state").GetString());
        Assert.Equal(5, run.GetProperty("counts").GetProperty("added").GetInt32());
        Assert.Equal(5, SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()).Count);
        Assert.Contains("state       completed", (await _cli.RunAsync("ingest", "status", jobId)).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Contains("no pending ingestion jobs", (await _cli.RunAsync("ingest", "list", "--state", "pending")).ShouldSucceed().Out, StringComparison.Ordinal);

        // Running a completed job again changes nothing.
        var again = (await _cli.RunAsync("ingest", "run", jobId)).ShouldSucceed();
        Assert.Contains("already completed", again.Error, StringComparison.Ordinal);
        Assert.Equal(5, SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()).Count);
    }

    [Fact]
    public async Task A_job_marked_running_is_only_run_again_with_force()
    {
        var jobId = (await _cli.RunAsync("ingest", Example, "--defer", "--json")).ShouldSucceed().Json().GetProperty("id").GetString()!;
        await CliRunner.ExecuteSqlAsync(_cli.StorePath, $"UPDATE memory_ingestion_jobs SET state = 'running', job = json_set(job, '$.state', 'running') WHERE id = '{jobId}'");

        var refused = (await _cli.RunAsync("ingest", "run", jobId)).ShouldFail(ExitCodes.Conflict);
        Assert.Contains($"error: job {jobId} is running", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
        Assert.Empty(SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()));

        var forced = (await _cli.RunAsync("ingest", "run", jobId, "--force", "--json")).ShouldSucceed().Json();
        Assert.Equal("completed", forced.GetProperty("state").GetString());
        Assert.Equal(5, forced.GetProperty("counts").GetProperty("added").GetInt32());
    }

    [Fact]
    public async Task Help_of_a_job_command_shows_its_own_usage_without_the_file_argument()
    {
        var run = (await _cli.RunAsync("ingest", "run", "--help")).ShouldSucceed().Out;
        Assert.Contains(" ingest run <job-id> [options]", run, StringComparison.Ordinal);
        Assert.DoesNotContain("<file>", run, StringComparison.Ordinal);
        Assert.Contains("--force", run, StringComparison.Ordinal);

        var list = (await _cli.RunAsync("ingest", "list", "--help")).ShouldSucceed().Out;
        Assert.Contains(" ingest list [options]", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Arguments:", list, StringComparison.Ordinal);

        var ingest = (await _cli.RunAsync("ingest", "--help")).ShouldSucceed().Out;
        Assert.Contains(" ingest <file> [command] [options]", ingest, StringComparison.Ordinal);
        Assert.Contains("status <job-id>", ingest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_or_run_of_an_unknown_job_exits_3_and_points_to_ingest_list()
    {
        (await _cli.RunAsync("ingest", Example, "--defer")).ShouldSucceed();

        var status = (await _cli.RunAsync("ingest", "status", "ing_nope")).ShouldFail(ExitCodes.NotFound);
        Assert.Contains("error: tenant 'default' has no ingestion job 'ing_nope'", status.Error, StringComparison.Ordinal);
        Assert.Contains("hint: run 'skmem ingest list'", status.Error, StringComparison.Ordinal);
        var json = (await _cli.RunAsync("ingest", "status", "ing_nope", "--json")).Json().GetProperty("error");
        Assert.Equal("not_found", json.GetProperty("code").GetString());
        Assert.Equal("job_id", json.GetProperty("field").GetString());

        (await _cli.RunAsync("ingest", "run", "ing_nope")).ShouldFail(ExitCodes.NotFound);

        // Jobs belong to their tenant.
        var jobId = (await _cli.RunAsync("ingest", "list", "--json")).ShouldSucceed().Json()[0].GetProperty("id").GetString()!;
        (await _cli.RunAsync("ingest", "status", jobId, "--tenant", "other")).ShouldFail(ExitCodes.NotFound);
        Assert.Contains("no ingestion jobs in tenant 'other'", (await _cli.RunAsync("ingest", "list", "--tenant", "other")).ShouldSucceed().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_json_names_the_line_and_column_and_stores_nothing()
    {
        var file = await WriteAsync("""
            {
              "subject": "ana",
              "messages": [
                {"id": "m1", "speaker": "Ana", "text": "I prefer oat milk", "observed_at": "2025-03-03T09:00:00Z"},
              ]
            }
            """);

        var result = (await _cli.RunAsync("ingest", file)).ShouldFail(ExitCodes.Usage);

        Assert.Contains($"error: file: {file} is not valid JSON at line 5, column 3:", result.Error, StringComparison.Ordinal);
        Assert.Contains("trailing comma", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StorePath));
    }

    [Theory]
    [InlineData("""{"messages": [{"id": "m1", "speaker": "Ana", "text": "hi"}]}""", "messages[0].observed_at", "is required")]
    [InlineData("""{"messages": [{"id": "m1", "speaker": "Ana", "text": "hi", "observed_at": "last tuesday"}]}""", "messages[0].observed_at", "is not an ISO 8601 time")]
    [InlineData("""{"messages": [{"id": "m1", "speaker": "Ana", "role": "bot", "text": "hi", "observed_at": "2025-03-03T09:00:00Z"}]}""", "messages[0].role", "is not a role")]
    [InlineData("""{"messages": [], "tool_output": []}""", "tool_output", "is not a known property")]
    [InlineData("""{"scope": "galaxy", "messages": []}""", "scope", "is not a scope")]
    [InlineData("""{"tenant": "other", "messages": []}""", "tenant", "names tenant 'other', but the command runs in tenant 'default'")]
    [InlineData("""{"documents": [{"name": "notes.md", "observed_at": "2025-03-03T09:00:00Z"}]}""", "documents[0].text", "is required")]
    public async Task A_missing_or_invalid_field_is_named_before_the_store_is_opened(string json, string field, string problem)
    {
        var file = await WriteAsync(json);

        var result = (await _cli.RunAsync("ingest", file)).ShouldFail(ExitCodes.Usage);

        Assert.Contains($"error: {field}: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.Equal(field, (await _cli.RunAsync("ingest", file, "--json")).Json().GetProperty("error").GetProperty("field").GetString());
        Assert.False(File.Exists(_cli.StorePath));
    }

    [Theory]
    [InlineData("""{"messages": []}""", "input", "has no messages, tool outputs or documents")]
    [InlineData("""{"messages": [{"id": " ", "speaker": "Ana", "text": "hi", "observed_at": "2025-03-03T09:00:00Z"}]}""", "messages[0].id", "is required")]
    [InlineData("""{"messages": [{"id": "m1", "speaker": "Ana", "text": "a", "observed_at": "2025-03-03T09:00:00Z"}, {"id": "m1", "speaker": "Ana", "text": "b", "observed_at": "2025-03-03T09:00:00Z"}]}""", "messages[1].id", "is used by an earlier message")]
    public async Task Input_the_pipeline_refuses_is_named_and_creates_no_job(string json, string field, string problem)
    {
        var file = await WriteAsync(json);
        (await _cli.RunAsync("ingest", Example, "--defer")).ShouldSucceed();

        var result = (await _cli.RunAsync("ingest", file)).ShouldFail(ExitCodes.Usage);

        Assert.Contains($"error: {field}: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", result.Error, StringComparison.Ordinal);
        Assert.Single((await _cli.RunAsync("ingest", "list", "--json")).ShouldSucceed().Json().EnumerateArray());
        Assert.Empty(SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()));
    }

    [Fact]
    public async Task A_changed_address_leaves_one_active_address_and_the_old_one_in_history()
    {
        var moved = await WriteAsync("""
            {"subject": "bo", "messages": [
              {"id": "a1", "speaker": "Bo", "text": "My shipping address is Rua Augusta 1, Lisbon.", "observed_at": "2025-01-10T09:00:00Z"},
              {"id": "a2", "speaker": "Bo", "text": "I moved! My new shipping address is 22 Baker Street, London.", "observed_at": "2025-02-10T09:00:00Z"}
            ]}
            """);

        var job = (await _cli.RunAsync("ingest", moved, "--json")).ShouldSucceed().Json();

        var decisions = job.GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal(["add", "supersede"], decisions.Select(d => d.GetProperty("action").GetString()));
        var oldId = decisions[0].GetProperty("memory_id").GetString()!;
        var newId = decisions[1].GetProperty("memory_id").GetString()!;
        Assert.Equal(oldId, decisions[1].GetProperty("previous_id").GetString());

        var active = (await _cli.RunAsync("list", "--subject", "bo", "--type", "asset", "--json")).ShouldSucceed().Json().GetProperty("items").EnumerateArray().ToList();
        var address = Assert.Single(active);
        Assert.Equal(newId, address.GetProperty("id").GetString());
        Assert.Equal("bo's shipping address is 22 Baker Street, London", address.GetProperty("value").GetProperty("text").GetString());
        Assert.Equal(["a2"], Strings(address.GetProperty("provenance").GetProperty("message_ids")));

        var history = (await _cli.RunAsync("history", oldId)).ShouldSucceed().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("created", history[1], StringComparison.Ordinal);
        Assert.Contains("superseded", history[2], StringComparison.Ordinal);
        Assert.Contains("capture (rules): a new value for asset:shipping_address", history[2], StringComparison.Ordinal);
        var old = (await _cli.RunAsync("show", oldId)).ShouldSucceed().Out;
        Assert.Contains("status          superseded", old, StringComparison.Ordinal);
        Assert.Contains("Rua Augusta 1, Lisbon", old, StringComparison.Ordinal);
        Assert.Contains($"superseded by   {newId}", old, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejections_appear_in_the_status_with_their_reasons()
    {
        var file = await WriteAsync("""
            {"subject": "ana", "messages": [
              {"id": "r1", "speaker": "Ana", "text": "I'm in a hurry today.", "observed_at": "2025-03-03T09:00:00Z"},
              {"id": "r2", "speaker": "assistant", "role": "assistant", "text": "You probably like window seats.", "observed_at": "2025-03-03T09:01:00Z"},
              {"id": "r3", "speaker": "Ana", "text": "I prefer tea in the morning.", "observed_at": "2025-03-03T09:02:00Z"}
            ]}
            """);
        var jobId = (await _cli.RunAsync("ingest", file, "--json")).ShouldSucceed().Json().GetProperty("id").GetString()!;

        var status = (await _cli.RunAsync("ingest", "status", jobId)).ShouldSucceed().Out;

        Assert.Contains("2 rejected (assistant_speculation 1, transient 1)", status, StringComparison.Ordinal);
        var rows = status.Split('\n');
        var transient = Assert.Single(rows, r => r.TrimStart().StartsWith("transient ", StringComparison.Ordinal));
        Assert.Contains("r1", transient, StringComparison.Ordinal);
        Assert.Contains("it is true only now", transient, StringComparison.Ordinal);
        var guess = Assert.Single(rows, r => r.TrimStart().StartsWith("assistant_speculation ", StringComparison.Ordinal));
        Assert.Contains("r2", guess, StringComparison.Ordinal);
        Assert.Contains("not something the subject stated", guess, StringComparison.Ordinal);

        var rejections = (await _cli.RunAsync("ingest", "status", jobId, "--json")).ShouldSucceed().Json().GetProperty("rejections").EnumerateArray().ToList();
        Assert.Equal(["transient", "assistant_speculation"], rejections.Select(r => r.GetProperty("reason").GetString()));
        Assert.Equal(["r1"], Strings(rejections[0].GetProperty("candidate").GetProperty("evidence").GetProperty("message_ids")));

        // Only the durable statement was stored.
        var stored = (await _cli.RunAsync("list", "--json")).ShouldSucceed().Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("ana prefers tea in the morning", Assert.Single(stored).GetProperty("value").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Min_confidence_raises_the_gate_and_is_checked()
    {
        var file = await WriteAsync("""{"subject": "ana", "messages": [{"id": "c1", "speaker": "Ana", "text": "I prefer oat milk.", "observed_at": "2025-03-03T09:00:00Z"}]}""");

        var strict = (await _cli.RunAsync("ingest", file, "--min-confidence", "0.99", "--json")).ShouldSucceed().Json();

        Assert.Equal("low_confidence", Assert.Single(strict.GetProperty("rejections").EnumerateArray()).GetProperty("reason").GetString());
        Assert.Equal(0, strict.GetProperty("counts").GetProperty("added").GetInt32());
        var invalid = (await _cli.RunAsync("ingest", file, "--min-confidence", "2")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: min_confidence: must be between 0 and 1", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_lines_of_messages_are_read_line_by_line_and_errors_name_the_line()
    {
        var file = _cli.NewFilePath(".jsonl");
        await File.WriteAllTextAsync(
            file,
            """
            {"id": "l1", "speaker": "Caro", "text": "I work at Fabrikam.", "observed_at": "2025-03-03T09:00:00Z"}

            {"id": "l2", "speaker": "Caro", "text": "I prefer aisle seats.", "observed_at": "2025-03-03T09:01:00Z"}
            """,
            TestContext.Current.CancellationToken);

        var job = (await _cli.RunAsync("ingest", file, "--json")).ShouldSucceed().Json();

        // Without a subject, each speaker is the subject of what they say.
        Assert.Equal(2, job.GetProperty("counts").GetProperty("added").GetInt32());
        Assert.Equal(2, SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--subject", "Caro", "--json")).ShouldSucceed()).Count);

        var broken = _cli.NewFilePath(".jsonl");
        await File.WriteAllTextAsync(broken, "{\"id\": \"l1\", \"speaker\": \"Caro\", \"text\": \"hi\", \"observed_at\": \"2025-03-03T09:00:00Z\"}\n{\"id\": \"l2\", \"speaker\": \"Caro\", \"text\": \"hi\"}\n", TestContext.Current.CancellationToken);
        var error = (await _cli.RunAsync("ingest", broken)).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: messages[1].observed_at: is required", error.Error, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dash_reads_the_input_from_stdin()
    {
        var start = new ProcessStartInfo(ProcessTests.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "skmem.dll"), "ingest", "-", "--json", "--store", _cli.StorePath, "--embedder", "none" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove(ErrorReporter.DebugVariable);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(Example, TestContext.Current.CancellationToken));
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{await output}\n{await error}");
        using var job = JsonDocument.Parse(await output);
        Assert.Equal("completed", job.RootElement.GetProperty("state").GetString());
        Assert.Equal(5, job.RootElement.GetProperty("counts").GetProperty("added").GetInt32());
    }

    [Fact]
    public async Task The_chat_extractor_fails_the_job_while_the_model_is_down_and_ingest_run_finishes_it()
    {
        var file = await WriteAsync("""{"subject": "ana", "messages": [{"id": "k1", "speaker": "Ana", "text": "I switched to oat milk last month.", "observed_at": "2025-03-03T09:00:00Z"}]}""");
        const string Reply = """
            {"memories": [{"type": "preference", "subject": "ana", "text": "Ana prefers oat milk", "confidence": 0.9, "salience": 0.6,
              "key": "preference:milk", "replaces": null, "valid_from": null, "signals": [], "structured": null,
              "evidence": {"message_ids": ["k1"], "tool_call_ids": [], "documents": [], "quotes": ["I switched to oat milk"]}}]}
            """;
        var down = $"openai:fake-chat@http://127.0.0.1:{TestPorts.Free()}/v1";

        var failed = (await _cli.RunAsync("ingest", file, "--extractor", "chat", "--chat-model", down)).ShouldFail(ExitCodes.JobFailed);

        Assert.Contains("state       failed", failed.Out, StringComparison.Ordinal);
        Assert.Contains("error: ingestion job ing_", failed.Error, StringComparison.Ordinal);
        Assert.Contains("failed at extract: ", failed.Error, StringComparison.Ordinal);
        Assert.Contains("cannot reach the chat model openai:fake-chat", failed.Error, StringComparison.Ordinal);
        var jobId = failed.Out.Split('\n')[0]["job".PadRight(12).Length..].Trim();
        Assert.Contains($"hint: fix the cause, then run 'skmem ingest run {jobId}'", failed.Error, StringComparison.Ordinal);
        var json = (await _cli.RunAsync("ingest", "status", jobId, "--json")).ShouldSucceed().Json();
        Assert.Equal("failed", json.GetProperty("state").GetString());
        Assert.Empty(SqliteWorkflowTests.Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()));

        await using var server = FakeOpenAIChatServer.Start(_ => Reply);
        var run = (await _cli.RunAsync("ingest", "run", jobId, "--extractor", "chat", "--chat-model", $"openai:fake-chat@{server.BaseUrl}", "--json")).ShouldSucceed().Json();

        Assert.Equal("completed", run.GetProperty("state").GetString());
        Assert.Equal(1, server.RequestCount);
        var memory = Assert.Single((await _cli.RunAsync("list", "--json")).ShouldSucceed().Json().GetProperty("items").EnumerateArray());
        Assert.Equal("Ana prefers oat milk", memory.GetProperty("value").GetProperty("text").GetString());
        Assert.Equal(["k1"], Strings(memory.GetProperty("provenance").GetProperty("message_ids")));
        Assert.Equal("chat:fake-chat", memory.GetProperty("metadata").GetProperty("capture.extractor").GetString());
    }

    [Fact]
    public async Task The_chat_extractor_needs_a_chat_model()
    {
        var result = (await _cli.RunAsync("ingest", Example, "--extractor", "chat")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: chat_model: --extractor chat needs a chat model", result.Error, StringComparison.Ordinal);
        Assert.Contains("--chat-model", result.Error, StringComparison.Ordinal);

        (await _cli.RunAsync("ingest", Example, "--extractor", "chat", "--chat-model", "minilm")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("ingest", Example, "--chat-model", "ollama:llama3.2")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("ingest", Example, "--extractor", "magic")).ShouldFail(ExitCodes.Usage);
        Assert.False(File.Exists(_cli.StorePath));
    }

    [Fact]
    public async Task Ingest_replay_defer_and_run_work_on_postgres()
    {
        var schema = postgres.NewSchema();
        Task<CliResult> Run(params string[] args) => CliRunner.RunOnAsync(postgres.ConnectionString, [.. args, "--schema", schema]);

        var job = (await Run("ingest", Example, "--json")).ShouldSucceed().Json();
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal(5, job.GetProperty("counts").GetProperty("added").GetInt32());
        Assert.Equal(1, job.GetProperty("counts").GetProperty("superseded").GetInt32());
        var milk = (await Run("list", "--type", "preference", "--json")).ShouldSucceed().Json().GetProperty("items")[0];
        Assert.Equal(["m1"], Strings(milk.GetProperty("provenance").GetProperty("message_ids")));

        var replay = (await Run("ingest", Example, "--json")).ShouldSucceed().Json();
        Assert.Equal(7, replay.GetProperty("counts").GetProperty("replayed").GetInt32());
        Assert.Equal(0, replay.GetProperty("counts").GetProperty("candidates").GetInt32());

        var other = await WriteAsync("""{"subject": "bo", "messages": [{"id": "p1", "speaker": "Bo", "text": "I'm allergic to shellfish.", "observed_at": "2025-03-03T09:00:00Z"}]}""");
        var deferredId = (await Run("ingest", other, "--defer", "--json")).ShouldSucceed().Json().GetProperty("id").GetString()!;
        Assert.Equal(deferredId, (await Run("ingest", "list", "--state", "pending", "--json")).ShouldSucceed().Json()[0].GetProperty("id").GetString());
        Assert.Equal(1, (await Run("ingest", "run", deferredId, "--json")).ShouldSucceed().Json().GetProperty("counts").GetProperty("added").GetInt32());
        Assert.Contains("bo is allergic to shellfish", (await Run("list", "--subject", "bo")).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Equal(3, (await Run("ingest", "list", "--json")).ShouldSucceed().Json().GetArrayLength());
        (await Run("ingest", "status", "ing_nope")).ShouldFail(ExitCodes.NotFound);
    }

    private static JsonElement Single(List<JsonElement> memories, string type) =>
        Assert.Single(memories, m => m.GetProperty("type").GetString() == type);

    private static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()).ToList();

    private async Task<string> WriteAsync(string json)
    {
        var file = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        return file;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SkMemory.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No SkMemory.sln above {AppContext.BaseDirectory}.");
    }
}
