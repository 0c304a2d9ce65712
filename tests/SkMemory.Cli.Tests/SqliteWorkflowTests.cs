using System.Text;
using System.Text.Json;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The commands end to end, in-process, on a temp SQLite file.</summary>
public sealed class SqliteWorkflowTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Remember_then_recall_list_show_and_history_find_it()
    {
        var remembered = (await _cli.RunAsync("remember", "Ana prefers oat milk in her coffee", "--subject", "ana", "--type", "preference", "--meta", "source=chat", "--ttl", "30d", "--confidence", "0.9")).ShouldSucceed();
        Assert.StartsWith("created ", remembered.Out, StringComparison.Ordinal);
        var id = Guid.Parse(remembered.Out.Split(' ')[1]);
        await _cli.RememberAsync("Ana lives in Lisbon");

        var recall = (await _cli.RunAsync("recall", "oat milk", "--subject", "ana")).ShouldSucceed();
        var lines = recall.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("SCORE", lines[0], StringComparison.Ordinal);
        Assert.Contains(id.ToString(), lines[1], StringComparison.Ordinal);
        Assert.Contains("#1", lines[1], StringComparison.Ordinal);
        Assert.Contains("Ana prefers oat milk", lines[1], StringComparison.Ordinal);

        var textOnly = (await _cli.RunAsync("recall", "coffee", "--subject", "ana", "--mode", "text", "--top", "1")).ShouldSucceed();
        Assert.Contains(id.ToString(), textOnly.Out, StringComparison.Ordinal);

        var list = (await _cli.RunAsync("list")).ShouldSucceed();
        Assert.Contains(id.ToString(), list.Out, StringComparison.Ordinal);
        Assert.Contains("Ana lives in Lisbon", list.Out, StringComparison.Ordinal);
        Assert.Equal(3, list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var show = (await _cli.RunAsync("show", id.ToString())).ShouldSucceed();
        Assert.Contains($"id              {id}", show.Out, StringComparison.Ordinal);
        Assert.Contains("status          active", show.Out, StringComparison.Ordinal);
        Assert.Contains("type            preference", show.Out, StringComparison.Ordinal);
        Assert.Contains("confidence      0.9", show.Out, StringComparison.Ordinal);
        Assert.Contains("ttl             30d", show.Out, StringComparison.Ordinal);
        Assert.Contains("meta            source=chat", show.Out, StringComparison.Ordinal);
        Assert.Contains("source          manual", show.Out, StringComparison.Ordinal);

        var history = (await _cli.RunAsync("history", id.ToString())).ShouldSucceed();
        var historyLines = history.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, historyLines.Length);
        Assert.Contains("created", historyLines[1], StringComparison.Ordinal);
        Assert.Contains("user:", historyLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_requires_a_reason_and_then_list_no_longer_shows_the_memory()
    {
        var id = await _cli.RememberAsync("Ana's locker code is 4417");
        var keep = await _cli.RememberAsync("Ana works in the Lisbon office");

        var noReason = (await _cli.RunAsync("forget", id.ToString())).ShouldFail(ExitCodes.Usage);
        Assert.Contains("--reason", noReason.Error, StringComparison.Ordinal);
        Assert.Contains(id.ToString(), (await _cli.RunAsync("list")).Out, StringComparison.Ordinal);

        var forgot = (await _cli.RunAsync("forget", id.ToString(), "--reason", "asked to forget it")).ShouldSucceed();
        Assert.Contains("deleted", forgot.Out, StringComparison.Ordinal);

        var list = (await _cli.RunAsync("list")).ShouldSucceed();
        Assert.DoesNotContain(id.ToString(), list.Out, StringComparison.Ordinal);
        Assert.Contains(keep.ToString(), list.Out, StringComparison.Ordinal);

        var deleted = (await _cli.RunAsync("list", "--status", "deleted")).ShouldSucceed();
        Assert.Contains(id.ToString(), deleted.Out, StringComparison.Ordinal);

        var show = (await _cli.RunAsync("show", id.ToString())).ShouldSucceed();
        Assert.Contains("status          deleted", show.Out, StringComparison.Ordinal);
        Assert.Contains("deletion reason asked to forget it", show.Out, StringComparison.Ordinal);

        var history = (await _cli.RunAsync("history", id.ToString())).ShouldSucceed();
        Assert.Contains("asked to forget it", history.Out, StringComparison.Ordinal);

        // Forgetting again is an invalid state (4); a stale --expected-version is a version conflict (4).
        (await _cli.RunAsync("forget", id.ToString(), "--reason", "again")).ShouldFail(ExitCodes.Conflict);
        var stale = (await _cli.RunAsync("forget", keep.ToString(), "--reason", "moved", "--expected-version", "7")).ShouldFail(ExitCodes.Conflict);
        Assert.Contains("--expected-version 1", stale.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_import_into_a_fresh_store_then_verify_both_and_list_the_same_ids()
    {
        await _cli.RememberAsync("Ana prefers oat milk");
        await _cli.RememberAsync("Ana lives in Lisbon");
        var forgotten = await _cli.RememberAsync("Ana's old phone number is 555-0100");
        (await _cli.RunAsync("forget", forgotten.ToString(), "--reason", "outdated")).ShouldSucceed();
        await _cli.RememberAsync("Bo plays the cello", "bo", "--tenant", "other");

        var file = _cli.NewFilePath();
        var export = (await _cli.RunAsync("export", "--output", file)).ShouldSucceed();
        Assert.Contains("exported 5 events and 4 objects from 2 tenants", export.Out, StringComparison.Ordinal);
        Assert.Contains("exported", export.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cli.Folder, "*.partial"));

        var copy = _cli.NewStorePath();
        var import = (await CliRunner.RunOnAsync(copy, "import", file)).ShouldSucceed();
        Assert.Contains("imported 5 events and 4 objects into 2 tenants", import.Out, StringComparison.Ordinal);
        Assert.Contains("imported", import.Error, StringComparison.Ordinal);

        Assert.Equal("chain verified: 5 events in 2 tenants", (await _cli.RunAsync("verify")).ShouldSucceed().Out.Trim());
        Assert.Equal("chain verified: 5 events in 2 tenants", (await CliRunner.RunOnAsync(copy, "verify")).ShouldSucceed().Out.Trim());
        Assert.Equal("chain verified: 1 event in 1 tenant", (await CliRunner.RunOnAsync(copy, "verify", "--tenant", "other")).ShouldSucceed().Out.Trim());

        foreach (var tenant in new[] { "default", "other" })
        {
            var original = Ids((await _cli.RunAsync("list", "--status", "all", "--tenant", tenant, "--json")).ShouldSucceed());
            var imported = Ids((await CliRunner.RunOnAsync(copy, "list", "--status", "all", "--tenant", tenant, "--json")).ShouldSucceed());
            Assert.NotEmpty(original);
            Assert.Equal(original, imported);
        }

        // Importing the same file again conflicts with what the store holds: rejected, nothing imported.
        (await CliRunner.RunOnAsync(copy, "import", file)).ShouldFail(ExitCodes.ImportRejected);
    }

    [Fact]
    public async Task Export_to_stdout_writes_the_jsonl_and_a_summary_on_stderr()
    {
        await _cli.RememberAsync("Ana prefers oat milk");
        var export = (await _cli.RunAsync("export", "--tenant", "default")).ShouldSucceed();
        var lines = export.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        foreach (var line in lines)
        {
            using var _ = JsonDocument.Parse(line);
        }

        Assert.Contains("\"kind\":\"header\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"end\"", lines[^1], StringComparison.Ordinal);
        Assert.Contains("exported 1 event and 1 object from 1 tenant", export.Error, StringComparison.Ordinal);

        var file = _cli.NewFilePath();
        await File.WriteAllTextAsync(file, export.Out, TestContext.Current.CancellationToken);
        (await CliRunner.RunOnAsync(_cli.NewStorePath(), "import", file)).ShouldSucceed();
    }

    [Fact]
    public async Task Idempotency_key_replay_prints_replay_and_reuse_for_other_content_is_a_conflict()
    {
        var first = (await _cli.RunAsync("remember", "Ana lives in Lisbon", "--subject", "ana", "--idempotency-key", "msg-42")).ShouldSucceed();
        Assert.StartsWith("created ", first.Out, StringComparison.Ordinal);
        var id = first.Out.Split(' ')[1];

        var replay = (await _cli.RunAsync("remember", "Ana lives in Lisbon", "--subject", "ana", "--idempotency-key", "msg-42")).ShouldSucceed();
        Assert.StartsWith("idempotent replay: ", replay.Out, StringComparison.Ordinal);
        Assert.Contains(id, replay.Out, StringComparison.Ordinal);

        var duplicate = (await _cli.RunAsync("remember", "Ana lives in Lisbon", "--subject", "ana", "--json")).ShouldSucceed();
        Assert.Equal("duplicate_content", duplicate.Json().GetProperty("outcome").GetString());

        var reused = (await _cli.RunAsync("remember", "Ana lives in Porto", "--subject", "ana", "--idempotency-key", "msg-42")).ShouldFail(ExitCodes.Conflict);
        Assert.Contains("--idempotency-key", reused.Error, StringComparison.Ordinal);
        Assert.Single(Ids((await _cli.RunAsync("list", "--json")).ShouldSucceed()));
    }

    [Fact]
    public async Task A_tampered_export_is_rejected_with_exit_6_naming_the_line()
    {
        await _cli.RememberAsync("Ana prefers oat milk");
        await _cli.RememberAsync("Ana lives in Lisbon");
        var file = _cli.NewFilePath();
        (await _cli.RunAsync("export", "-o", file)).ShouldSucceed();

        // Change one byte of the second event's payload (line 3): "Lisbon" becomes "Lisbun".
        var lines = await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken);
        Assert.Contains("\"kind\":\"event\"", lines[2], StringComparison.Ordinal);
        lines[2] = lines[2].Replace("Lisbon", "Lisbun", StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, string.Join('\n', lines) + "\n", new UTF8Encoding(false), TestContext.Current.CancellationToken);

        var target = _cli.NewStorePath();
        var import = (await CliRunner.RunOnAsync(target, "import", file)).ShouldFail(ExitCodes.ImportRejected);
        Assert.Contains("line 3", import.Error, StringComparison.Ordinal);
        Assert.Contains("payload_hash", import.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported", import.Error, StringComparison.Ordinal);

        var json = (await CliRunner.RunOnAsync(target, "import", file, "--json")).ShouldFail(ExitCodes.ImportRejected).Json().GetProperty("error");
        Assert.Equal(3, json.GetProperty("line").GetInt64());
        Assert.Equal("payload_hash", json.GetProperty("field").GetString());

        Assert.Equal("chain verified: 0 events in 0 tenants", (await CliRunner.RunOnAsync(target, "verify")).ShouldSucceed().Out.Trim());
    }

    [Fact]
    public async Task Verify_exits_5_with_the_broken_link_after_the_database_is_tampered_with()
    {
        await _cli.RememberAsync("Ana prefers oat milk");
        await _cli.RememberAsync("Ana lives in Lisbon");
        (await _cli.RunAsync("verify")).ShouldSucceed();

        var changed = await CliRunner.ExecuteSqlAsync(_cli.StorePath, "UPDATE memory_events SET payload = replace(payload, 'Lisbon', 'Lisbun') WHERE sequence = 2");
        Assert.Equal(1, changed);

        var verify = await _cli.RunAsync("verify");
        Assert.Equal(ExitCodes.VerifyFailed, verify.ExitCode);
        Assert.Contains("chain broken", verify.Out, StringComparison.Ordinal);
        Assert.Contains("tenant    default", verify.Out, StringComparison.Ordinal);
        Assert.Contains("sequence  2", verify.Out, StringComparison.Ordinal);
        Assert.Contains("payload", verify.Out, StringComparison.Ordinal);
        Assert.Contains("error: ", verify.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", verify.Error, StringComparison.Ordinal);

        var json = await _cli.RunAsync("verify", "--json");
        Assert.Equal(ExitCodes.VerifyFailed, json.ExitCode);
        var result = json.Json();
        Assert.False(result.GetProperty("is_valid").GetBoolean());
        Assert.Equal(2, result.GetProperty("first_broken_link").GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task List_all_follows_cursors_to_the_end_and_pages_print_the_next_cursor()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await _cli.RememberAsync($"fact number {i}", "carol"));
        }

        var page = (await _cli.RunAsync("list", "--page-size", "3")).ShouldSucceed();
        Assert.Equal(4, page.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("--cursor ", page.Error, StringComparison.Ordinal);

        // Id order: UUID v7 ids are ordered by their millisecond, not within one, so compare with the sorted ids.
        ids.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        var all = (await _cli.RunAsync("list", "--page-size", "3", "--all")).ShouldSucceed();
        var lines = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, lines.Length);
        Assert.Equal(ids, lines.Skip(1).Select(l => Guid.Parse(l[..36])));
        Assert.Contains("listed 7 memories from 3 pages", all.Error, StringComparison.Ordinal);

        // Following the cursor by hand gives the same ids.
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var json = (await _cli.RunAsync(cursor is null ? ["list", "--page-size", "3", "--json"] : ["list", "--page-size", "3", "--json", "--cursor", cursor])).ShouldSucceed().Json();
            seen.AddRange(json.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
            cursor = json.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : json.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(ids, seen);

        var filtered = (await _cli.RunAsync("list", "--subject", "nobody")).ShouldSucceed();
        Assert.Equal("no memories match", filtered.Out.Trim());
    }

    [Fact]
    public async Task Json_output_parses_for_every_command()
    {
        var remember = (await _cli.RunAsync("remember", "Ana prefers oat milk", "--subject", "ana", "--json", "--scope", "team:kitchen", "--agent", "barista")).ShouldSucceed().Json();
        Assert.Equal("created", remember.GetProperty("outcome").GetString());
        var id = remember.GetProperty("id").GetGuid();
        Assert.Equal("team", remember.GetProperty("record").GetProperty("scope").GetProperty("kind").GetString());
        Assert.Equal("barista", remember.GetProperty("record").GetProperty("scope").GetProperty("agent").GetString());

        var recall = (await _cli.RunAsync("recall", "oat", "--subject", "ana", "--json")).ShouldSucceed().Json();
        var hit = Assert.Single(recall.GetProperty("results").EnumerateArray());
        Assert.Equal(id, hit.GetProperty("record").GetProperty("id").GetGuid());
        Assert.True(hit.GetProperty("score").GetDouble() > 0);
        Assert.Equal(1, hit.GetProperty("breakdown").GetProperty("lexical_rank").GetInt32());

        Assert.Equal(id, Assert.Single(Ids((await _cli.RunAsync("list", "--json", "--scope", "team:kitchen")).ShouldSucceed())));
        Assert.Empty(Ids((await _cli.RunAsync("list", "--json", "--scope", "team:bar")).ShouldSucceed()));
        Assert.Equal(id, (await _cli.RunAsync("show", id.ToString(), "--json")).ShouldSucceed().Json().GetProperty("id").GetGuid());
        var history = (await _cli.RunAsync("history", id.ToString(), "--json")).ShouldSucceed().Json();
        Assert.Equal("created", Assert.Single(history.GetProperty("events").EnumerateArray()).GetProperty("event_type").GetString());
        Assert.True((await _cli.RunAsync("verify", "--json")).ShouldSucceed().Json().GetProperty("is_valid").GetBoolean());

        var file = _cli.NewFilePath();
        Assert.Equal(1, (await _cli.RunAsync("export", "-o", file, "--json")).ShouldSucceed().Json().GetProperty("events").GetInt64());
        Assert.Equal(1, (await CliRunner.RunOnAsync(_cli.NewStorePath(), "import", file, "--json")).ShouldSucceed().Json().GetProperty("objects").GetInt64());

        var forget = (await _cli.RunAsync("forget", id.ToString(), "--reason", "test", "--json")).ShouldSucceed().Json();
        Assert.Equal("deleted", forget.GetProperty("status").GetString());

        var error = (await _cli.RunAsync("show", Guid.NewGuid().ToString(), "--json")).ShouldFail(ExitCodes.NotFound).Json().GetProperty("error");
        Assert.Equal("not_found", error.GetProperty("code").GetString());
        Assert.Equal(ExitCodes.NotFound, error.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task Remember_records_actor_scope_validity_and_time_to_live()
    {
        var json = (await _cli.RunAsync(
            "remember", "Ana ran the Lisbon marathon", "--subject", "ana", "--type", "event", "--actor", "agent:planner",
            "--valid-from", "2023-05-07T09:00:00Z", "--ttl", "1d12h", "--salience", "0.8", "--session", "s-1",
            "--reason", "told in chat", "--json")).ShouldSucceed().Json().GetProperty("record");
        Assert.Equal("agent", json.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal("planner", json.GetProperty("actor").GetProperty("id").GetString());
        Assert.Equal(new DateTimeOffset(2023, 5, 7, 9, 0, 0, TimeSpan.Zero), json.GetProperty("valid_from").GetDateTimeOffset());
        Assert.Equal(0.8, json.GetProperty("salience").GetDouble());
        Assert.Equal("s-1", json.GetProperty("scope").GetProperty("session").GetString());

        // Valid from 2023 with a 36-hour time to live: already expired, so the default list leaves it out.
        var id = json.GetProperty("id").GetGuid();
        Assert.DoesNotContain(id.ToString(), (await _cli.RunAsync("list")).ShouldSucceed().Out, StringComparison.Ordinal);
        var show = (await _cli.RunAsync("show", id.ToString())).ShouldSucceed();
        Assert.Contains("ttl             1d12h", show.Out, StringComparison.Ordinal);
        Assert.Contains("past its time to live", show.Out, StringComparison.Ordinal);
        Assert.Contains("agent:planner", show.Out, StringComparison.Ordinal);
        Assert.Contains("told in chat", (await _cli.RunAsync("history", id.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_are_isolated_and_default_to_the_default_tenant()
    {
        var id = await _cli.RememberAsync("Ana prefers oat milk", "ana", "--tenant", "acme");
        Assert.Contains(id.ToString(), (await _cli.RunAsync("list", "--tenant", "acme")).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Equal("no memories match", (await _cli.RunAsync("list")).ShouldSucceed().Out.Trim());
        (await _cli.RunAsync("show", id.ToString())).ShouldFail(ExitCodes.NotFound);
        (await _cli.RunAsync("show", id.ToString(), "--tenant", "acme")).ShouldSucceed();
    }

    internal static List<Guid> Ids(CliResult list) =>
        list.Json().GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();
}
