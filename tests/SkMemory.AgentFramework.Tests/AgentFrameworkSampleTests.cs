using AgentFrameworkAgent;
using SkMemory.Samples;

namespace SkMemory.AgentFramework.Tests;

/// <summary>The Agent Framework sample runs offline, in-process, and remembers the user across its two sessions.</summary>
public sealed class AgentFrameworkSampleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sample_remembers_the_user_across_two_sessions_offline()
    {
        using var output = new StringWriter();

        var exitCode = await RememberingAgentSample.RunAsync(SampleSettings.FromEnvironment(_ => null), output, Ct);

        var text = output.ToString();
        Assert.True(exitCode == 0, text);
        Assert.Contains("Model: scripted offline model", text, StringComparison.Ordinal);
        var remembered = text[text.IndexOf("Remembered after session 1", StringComparison.Ordinal)..text.IndexOf("User: What do you remember", StringComparison.Ordinal)];
        Assert.Contains("oat milk", remembered, StringComparison.Ordinal);
        Assert.Contains("evidence msg_", remembered, StringComparison.Ordinal);
        var injected = text[text.IndexOf("Injected into session 2", StringComparison.Ordinal)..];
        Assert.Contains("oat milk", injected, StringComparison.Ordinal);
        Assert.Contains("Agent: From my memory:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_comes_from_SKMEMORY_CHAT_MODEL_and_is_offline_without_it()
    {
        Assert.Null(SampleSettings.FromEnvironment(_ => null).RealModel);

        var ollama = SampleSettings.FromEnvironment(name => name == SampleSettings.ChatModelVariable ? "ollama:llama3.2" : null);
        Assert.NotNull(ollama.RealModel);
        Assert.Equal("ollama:llama3.2 at http://localhost:11434/v1", ollama.ModelDescription);

        var compatible = SampleSettings.FromEnvironment(name => name == SampleSettings.ChatModelVariable ? "openai:qwen2.5@http://127.0.0.1:8080/v1" : null);
        Assert.Equal("openai:qwen2.5 at http://127.0.0.1:8080/v1", compatible.ModelDescription);
        using (var client = compatible.RealModel!())
        {
            Assert.NotNull(client);
        }

        var noKey = Assert.Throws<ArgumentException>(() => SampleSettings.FromEnvironment(name => name == SampleSettings.ChatModelVariable ? "openai:gpt-4o-mini" : null));
        Assert.Contains("OPENAI_API_KEY", noKey.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SampleSettings.FromEnvironment(name => name == SampleSettings.ChatModelVariable ? "llama3.2" : null));
    }
}
