using System.Text.Json;
using SkMemory.Mem0.Emulator;
using SkMemory.Postgres.Tests;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>
/// <c>skmem eval</c> end to end: a small generated dataset with the hashing embedder (no model to load) on a temporary SQLite
/// file, PostgreSQL and the Mem0 emulator; the SLO gate's exit code; multi-configuration comparison; reports; bad input.
/// Set SKMEMORY_EVAL_REPORTS to a folder to run the Postgres and Mem0 legs on the built-in suite with MiniLM and keep their
/// reports there (how evals/reports is produced).
/// </summary>
public sealed class EvalCommandTests(PostgresFixture postgres) : IDisposable
{
    private const string ReportsVariable = "SKMEMORY_EVAL_REPORTS";

    private readonly CliRunner _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Generate_WritesADeterministicDataset()
    {
        var first = _files.NewFilePath();
        var second = _files.NewFilePath();

        var result = (await CliRunner.RunOnAsync(null, "eval", "generate", "--users", "3", "--seed", "5", "-o", first, "--json")).ShouldSucceed().Json();
        (await CliRunner.RunOnAsync(null, "eval", "generate", "--users", "3", "--seed", "5", "-o", second)).ShouldSucceed();

        Assert.Equal(3, result.GetProperty("users").GetInt32());
        Assert.Equal(3, (await File.ReadAllLinesAsync(first, Ct)).Count(l => l.Length > 0));
        Assert.Equal(await File.ReadAllTextAsync(first, Ct), await File.ReadAllTextAsync(second, Ct));
        (await CliRunner.RunOnAsync(null, "eval", "generate", "--users", "0", "-o", first)).ShouldFail(ExitCodes.Usage);
    }

    [Fact]
    public async Task Eval_WithoutStore_RunsOnATemporaryFileAndReportsEveryMetric()
    {
        var dataset = await DatasetAsync(users: 4);

        var result = (await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--embedder", "hashing", "--json")).ShouldSucceed();

        Assert.Contains("a fresh temporary file", result.Error, StringComparison.Ordinal);
        var json = result.Json();
        Assert.Equal("embedded (SQLite)", json.GetProperty("backend").GetString());
        Assert.Equal(4, json.GetProperty("users").GetInt32());
        var configuration = json.GetProperty("configuration");
        Assert.Equal(("offline-hashing", "rules", "hash-bow-256"), (configuration.GetProperty("name").GetString(), configuration.GetProperty("extractor").GetString(), configuration.GetProperty("embedder").GetString()));
        var overall = json.GetProperty("overall");
        foreach (var metric in new[] { "recall", "precision", "leakage" })
        {
            var value = overall.GetProperty(metric).GetProperty("value").GetDouble();
            Assert.InRange(value, 0, 1);
            Assert.True(overall.GetProperty(metric).GetProperty("samples").GetInt32() > 0, metric);
        }

        Assert.Equal(0, overall.GetProperty("leakage").GetProperty("value").GetDouble());
        Assert.NotEmpty(json.GetProperty("queries").EnumerateArray());
    }

    [Fact]
    public async Task Eval_Slo_MissedOrUnmeasuredObjective_ExitsWithTheTable()
    {
        var dataset = await DatasetAsync(users: 3);
        var passing = await FileAsync("""{"version":1,"objectives":[{"metric":"leakage","max":0,"measured":"0"},{"metric":"recall","min":0}]}""");
        var missed = await FileAsync("""{"version":1,"objectives":[{"metric":"leakage","max":0},{"metric":"recall","min":2}]}""");
        var unmeasured = await FileAsync("""{"version":1,"objectives":[{"metric":"recall","task":"no-such-task","min":0}]}""");

        var pass = (await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--embedder", "hashing", "--slo", passing)).ShouldSucceed();
        var fail = await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--embedder", "hashing", "--slo", missed);
        var notMeasured = await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--embedder", "hashing", "--slo", unmeasured);

        Assert.Contains("PASS: 2/2 objectives met", pass.Out, StringComparison.Ordinal);
        Assert.Matches(@"leakage\s+0\s+<= 0\s+\d+\s+pass", pass.Out);
        Assert.Equal(ExitCodes.SloMissed, fail.ExitCode);
        Assert.Matches(@"recall\s+[0-9.]+\s+>= 2\s+\d+\s+FAIL", fail.Out);
        Assert.Contains("error: FAIL: 1/2 objectives met, 1 missed", fail.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.SloMissed, notMeasured.ExitCode);
        Assert.Contains("NOT MEASURED", notMeasured.Out, StringComparison.Ordinal);
        Assert.Contains("recall [task=no-such-task]", notMeasured.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_Configs_ComparesSideBySide_SkipsUnconfiguredChatModels_AndWritesReports()
    {
        var dataset = await DatasetAsync(users: 3);
        var configs = await FileAsync("""
            {
              "version": 1,
              "configurations": [
                { "name": "hashing", "extractor": "rules", "embedder": "hashing" },
                { "name": "text-only", "extractor": "rules", "embedder": "none" },
                { "name": "remote", "extractor": "chat", "chat_model": "openai:${SKMEMORY_TEST_UNSET_MODEL}", "embedder": "minilm", "requires": ["SKMEMORY_TEST_UNSET_MODEL"] }
              ]
            }
            """);
        var reports = Path.Combine(_files.Folder, "reports");

        var result = (await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--configs", configs, "--report", reports)).ShouldSucceed();

        Assert.Matches(@"metric\s+hashing \(baseline\)\s+text-only", result.Out);
        Assert.Matches(@"recall\s+[0-9.]+\s+[0-9.]+ \([+-]?[0-9.]+\)", result.Out);
        Assert.Matches(@"ranking_stability\s+1\s+[0-9.]+", result.Out);
        Assert.Contains("skipped remote: $SKMEMORY_TEST_UNSET_MODEL is not set", result.Out, StringComparison.Ordinal);
        Assert.Contains("skipping remote", result.Error, StringComparison.Ordinal);
        var files = Directory.GetFiles(reports).Select(Path.GetFileName).ToList();
        Assert.Contains("eval-hashing-embedded-sqlite.md", files);
        Assert.Contains("eval-text-only-embedded-sqlite.json", files);
        Assert.Contains("eval-comparison-embedded-sqlite.md", files);
        Assert.Contains("eval-chart-recall.svg", files);
        using var comparison = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "eval-comparison-embedded-sqlite.json"), Ct));
        var second = comparison.RootElement.GetProperty("configurations")[1];
        Assert.Equal("none", second.GetProperty("embedder").GetString());
        Assert.InRange(second.GetProperty("memory_stability").GetProperty("value").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task Eval_ChatModel_ExtractsThroughAnOpenAICompatibleServer()
    {
        var dataset = await DatasetAsync(users: 2);
        await using var server = FakeOpenAIChatServer.Start(_ => """{"memories":[]}""");

        var json = (await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--embedder", "hashing", "--chat-model", $"openai:fake-model@{server.BaseUrl}", "--json")).ShouldSucceed().Json();

        Assert.True(server.RequestCount > 0);
        var configuration = json.GetProperty("configuration");
        Assert.Equal(("chat-fake-model", "chat:fake-model", "fake-model"), (configuration.GetProperty("name").GetString(), configuration.GetProperty("extractor").GetString(), configuration.GetProperty("chat_model").GetString()));
    }

    [Fact]
    public async Task Eval_Configs_ExpandsVariablesIntoAChatModelConfiguration()
    {
        // How the Azure OpenAI entry of evals/configs.json works: the endpoint comes from a variable, the key from another.
        var dataset = await DatasetAsync(users: 2);
        await using var server = FakeOpenAIChatServer.Start(_ => """{"memories":[]}""");
        var configs = await FileAsync("""
            {
              "version": 1,
              "configurations": [
                { "name": "deployment", "extractor": "chat", "chat_model": "openai:my-deployment@${SKMEMORY_TEST_EVAL_ENDPOINT}", "api_key_variable": "SKMEMORY_TEST_EVAL_KEY",
                  "embedder": "hashing", "requires": ["SKMEMORY_TEST_EVAL_ENDPOINT"] }
              ]
            }
            """);
        Environment.SetEnvironmentVariable("SKMEMORY_TEST_EVAL_ENDPOINT", server.BaseUrl);
        Environment.SetEnvironmentVariable("SKMEMORY_TEST_EVAL_KEY", "test-key");
        CliResult result;
        try
        {
            result = await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--configs", configs, "--json");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SKMEMORY_TEST_EVAL_ENDPOINT", null);
            Environment.SetEnvironmentVariable("SKMEMORY_TEST_EVAL_KEY", null);
        }

        var json = result.ShouldSucceed().Json();
        Assert.True(server.RequestCount > 0);
        var configuration = json.GetProperty("configurations")[0];
        Assert.Equal(("deployment", "chat:my-deployment", "my-deployment"), (configuration.GetProperty("name").GetString(), configuration.GetProperty("extractor").GetString(), configuration.GetProperty("chat_model").GetString()));
        Assert.Empty(json.GetProperty("skipped").EnumerateArray());

        // Without the key's variable the configuration is skipped, and with nothing left to run the command says so.
        var skipped = (await CliRunner.RunOnAsync(null, "eval", "--dataset", dataset, "--configs", configs)).ShouldFail(ExitCodes.Usage);
        Assert.Contains("every configuration was skipped: deployment: $SKMEMORY_TEST_EVAL_ENDPOINT, $SKMEMORY_TEST_EVAL_KEY are not set", skipped.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_OnPostgres_ReportsThePostgresBackend()
    {
        var reports = Environment.GetEnvironmentVariable(ReportsVariable);
        string[] suite = reports is null ? ["--dataset", await DatasetAsync(users: 3), "--embedder", "hashing"] : ["--embedder", "minilm", "--report", reports];

        var json = (await CliRunner.RunOnAsync(postgres.ConnectionString, ["eval", .. suite, "--schema", postgres.NewSchema(), "--json"])).ShouldSucceed().Json();

        Assert.Equal("postgres", json.GetProperty("backend").GetString());
        Assert.Equal(0, json.GetProperty("overall").GetProperty("leakage").GetProperty("value").GetDouble());
        Assert.True(json.GetProperty("overall").GetProperty("recall").GetProperty("samples").GetInt32() > 0);
    }

    [Fact]
    public async Task Eval_OnTheMem0Emulator_ReportsTheMem0Backend()
    {
        // The Platform flavor: the self-hosted server's search needs a user, agent or run, and the leakage probes search a
        // whole tenant (the Platform scopes by tenant through app_id).
        await using var emu = await Mem0Emulator.StartAsync(new Mem0EmulatorOptions(), Ct);
        var reports = Environment.GetEnvironmentVariable(ReportsVariable);
        string[] suite = reports is null ? ["--dataset", await DatasetAsync(users: 3), "--embedder", "hashing"] : ["--embedder", "minilm", "--report", reports];
        var saved = Environment.GetEnvironmentVariable("MEM0_API_KEY");
        Environment.SetEnvironmentVariable("MEM0_API_KEY", emu.Options.PlatformApiKey);
        CliResult result;
        try
        {
            result = await CliRunner.RunOnAsync(
                "mem0:" + emu.BaseAddress.AbsoluteUri,
                ["eval", .. suite, "--mem0-flavor", "platform", "--mirror", _files.NewStorePath(), "--backend-label", "mem0 emulator (platform)", "--json"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MEM0_API_KEY", saved);
        }

        var json = result.ShouldSucceed().Json();
        Assert.Equal("mem0 emulator (platform)", json.GetProperty("backend").GetString());
        Assert.True(emu.MemoryCount > 0);
        Assert.Equal(0, json.GetProperty("overall").GetProperty("leakage").GetProperty("value").GetDouble());
        Assert.True(json.GetProperty("overall").GetProperty("recall").GetProperty("samples").GetInt32() > 0);
    }

    [Theory]
    [InlineData("--slo", "missing.json", "slo", "does not exist")]
    [InlineData("--configs", "missing.json", "configs", "does not exist")]
    [InlineData("--configs", "no-such-configuration", "configs", "evals/configs.json")]
    [InlineData("--dataset", "missing.jsonl", "dataset", "does not exist")]
    [InlineData("--top", "0", "top", "out of range")]
    [InlineData("--budget", "10", "budget", "out of range")]
    [InlineData("--embedder", "hashed", "embedder", "unknown embedder")]
    [InlineData("--chat-model", "gpt-4o", "chat_model", "unknown chat model")]
    public async Task Eval_BadInput_ExitsTwoNamingTheOption(string option, string value, string field, string problem)
    {
        var result = (await CliRunner.RunOnAsync(null, "eval", option, Path.IsPathRooted(value) || !value.EndsWith("json", StringComparison.Ordinal) && !value.EndsWith("jsonl", StringComparison.Ordinal) ? value : Path.Combine(_files.Folder, value))).ShouldFail(ExitCodes.Usage);

        Assert.Contains($"error: {field}", result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_BadFiles_ExitTwoNamingTheProblem()
    {
        var badSlo = await FileAsync("""{"version":1,"objectives":[{"metric":"recal","min":1}]}""");
        var badConfigs = await FileAsync("""{"version":1,"configurations":[{"name":"x","extractor":"chat","embedder":"minilm"}]}""");
        var unlisted = await FileAsync("""{"version":1,"configurations":[{"name":"x","extractor":"chat","chat_model":"ollama:${MODEL}"}]}""");

        Assert.Contains("unknown metric \"recal\"", (await CliRunner.RunOnAsync(null, "eval", "--slo", badSlo)).ShouldFail(ExitCodes.Usage).Error, StringComparison.Ordinal);
        Assert.Contains("a chat extractor needs \"chat_model\"", (await CliRunner.RunOnAsync(null, "eval", "--configs", badConfigs)).ShouldFail(ExitCodes.Usage).Error, StringComparison.Ordinal);
        Assert.Contains("uses ${MODEL} without listing MODEL under \"requires\"", (await CliRunner.RunOnAsync(null, "eval", "--configs", unlisted)).ShouldFail(ExitCodes.Usage).Error, StringComparison.Ordinal);
        Assert.Contains("leave out --chat-model and --embedder with --configs", (await CliRunner.RunOnAsync(null, "eval", "--configs", badConfigs, "--embedder", "none")).ShouldFail(ExitCodes.Usage).Error, StringComparison.Ordinal);
    }

    private async Task<string> DatasetAsync(int users)
    {
        var path = _files.NewFilePath();
        (await CliRunner.RunOnAsync(null, "eval", "generate", "--users", users.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "11", "-o", path)).ShouldSucceed();
        return path;
    }

    private async Task<string> FileAsync(string text)
    {
        var path = _files.NewFilePath(".json");
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }
}
