using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary><c>skmem bench redaction</c>: the shipped corpora, JSON output, the section written in place, a bad --corpus.</summary>
public sealed class BenchRedactionCommandTests : IDisposable
{
    private readonly CliRunner _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Redaction_prints_json_and_writes_its_section_keeping_the_others()
    {
        var report = _files.NewFilePath(".md");
        await File.WriteAllTextAsync(report, "# Benchmarks\n\n<!-- capture:begin -->\ncapture\n<!-- capture:end -->\n", TestContext.Current.CancellationToken);

        var result = (await CliRunner.RunOnAsync(null, "bench", "redaction", "-o", report, "--json")).ShouldSucceed();

        var json = result.Json();
        Assert.True(json.GetProperty("lines").GetInt32() >= 600);
        Assert.True(json.GetProperty("recall").GetDouble() >= 0.98);
        Assert.True(json.GetProperty("precision").GetDouble() >= 0.95);
        Assert.Equal(MemoryRedactionKinds.All, json.GetProperty("kinds").EnumerateArray().Select(k => k.GetProperty("kind").GetString()!));
        Assert.True(json.GetProperty("holdout").GetProperty("lines").GetInt32() > 0);
        var document = await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
        Assert.Contains("<!-- capture:begin -->\ncapture\n<!-- capture:end -->", document, StringComparison.Ordinal);
        Assert.Contains("<!-- redaction:begin -->\n## Redaction", document, StringComparison.Ordinal);
        Assert.Contains("### Held-out corpus", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_corpus_file_is_an_invalid_argument()
    {
        var result = await CliRunner.RunOnAsync(null, "bench", "redaction", "--corpus", _files.NewFilePath(".jsonl"), "--no-write");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("corpus", result.Error, StringComparison.Ordinal);
    }
}
