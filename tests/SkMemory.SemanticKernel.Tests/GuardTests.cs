using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>Every public entry point names the argument it rejects.</summary>
public sealed class GuardTests : MemoryTestBase
{
    [Fact]
    public async Task PublicEntryPoints_NullArguments_ThrowArgumentNullException()
    {
        using var model = new ScriptedChatClient("ok");
        Assert.Throws<ArgumentNullException>("store", () => new MemoryPlugin(null!, Provider));
        Assert.Throws<ArgumentNullException>("context", () => new MemoryPlugin(Store, null!));
        Assert.Throws<ArgumentNullException>("innerClient", () => new MemoryInjectingChatClient(null!, Provider));
        Assert.Throws<ArgumentNullException>("context", () => new MemoryInjectingChatClient(model, null!));
        Assert.Throws<ArgumentNullException>("inner", () => new MemoryChatCompletionService(null!, Provider));
        Assert.Throws<ArgumentNullException>("context", () => new MemoryPromptRenderFilter(null!));
        Assert.Throws<ArgumentNullException>("builder", () => ((ChatClientBuilder)null!).UseSkMemory());
        Assert.Throws<ArgumentNullException>("store", () => new ServiceCollection().AddSkMemory((IMemoryStore)null!));
        Assert.Throws<ArgumentNullException>("services", () => ((IServiceCollection)null!).AddSkMemory(_ => Store));
        Assert.Throws<ArgumentNullException>("services", () => ((IServiceCollection)null!).AddSkMemoryToChatCompletion());
        Assert.Throws<ArgumentException>("tenant", () => MemorySession.ForAgent(" ", "ana", "concierge"));
        await Assert.ThrowsAsync<ArgumentNullException>("messages", () => new MemoryInjectingChatClient(model, Provider).GetResponseAsync(null!, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>("chatHistory", () => new MemoryChatCompletionService(model.AsChatCompletionService(), Provider).GetChatMessageContentsAsync(null!, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>("context", () => new MemoryAutoInvocationFilter().OnAutoFunctionInvocationAsync(null!, _ => Task.CompletedTask));
        await Assert.ThrowsAsync<ArgumentNullException>("context", () => new MemoryPromptRenderFilter(Provider).OnPromptRenderAsync(null!, _ => Task.CompletedTask));
    }

    [Fact]
    public void MemorySession_ToCaller_ActsForTheSubject_UnlessTheActorIsTheSubject()
    {
        var agent = Ana.ToCaller();
        Assert.Equal((Tenant, MemoryActor.Agent("concierge")), (agent.Tenant, agent.Actor));
        Assert.Equal(["ana"], agent.ActingFor);

        var self = new MemorySession { Tenant = Tenant, Subject = "ana", Actor = MemoryActor.User("ana"), Task = "chat" }.ToCaller();
        Assert.Empty(self.ActingFor);
        Assert.Equal("chat", self.Task);
    }
}
