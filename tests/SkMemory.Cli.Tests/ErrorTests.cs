using SkMemory.Tests;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>Bad input and unreachable stores: the message names the problem, a hint follows, and the exit code says which.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Confidence_out_of_range_exits_2_naming_confidence()
    {
        var result = (await _cli.RunAsync("remember", "Ana prefers tea", "--subject", "ana", "--confidence", "2")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: confidence:", result.Error, StringComparison.Ordinal);
        Assert.Contains("--confidence", result.Error, StringComparison.Ordinal);
        Assert.Equal("confidence", (await _cli.RunAsync("remember", "x", "--subject", "ana", "--confidence", "2", "--json")).Json().GetProperty("error").GetProperty("field").GetString());
    }

    [Fact]
    public async Task Unknown_type_exits_2_naming_type()
    {
        var result = (await _cli.RunAsync("remember", "Ana prefers tea", "--subject", "ana", "--type", "opinion")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: type:", result.Error, StringComparison.Ordinal);
        Assert.Contains("opinion", result.Error, StringComparison.Ordinal);
        Assert.Contains("preference", result.Error, StringComparison.Ordinal);

        (await _cli.RunAsync("list", "--type", "opinion")).ShouldFail(ExitCodes.Usage);
    }

    [Fact]
    public async Task Unknown_id_exits_3_and_a_malformed_id_exits_2()
    {
        await _cli.RememberAsync("Ana prefers oat milk");
        var missing = Guid.NewGuid().ToString();
        var show = (await _cli.RunAsync("show", missing)).ShouldFail(ExitCodes.NotFound);
        Assert.Contains(missing, show.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("history", missing)).ShouldFail(ExitCodes.NotFound);
        (await _cli.RunAsync("forget", missing, "--reason", "gone")).ShouldFail(ExitCodes.NotFound);

        var malformed = (await _cli.RunAsync("show", "not-an-id")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: id:", malformed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--ttl", "30x", "ttl")]
    [InlineData("--ttl", "0d", "ttl")]
    [InlineData("--meta", "novalue", "metadata")]
    [InlineData("--actor", "robot:r2", "actor.kind")]
    [InlineData("--actor", "ana", "actor")]
    [InlineData("--scope", "galaxy", "scope")]
    [InlineData("--valid-from", "yesterday-ish", "valid_from")]
    [InlineData("--salience", "-1", "salience")]
    [InlineData("--idempotency-key", " ", "idempotency_key")]
    public async Task Invalid_remember_values_exit_2_naming_the_field(string option, string value, string field)
    {
        var result = (await _cli.RunAsync("remember", "Ana prefers tea", "--subject", "ana", option, value)).ShouldFail(ExitCodes.Usage);
        Assert.Contains($"error: {field}:", result.Error, StringComparison.Ordinal);
        Assert.Equal(field, (await _cli.RunAsync("remember", "Ana prefers tea", "--subject", "ana", option, value, "--json")).Json().GetProperty("error").GetProperty("field").GetString());
    }

    [Fact]
    public async Task Invalid_values_are_rejected_before_the_store_file_is_created()
    {
        var path = _cli.NewStorePath();
        (await CliRunner.RunOnAsync(path, "remember", "x", "--subject", "ana", "--ttl", "soon")).ShouldFail(ExitCodes.Usage);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Parse_errors_exit_2_with_a_hint_to_the_help()
    {
        await _cli.RememberAsync("Ana prefers oat milk");
        var missingSubject = (await _cli.RunAsync("remember", "Ana prefers tea")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("--subject", missingSubject.Error, StringComparison.Ordinal);
        Assert.Contains("skmem remember --help", missingSubject.Error, StringComparison.Ordinal);

        (await _cli.RunAsync("rememberr", "x")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("recall", "x", "--subject", "ana", "--top", "many")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("recall", "x", "--subject", "ana", "--top", "1000")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("recall", "x", "--subject", "ana", "--mode", "psychic")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("list", "--status", "sleeping")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("list", "--page-size", "0")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("list", "--cursor", "bogus")).ShouldFail(ExitCodes.Usage);
        (await CliRunner.RunOnAsync(null, [])).ShouldFail(ExitCodes.Usage);
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_0()
    {
        var help = (await _cli.RunAsync("remember", "--help")).ShouldSucceed();
        Assert.Contains("--idempotency-key", help.Out, StringComparison.Ordinal);
        Assert.Contains("--store", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vector_recall_without_an_embedding_model_exits_2_with_a_hint()
    {
        await _cli.RememberAsync("Ana prefers oat milk", "ana", "--embedder", "none");
        var result = (await _cli.RunAsync("recall", "milk", "--subject", "ana", "--mode", "vector", "--embedder", "none")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("--mode text", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_a_missing_or_foreign_file_is_rejected()
    {
        (await _cli.RunAsync("import", Path.Combine(_cli.Folder, "nope.jsonl"))).ShouldFail(ExitCodes.Usage);

        var foreign = _cli.NewFilePath();
        await File.WriteAllTextAsync(foreign, "{\"hello\":\"world\"}\n", TestContext.Current.CancellationToken);
        var result = (await _cli.RunAsync("import", foreign)).ShouldFail(ExitCodes.ImportRejected);
        Assert.Contains("line 1", result.Error, StringComparison.Ordinal);

        var truncated = _cli.NewFilePath();
        await _cli.RememberAsync("Ana prefers oat milk");
        (await _cli.RunAsync("export", "-o", truncated)).ShouldSucceed();
        var lines = await File.ReadAllLinesAsync(truncated, TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(truncated, lines[..^1], TestContext.Current.CancellationToken);
        var cut = (await CliRunner.RunOnAsync(_cli.NewStorePath(), "import", truncated)).ShouldFail(ExitCodes.ImportRejected);
        Assert.Contains("truncated", cut.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_store_file_is_not_created_by_read_commands()
    {
        var path = _cli.NewStorePath();
        var result = (await CliRunner.RunOnAsync(path, "list")).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains(path, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task An_unwritable_store_location_exits_7_with_a_hint_about_SKMEMORY_HOME()
    {
        // A regular file where a folder should be: cannot be created, even as root.
        var blocker = _cli.NewFilePath(".txt");
        await File.WriteAllTextAsync(blocker, "not a folder", TestContext.Current.CancellationToken);
        var result = (await CliRunner.RunOnAsync(Path.Combine(blocker, "sub", "memory.db"), "remember", "x", "--subject", "ana")).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains("SKMEMORY_HOME", result.Error, StringComparison.Ordinal);

        var notADatabase = _cli.NewFilePath(".db");
        await File.WriteAllTextAsync(notADatabase, new string('x', 4096), TestContext.Current.CancellationToken);
        var garbage = (await CliRunner.RunOnAsync(notADatabase, "list")).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains("not a SkMemory database", garbage.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_server_exits_7_with_a_hint_to_check_the_connection()
    {
        var port = TestPorts.Free();
        foreach (var store in new[] { $"Host=127.0.0.1;Port={port};Database=skmemory;Username=nobody;Timeout=5", $"postgresql://nobody:secret@127.0.0.1:{port}/skmemory" })
        {
            var result = (await CliRunner.RunOnAsync(store, "list")).ShouldFail(ExitCodes.StoreUnavailable);
            Assert.Contains("connection string", result.Error, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port}", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", result.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Schema_is_a_usage_error_for_an_embedded_store()
    {
        var result = (await _cli.RunAsync("list", "--schema", "other")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("schema", result.Error, StringComparison.Ordinal);
    }

}
