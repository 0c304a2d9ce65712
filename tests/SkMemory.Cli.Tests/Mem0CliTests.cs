using System.Text.Json;
using SkMemory.Mem0.Emulator;
using SkMemory.Postgres.Tests;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The CLI on Mem0 stores (<c>--store mem0:&lt;url&gt;</c>), <c>skmem reconcile</c> and <c>skmem migrate</c>, against the in-process Mem0 emulator.</summary>
public sealed class Mem0CliTests(PostgresFixture postgres) : IDisposable
{
    // The object properties a migration must carry unchanged, whichever stores it passes through.
    private static readonly string[] ComparedProperties = ["id", "tenant", "type", "scope", "subject", "value", "provenance", "metadata", "content_hash", "status", "confidence", "salience", "actor"];

    private readonly CliRunner _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("platform")]
    [InlineData("oss")]
    public async Task Remember_recall_and_forget_on_a_mem0_store(string flavor)
    {
        await using var emu = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions(), TestContext.Current.CancellationToken);
        var mirror = _files.NewStorePath();
        Task<CliResult> Run(params string[] args) => RunMem0Async(emu, flavor, mirror, args);

        var id = (await Run("remember", "Ana prefers oat milk in her coffee", "--subject", "ana", "--type", "preference", "--json")).ShouldSucceed().Json().GetProperty("id").GetGuid();
        (await Run("remember", "Ana lives in Lisbon", "--subject", "ana")).ShouldSucceed();
        Assert.Equal(2, emu.MemoryCount);

        var recall = (await Run("recall", "oat milk", "--subject", "ana", "--json")).ShouldSucceed().Json().GetProperty("results");
        Assert.Equal(id, recall[0].GetProperty("record").GetProperty("id").GetGuid());
        var text = (await Run("recall", "oat milk", "--subject", "ana", "--mode", "text", "--json")).ShouldSucceed().Json().GetProperty("results");
        Assert.Equal(id, text[0].GetProperty("record").GetProperty("id").GetGuid());
        Assert.Contains("oat milk", (await Run("show", id.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Contains("Ana lives in Lisbon", (await Run("list")).ShouldSucceed().Out, StringComparison.Ordinal);

        (await Run("forget", id.ToString(), "--reason", "switched to soy")).ShouldSucceed();
        Assert.Equal(1, emu.MemoryCount);
        var after = (await Run("recall", "oat milk coffee", "--subject", "ana", "--json")).ShouldSucceed().Json().GetProperty("results");
        Assert.DoesNotContain(after.EnumerateArray(), r => r.GetProperty("record").GetProperty("id").GetGuid() == id);
        Assert.Contains("deleted", (await Run("history", id.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Equal("chain verified: 3 events in 1 tenant", (await Run("verify")).ShouldSucceed().Out.Trim());

        var reconcile = (await Run("reconcile", "--json")).ShouldSucceed().Json();
        Assert.True(reconcile.GetProperty("in_sync").GetBoolean());
        Assert.Equal(0, reconcile.GetProperty("pushed").GetInt64());
    }

    [Fact]
    public async Task A_mem0_outage_on_remember_keeps_the_memory_and_reconcile_pushes_it()
    {
        await using var emu = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions(), TestContext.Current.CancellationToken);
        var mirror = _files.NewStorePath();
        Task<CliResult> Run(params string[] args) => RunMem0Async(emu, "platform", mirror, args);

        emu.InjectFault(new Mem0EmulatorFault(503), times: 100);
        var failed = (await Run("remember", "Ana prefers oat milk", "--subject", "ana")).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains("canonical log", failed.Error, StringComparison.Ordinal);
        Assert.Contains("skmem reconcile", failed.Error, StringComparison.Ordinal);
        Assert.Equal(0, emu.MemoryCount);

        // The memory is in the mirror: reads work during the outage.
        Assert.Contains("Ana prefers oat milk", (await Run("list")).ShouldSucceed().Out, StringComparison.Ordinal);

        // Reconcile while Mem0 is still down: the memory stays marked, exit code 5 or 7, never a silent success.
        var stillDown = await Run("reconcile");
        Assert.True(stillDown.ExitCode is ExitCodes.VerifyFailed or ExitCodes.StoreUnavailable, stillDown.All);
        Assert.Contains("hint: ", stillDown.Error, StringComparison.Ordinal);

        emu.Reset();
        var reconcile = (await Run("reconcile")).ShouldSucceed();
        Assert.Matches(@"pushed to Mem0\s+1", reconcile.Out);
        Assert.Contains("in sync", reconcile.Out, StringComparison.Ordinal);
        Assert.Equal(1, emu.MemoryCount);

        var again = (await Run("reconcile", "--json")).ShouldSucceed().Json();
        Assert.Equal(0, again.GetProperty("pushed").GetInt64());
        Assert.Equal(1, again.GetProperty("checked_in_mirror").GetInt64());
    }

    [Fact]
    public async Task Migrate_embedded_to_mem0_and_back_through_a_new_mirror_keeps_every_record()
    {
        await using var emu = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions(), TestContext.Current.CancellationToken);
        var first = _files.NewStorePath();
        await RememberAsync(first, "Ana prefers oat milk in her coffee", "ana", "--type", "preference", "--meta", "source=chat");
        await RememberAsync(first, "The planner agent books trains, not planes", "ana", "--agent", "planner");
        await RememberAsync(first, "Bo works at the harbour", "bo", "--tenant", "acme");

        var toMem0 = (await MigrateAsync(emu, "platform", ["--from", first, "--to", Mem0Spec(emu), "--to-mirror", _files.NewStorePath(), "--json"])).ShouldSucceed();
        var pushed = toMem0.Json();
        Assert.Equal(["acme", "default"], pushed.GetProperty("tenants").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(3, pushed.GetProperty("memories").GetInt64());
        Assert.Equal(3, pushed.GetProperty("pushed_to_mem0").GetInt64());
        Assert.Equal(3, emu.MemoryCount);
        Assert.Contains("import tenant default: 2 events", toMem0.Error, StringComparison.Ordinal);
        Assert.Contains("push tenant default: 2 memories to Mem0", toMem0.Error, StringComparison.Ordinal);
        Assert.Contains("verify tenant default", toMem0.Error, StringComparison.Ordinal);

        // The second leg reads through a new, empty mirror: everything must come out of Mem0.
        var last = _files.NewStorePath();
        var back = (await MigrateAsync(emu, "platform", ["--from", Mem0Spec(emu), "--from-mirror", _files.NewStorePath(), "--to", last, "--json"])).ShouldSucceed().Json();
        Assert.Equal(3, back.GetProperty("adopted_from_mem0").GetInt64());
        Assert.Equal(0, back.GetProperty("pushed_to_mem0").GetInt64());

        Assert.Equal(await ExportedObjectsAsync(first), await ExportedObjectsAsync(last));
        Assert.Equal("chain verified", (await CliRunner.RunOnAsync(last, "verify")).ShouldSucceed().Out.Trim()[..14]);
    }

    [Fact]
    public async Task Migrate_twice_resumes_and_changes_nothing()
    {
        var source = _files.NewStorePath();
        await RememberAsync(source, "Ana prefers oat milk", "ana");
        await RememberAsync(source, "Ana lives in Lisbon", "ana");
        var target = _files.NewStorePath();

        var once = (await CliRunner.RunOnAsync(null, "migrate", "--from", source, "--to", target)).ShouldSucceed();
        Assert.Matches(@"tenants\s+default", once.Out);
        Assert.Matches(@"resumed\s+none", once.Out);
        Assert.Matches(@"events imported\s+2", once.Out);

        var twice = (await CliRunner.RunOnAsync(null, "migrate", "--from", source, "--to", target, "--json")).ShouldSucceed();
        var json = twice.Json();
        Assert.Equal("default", Assert.Single(json.GetProperty("resumed").EnumerateArray()).GetString());
        Assert.Equal(0, json.GetProperty("events").GetInt64());
        Assert.Contains("already imported by an earlier run", twice.Error, StringComparison.Ordinal);
        Assert.Equal(await ExportedObjectsAsync(source), await ExportedObjectsAsync(target));
        Assert.Equal("chain verified: 2 events in 1 tenant", (await CliRunner.RunOnAsync(target, "verify")).ShouldSucceed().Out.Trim());
    }

    [Fact]
    public async Task Migrate_embedded_to_postgres_and_mem0_with_a_postgres_mirror()
    {
        await using var emu = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions(), TestContext.Current.CancellationToken);
        var source = _files.NewStorePath();
        await RememberAsync(source, "Ana prefers oat milk", "ana");
        await RememberAsync(source, "Bo works at the harbour", "bo", "--tenant", "acme");

        var schema = postgres.NewSchema();
        var result = (await CliRunner.RunOnAsync(null, "migrate", "--from", source, "--to", postgres.ConnectionString, "--to-schema", schema, "--json")).ShouldSucceed().Json();
        Assert.Equal(2, result.GetProperty("tenants").GetArrayLength());
        Assert.Equal(await ExportedObjectsAsync(source), await ExportedObjectsAsync(postgres.ConnectionString, "--schema", schema));

        // Postgres → Mem0 whose mirror is another Postgres schema (--schema applies to the PostgreSQL side or mirror).
        var mirrorSchema = postgres.NewSchema();
        var toMem0 = (await MigrateAsync(emu, "oss", ["--from", postgres.ConnectionString, "--from-schema", schema, "--to", Mem0Spec(emu), "--to-mirror", postgres.ConnectionString, "--to-schema", mirrorSchema, "--json"])).ShouldSucceed().Json();
        Assert.Equal(2, toMem0.GetProperty("pushed_to_mem0").GetInt64());
        Assert.Equal(2, emu.MemoryCount);
        var list = (await RunMem0Async(emu, "oss", postgres.ConnectionString, ["list", "--tenant", "acme", "--schema", mirrorSchema])).ShouldSucceed();
        Assert.Contains("Bo works at the harbour", list.Out, StringComparison.Ordinal);

        // forget --purge finds its signing key by resolving --store itself: --mirror and --schema must reach it too.
        var bo = Assert.Single(SqliteWorkflowTests.Ids((await RunMem0Async(emu, "oss", postgres.ConnectionString, ["list", "--tenant", "acme", "--json", "--schema", mirrorSchema])).ShouldSucceed()));
        (await RunMem0Async(emu, "oss", postgres.ConnectionString, ["forget", bo.ToString(), "--tenant", "acme", "--purge", "--reason", "erasure request", "--schema", mirrorSchema])).ShouldSucceed();
        Assert.Equal(1, emu.MemoryCount);
    }

    [Fact]
    public async Task Bad_mem0_inputs_exit_2_with_a_hint()
    {
        var bad = (await WithMem0EnvironmentAsync("key", () => CliRunner.RunOnAsync("mem0:notaurl", "list"))).ShouldFail(ExitCodes.Usage);
        Assert.Contains("not an absolute http or https address", bad.Error, StringComparison.Ordinal);

        var noKey = (await WithMem0EnvironmentAsync(null, () => CliRunner.RunOnAsync("mem0:http://127.0.0.1:9/", "list", "--mirror", _files.NewStorePath()))).ShouldFail(ExitCodes.Usage);
        Assert.Contains("MEM0_API_KEY", noKey.Error, StringComparison.Ordinal);
        Assert.Contains("hint: set MEM0_API_KEY", noKey.Error, StringComparison.Ordinal);

        var flavor = (await WithMem0EnvironmentAsync("key", () => CliRunner.RunOnAsync("mem0:http://127.0.0.1:9/", "list", "--mem0-flavor", "cloud"))).ShouldFail(ExitCodes.Usage);
        Assert.Contains("--mem0-flavor oss", flavor.Error, StringComparison.Ordinal);

        var mirrorIsMem0 = (await WithMem0EnvironmentAsync("key", () => CliRunner.RunOnAsync("mem0:http://127.0.0.1:9/", "list", "--mirror", "mem0:http://127.0.0.1:10/"))).ShouldFail(ExitCodes.Usage);
        Assert.Contains("mirror", mirrorIsMem0.Error, StringComparison.Ordinal);

        var reconcile = (await _files.RunAsync("reconcile")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("reconcile works on a Mem0 store", reconcile.Error, StringComparison.Ordinal);
        Assert.Contains("--store mem0:", reconcile.Error, StringComparison.Ordinal);

        var same = (await CliRunner.RunOnAsync(null, "migrate", "--from", _files.StorePath, "--to", _files.StorePath)).ShouldFail(ExitCodes.Usage);
        Assert.Contains("the same store", same.Error, StringComparison.Ordinal);

        var missing = (await CliRunner.RunOnAsync(null, "migrate", "--from", _files.NewStorePath(), "--to", _files.NewStorePath())).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains("there is no SkMemory database", missing.Error, StringComparison.Ordinal);

        var notOperator = (await CliRunner.RunOnAsync(null, "migrate", "--from", _files.StorePath, "--to", _files.NewStorePath(), "--as", "user:ana")).ShouldFail(ExitCodes.Denied);
        Assert.Contains(MemoryRoles.Operator, notOperator.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_key_and_an_unreachable_mem0_are_reported_clearly()
    {
        await using var emu = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions(), TestContext.Current.CancellationToken);
        var mirror = _files.NewStorePath();
        var rejected = (await WithMem0EnvironmentAsync("m0-wrong-key", () => CliRunner.RunOnAsync(Mem0Spec(emu), "recall", "oat milk", "--subject", "ana", "--mirror", mirror))).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains("Mem0 rejected the API key", rejected.Error, StringComparison.Ordinal);
        Assert.Contains("hint: set MEM0_API_KEY", rejected.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("m0-wrong-key", rejected.All, StringComparison.Ordinal);

        var port = SkMemory.Tests.TestPorts.Free();
        var down = (await WithMem0EnvironmentAsync(emu.Options.PlatformApiKey, () => CliRunner.RunOnAsync($"mem0:http://127.0.0.1:{port}/", "recall", "oat milk", "--subject", "ana", "--mirror", mirror, "--json"))).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Equal("mem0_unavailable", down.Json().GetProperty("error").GetProperty("code").GetString());
        Assert.Contains($"127.0.0.1:{port}", down.Error, StringComparison.Ordinal);
    }

    private static string Mem0Spec(Mem0Emulator emu) => "mem0:" + emu.BaseAddress.AbsoluteUri;

    private static Task<CliResult> RunMem0Async(Mem0Emulator emu, string flavor, string mirror, string[] args) =>
        WithMem0EnvironmentAsync(
            flavor == "oss" ? emu.Options.ServerAdminKey : emu.Options.PlatformApiKey,
            () => CliRunner.RunOnAsync(Mem0Spec(emu), [.. args, "--mem0-flavor", flavor, "--mirror", mirror]));

    private static Task<CliResult> MigrateAsync(Mem0Emulator emu, string flavor, string[] args) =>
        WithMem0EnvironmentAsync(
            flavor == "oss" ? emu.Options.ServerAdminKey : emu.Options.PlatformApiKey,
            () => CliRunner.RunOnAsync(null, ["migrate", .. args, "--mem0-flavor", flavor]));

    private static async Task RememberAsync(string store, string text, string subject, params string[] extra) =>
        (await CliRunner.RunOnAsync(store, ["remember", text, "--subject", subject, "--embedder", "none", .. extra])).ShouldSucceed();

    /// <summary>The exported objects' lasting properties, sorted by id: what a migration must carry unchanged.</summary>
    private static async Task<List<string>> ExportedObjectsAsync(string store, params string[] extra)
    {
        var export = (await CliRunner.RunOnAsync(store, ["export", .. extra])).ShouldSucceed();
        var objects = new List<string>();
        foreach (var line in export.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("kind").GetString() != "object")
            {
                continue;
            }

            var record = document.RootElement.GetProperty("record");
            objects.Add(string.Join('|', ComparedProperties.Select(p => record.TryGetProperty(p, out var value) ? $"{p}={value.GetRawText()}" : $"{p}=(none)")));
        }

        objects.Sort(StringComparer.Ordinal);
        return objects;
    }

    private static async Task<CliResult> WithMem0EnvironmentAsync(string? apiKey, Func<Task<CliResult>> run)
    {
        // Only this class's tests read these variables, and xUnit runs a class's tests one at a time. One attempt per call
        // keeps the outage tests fast.
        (string Name, string? Value)[] variables = [("MEM0_API_KEY", apiKey), ("SKMEMORY_MEM0_MAX_RETRIES", "0"), ("SKMEMORY_MEM0_FLAVOR", null), ("SKMEMORY_MEM0_MIRROR", null)];
        var saved = variables.Select(v => (v.Name, Value: Environment.GetEnvironmentVariable(v.Name))).ToList();
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            return await run();
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
