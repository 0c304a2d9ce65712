using SemanticKernelAgent;
using SkMemory.Samples;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>The sample runs offline, in-process, from its entry point.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task SemanticKernelAgent_Offline_RemembersAnaInSessionOne_AndInjectsItIntoSessionTwo()
    {
        using var output = new StringWriter();

        var code = await SemanticKernelAgentSample.MainAsync([], _ => null, output, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("scripted offline model", text, StringComparison.Ordinal);
        Assert.Contains("preference: \"Prefers oat milk in my coffee\" by agent:concierge; evidence: call_", text, StringComparison.Ordinal);
        Assert.Contains("ana lives in Lisbon", text, StringComparison.Ordinal);
        var injected = text[text.IndexOf("Injected into the second session's model call:", StringComparison.Ordinal)..];
        Assert.Contains("<memories>", injected, StringComparison.Ordinal);
        Assert.Contains("[memory:", injected, StringComparison.Ordinal);
        Assert.Contains("\"Prefers oat milk in my coffee\"", injected, StringComparison.Ordinal);
        Assert.Contains("agent> Welcome back! From what I remember:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SemanticKernelAgent_BadModelSetting_ExitsWithAMessageSayingWhatToSet()
    {
        using var output = new StringWriter();
        var code = await SemanticKernelAgentSample.MainAsync([], name => name == SampleSettings.ChatModelVariable ? "gpt-4o" : null, output, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        Assert.Contains("openai:<model>", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SemanticKernelAgent_Bench_ReportsP50AndP95()
    {
        using var output = new StringWriter();
        var (p50, p95) = await SemanticKernelAgentSample.BenchAsync(20, output, TestContext.Current.CancellationToken);
        Assert.True(p95 >= p50);
        Assert.Contains("p95", output.ToString(), StringComparison.Ordinal);
    }
}
