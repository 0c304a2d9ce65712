using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>The chat-client middleware: what the model saw, the read audit, capture after the turn, and the opt-outs.</summary>
public sealed class MemoryInjectingChatClientTests : MemoryTestBase
{
    [Fact]
    public async Task GetResponseAsync_InjectsThePacketAsQuotedSystemDataWithIds_WithinBudget_AndAuditsItAsInjected()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var bos = await WriteAsync("bo", "Bo prefers whole milk in his coffee");
        for (var i = 0; i < 30; i++)
        {
            await WriteAsync("ana", $"Ana drank coffee number {i} with milk at a small cafe near the river on a long rainy afternoon");
        }

        var model = new ScriptedChatClient("Oat milk, as always.");
        using var client = new ChatClientBuilder(model).UseSkMemory(Provider, Sessions, Queue).Build();

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "You are a barista."), new ChatMessage(ChatRole.User, "Which milk do I take in my coffee?")], cancellationToken: Ct);

        var seen = Assert.Single(model.Requests);
        Assert.Equal(3, seen.Count);
        Assert.Equal("You are a barista.", seen[0].Text);
        var packet = seen[1];
        Assert.Equal(ChatRole.System, packet.Role);
        Assert.Equal(true, packet.AdditionalProperties?[MemoryInjectingChatClient.InjectedMarker]);
        Assert.StartsWith("<memories>", packet.Text, StringComparison.Ordinal);
        Assert.Contains("quoted as data", packet.Text, StringComparison.Ordinal);
        Assert.Contains(milk.ToString(), packet.Text, StringComparison.Ordinal);
        Assert.Contains("Ana prefers oat milk in her coffee", packet.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(bos.ToString(), packet.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bo prefers", packet.Text, StringComparison.Ordinal);
        var tokens = TiktokenTokenizer.CreateForModel("gpt-4o").CountTokens(packet.Text);
        Assert.InRange(tokens, 100, 200);
        Assert.Equal("Which milk do I take in my coffee?", seen[2].Text);

        var inject = Assert.Single(await ReadsOfAsync(milk), r => r.Operation == "inject");
        Assert.True(inject.Injected);
        Assert.Equal(MemoryActor.Agent("concierge"), inject.Reader);
    }

    [Fact]
    public async Task GetResponseAsync_CapturesTheTurnInTheBackground_WithMessageIds()
    {
        var model = new ScriptedChatClient("Noted, oat milk from now on.");
        using var client = new ChatClientBuilder(model).UseSkMemory(Provider, Sessions, Queue).Build();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "I prefer oat milk in my coffee.") { MessageId = "m-42" }], cancellationToken: Ct);
        Assert.Equal("Noted, oat milk from now on.", response.Text);
        await Queue.FlushAsync(Ct);

        var memory = Assert.Single(await MemoriesOfAsync("ana"), m => m.Value.Text.Contains("oat milk", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("m-42", memory.Provenance.MessageIds);
        Assert.Empty(await MemoriesOfAsync("bo"));
    }

    [Fact]
    public async Task GetResponseAsync_OptOuts_DisableInjectionAndCapture_OrCaptureOnly()
    {
        await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Sure.");
        using var client = new ChatClientBuilder(model).UseSkMemory(Provider, Sessions, Queue).Build();

        var off = new ChatOptions { AdditionalProperties = new() { [MemorySession.DisabledKey] = true } };
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "I love hiking in the Alps. Which milk do I take?")], off, Ct);
        Assert.DoesNotContain(model.Last, m => m.Role == ChatRole.System);

        var noCapture = new ChatOptions { AdditionalProperties = new() { [MemorySession.CaptureDisabledKey] = "true" } };
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "I love hiking in the Alps. Which milk do I take?")], noCapture, Ct);
        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains("oat milk", StringComparison.Ordinal));

        await Queue.FlushAsync(Ct);
        Assert.DoesNotContain(await MemoriesOfAsync("ana"), m => m.Value.Text.Contains("hiking", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GetResponseAsync_SessionFromChatOptions_WinsOverTheAccessor_AndNoSessionPassesThrough()
    {
        await WriteAsync("bo", "Bo prefers whole milk in his coffee");
        var model = new ScriptedChatClient("Sure.");
        using var client = new ChatClientBuilder(model).UseSkMemory(Provider, new MemorySessionAccessor(), Queue).Build();

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Which milk do I take?")], cancellationToken: Ct);
        Assert.Single(model.Last);

        var bo = new ChatOptions { AdditionalProperties = new() { [MemorySession.Key] = MemorySession.ForAgent(Tenant, "bo", "concierge") } };
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Which milk do I take?")], bo, Ct);
        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains("whole milk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetResponseAsync_StoreRefusesTheRead_TheCallGoesOnWithoutMemory()
    {
        await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Sure.");
        var noCaller = new MemoryStoreBuilder(Store).UseAccessControl(new MemoryCallerAccessor()).Build();
        using var client = new ChatClientBuilder(model).UseSkMemory(new SkMemory.Context.MemoryContextProvider(noCaller), Sessions).Build();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Which milk do I take?")], cancellationToken: Ct);

        Assert.Equal("Sure.", response.Text);
        Assert.Single(model.Last);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InjectsAndCaptures()
    {
        await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk it is.");
        using var client = new ChatClientBuilder(model).UseSkMemory(Provider, Sessions, Queue).Build();

        var text = string.Concat(await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Which milk do I take? I live in Lisbon.")], cancellationToken: Ct).Select(u => u.Text).ToListAsync(Ct));

        Assert.Equal("Oat milk it is.", text);
        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains("oat milk", StringComparison.Ordinal));
        await Queue.FlushAsync(Ct);
        Assert.Contains(await MemoriesOfAsync("ana"), m => m.Value.Text.Contains("Lisbon", StringComparison.Ordinal));
    }
}
