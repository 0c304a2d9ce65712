using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>The two SK-side injection points: prompt functions (render filter) and existing connectors (service decorator).</summary>
public sealed class SkConnectorInjectionTests : MemoryTestBase
{
    [Fact]
    public async Task PromptRenderFilter_PutsThePacketInFrontOfAPromptFunction_AndAuditsIt()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk.");
        var kernel = ConnectorKernel(model);
        kernel.PromptRenderFilters.Add(new MemoryPromptRenderFilter(Provider, Sessions));

        var result = await kernel.InvokePromptAsync("Answer the question: {{$input}}", new KernelArguments { ["input"] = "Which milk do I take in my coffee?" }, cancellationToken: Ct);

        Assert.Equal("Oat milk.", result.GetValue<string>());
        var text = string.Join("\n", model.Last.Select(m => m.Text));
        Assert.Contains("<memories>", text, StringComparison.Ordinal);
        Assert.Contains(milk.ToString(), text, StringComparison.Ordinal);
        Assert.Contains("Answer the question: Which milk do I take in my coffee?", text, StringComparison.Ordinal);
        Assert.Contains(await ReadsOfAsync(milk), r => r.Operation == "inject" && r.Injected);

        await kernel.InvokePromptAsync("Answer the question: {{$input}}", new KernelArguments { ["input"] = "Which milk do I take?", [MemorySession.DisabledKey] = true }, cancellationToken: Ct);
        Assert.DoesNotContain("<memories>", string.Join("\n", model.Last.Select(m => m.Text)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptRenderFilter_ChatPrompt_GetsThePacketAsItsOwnSystemMessage()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk.");
        var kernel = ConnectorKernel(model);
        kernel.Data[MemorySession.Key] = Ana;
        kernel.PromptRenderFilters.Add(new MemoryPromptRenderFilter(Provider));

        await kernel.InvokePromptAsync("<message role=\"system\">Be brief.</message><message role=\"user\">Which milk do I take in my coffee?</message>", cancellationToken: Ct);

        var system = model.Last.Where(m => m.Role == ChatRole.System).ToList();
        Assert.Contains(system, m => m.Text.Contains(milk.ToString(), StringComparison.Ordinal) && m.Text.StartsWith("<memories>", StringComparison.Ordinal));
        Assert.Equal("Which milk do I take in my coffee?", model.Last[^1].Text);
    }

    [Fact]
    public async Task ChatCompletionServiceDecorator_InjectsIntoACopyOfTheHistory_AuditsAndCaptures()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk, noted that you live in Porto.");
        var service = new MemoryChatCompletionService(model.AsChatCompletionService(), Provider, Sessions, Queue);
        var history = new ChatHistory("You are a barista.");
        history.AddUserMessage("I live in Porto. Which milk do I take in my coffee?");

        var reply = await service.GetChatMessageContentAsync(history, cancellationToken: Ct);

        Assert.Equal("Oat milk, noted that you live in Porto.", reply.Content);
        Assert.Equal(2, history.Count);
        Assert.Equal(3, model.Last.Count);
        Assert.Equal(ChatRole.System, model.Last[1].Role);
        Assert.Contains(milk.ToString(), model.Last[1].Text, StringComparison.Ordinal);
        Assert.Contains(await ReadsOfAsync(milk), r => r.Operation == "inject" && r.Injected);
        await Queue.FlushAsync(Ct);
        Assert.Contains(await MemoriesOfAsync("ana"), m => m.Value.Text.Contains("Porto", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatCompletionServiceDecorator_OptOutInExecutionSettings_PassesThrough()
    {
        await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Sure.");
        var service = new MemoryChatCompletionService(model.AsChatCompletionService(), Provider, Sessions, Queue);
        var history = new ChatHistory();
        history.AddUserMessage("I live in Porto. Which milk do I take?");

        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [MemorySession.DisabledKey] = true } };
        await service.GetChatMessageContentAsync(history, settings, cancellationToken: Ct);

        Assert.Single(model.Last);
        await Queue.FlushAsync(Ct);
        Assert.DoesNotContain(await MemoriesOfAsync("ana"), m => m.Value.Text.Contains("Porto", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatCompletionServiceDecorator_Streaming_InjectsThroughAGovernedStore_WithTheSessionFromKernelData()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk.");
        var sessions = new MemorySessionAccessor();
        var governed = new MemoryStoreBuilder(Store).UseAccessControl(sessions).Build();
        var service = new MemoryChatCompletionService(model.AsChatCompletionService(), new SkMemory.Context.MemoryContextProvider(governed), sessions, Queue);
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Data[MemorySession.Key] = Ana;
        var history = new ChatHistory();
        history.AddUserMessage("Which milk do I take in my coffee?");

        var text = string.Concat(await service.GetStreamingChatMessageContentsAsync(history, kernel: kernel, cancellationToken: Ct).Select(u => u.Content).ToListAsync(Ct));

        Assert.Equal("Oat milk.", text);
        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains(milk.ToString(), StringComparison.Ordinal));
        Assert.Contains(await ReadsOfAsync(milk), r => r is { Operation: "inject", Injected: true } && r.Reader == MemoryActor.Agent("concierge"));
    }

    private static Kernel ConnectorKernel(ScriptedChatClient model)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(model.AsChatCompletionService());
        return builder.Build();
    }
}
