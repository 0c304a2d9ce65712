using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMemory.Context;
using AIFunctionCall = Microsoft.Extensions.AI.FunctionCallContent;
using AIFunctionResult = Microsoft.Extensions.AI.FunctionResultContent;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>The memory functions as a model auto-invokes them: scope, subject, actor and provenance come from the session.</summary>
public sealed class MemoryPluginTests : MemoryTestBase
{
    [Fact]
    public async Task AutoInvokedRemember_WritesWithTheSessionsScopeSubjectActor_AndTheToolCallAsProvenance_IgnoringASubjectTheModelInvents()
    {
        var model = new ScriptedChatClient((messages, i) => i == 0
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new AIFunctionCall("call_7", "memory_remember", new Dictionary<string, object?>
            {
                ["memory"] = "Prefers a window seat on flights",
                ["type"] = "preference",
                ["evidence"] = "window seat",
                ["subject"] = "bo",
            })]))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "I'll remember that.")));
        var kernel = Kernel(model, Store);

        var reply = await Chat(kernel).GetChatMessageContentAsync(
            new ChatHistory([new ChatMessageContent(AuthorRole.User, "Please always book me a window seat.")]),
            new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() },
            kernel,
            Ct);

        Assert.Equal("I'll remember that.", reply.Content);
        var memory = Assert.Single(await MemoriesOfAsync("ana"), m => m.Value.Text == "Prefers a window seat on flights");
        Assert.Equal((MemoryTypes.Preference, MemoryScopeKind.Personal, "ana", MemoryActor.Agent("concierge")), (memory.Type, memory.Scope.Kind, memory.Subject, memory.Actor));
        Assert.Equal(["call_7"], memory.Provenance.ToolCallIds);
        Assert.Equal(["window seat"], memory.Provenance.QuotedSpans);
        Assert.Single(memory.Provenance.MessageIds);
        Assert.Equal(MemorySourceKind.Message, memory.Provenance.SourceKind);
        Assert.Empty(await MemoriesOfAsync("bo"));

        // The model saw the tool result.
        Assert.Contains(model.Last.SelectMany(m => m.Contents).OfType<AIFunctionResult>(), r => r.CallId == "call_7" && $"{r.Result}".Contains("Remembered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutoInvocationFilter_OnSkConnectors_HandsTheToolCallIdAndUserMessageToRemember()
    {
        var builder = Microsoft.SemanticKernel.Kernel.CreateBuilder();
        builder.Plugins.Add(new MemoryPlugin(Store, Provider, Sessions).ToKernelPlugin());
        var kernel = builder.Build();
        var function = kernel.Plugins.GetFunction(MemoryPlugin.DefaultName, "remember");
        var history = new ChatHistory([new ChatMessageContent(AuthorRole.User, "I'm allergic to peanuts, by the way.")]);
        var context = new AutoFunctionInvocationContext(kernel, function, new FunctionResult(function), history, new ChatMessageContent(AuthorRole.Assistant, string.Empty))
        {
            ToolCallId = "call_9",
            Arguments = new KernelArguments { ["memory"] = "Is allergic to peanuts", ["type"] = "constraint", ["evidence"] = "allergic to peanuts" },
        };

        await new MemoryAutoInvocationFilter(Sessions).OnAutoFunctionInvocationAsync(context, async c => c.Result = await c.Function.InvokeAsync(c.Kernel, c.Arguments, Ct));

        var memory = Assert.Single(await MemoriesOfAsync("ana"));
        Assert.Equal(("Is allergic to peanuts", MemoryTypes.Constraint), (memory.Value.Text, memory.Type));
        Assert.Equal(["call_9"], memory.Provenance.ToolCallIds);
        Assert.Equal(["allergic to peanuts"], memory.Provenance.QuotedSpans);
        Assert.Single(memory.Provenance.MessageIds);
    }

    [Fact]
    public async Task Remember_EvidenceTheUserNeverWrote_IsNotQuoted()
    {
        var kernel = Kernel(new ScriptedChatClient("ok"), Store);
        var result = await kernel.InvokeAsync("memory", "remember", new KernelArguments { ["memory"] = "Is vegan", ["evidence"] = "I am vegan" }, Ct);

        Assert.StartsWith("Remembered", result.GetValue<string>(), StringComparison.Ordinal);
        var memory = Assert.Single(await MemoriesOfAsync("ana"));
        Assert.Empty(memory.Provenance.QuotedSpans);
        Assert.Equal(MemorySourceKind.Tool, memory.Provenance.SourceKind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UpdateForgetExplain_OfAnotherSubjectsMemory_AreRefused_AndChangeNothing(bool governed)
    {
        var bos = await WriteAsync("bo", "Bo prefers whole milk in his coffee");
        var kernel = Kernel(new ScriptedChatClient("ok"), governed ? Governed() : Store);

        foreach (var (function, arguments) in new (string, KernelArguments)[]
        {
            ("update", new() { ["memoryId"] = bos.ToString(), ["memory"] = "Bo prefers soy milk", ["reason"] = "the model says so" }),
            ("forget", new() { ["memoryId"] = bos.ToString(), ["reason"] = "the model says so" }),
            ("explain", new() { ["memoryId"] = bos.ToString() }),
        })
        {
            var result = await kernel.InvokeAsync("memory", function, arguments, Ct);
            Assert.StartsWith("Refused:", result.GetValue<string>(), StringComparison.Ordinal);
        }

        var after = await Store.GetAsync(Tenant, bos, Ct);
        Assert.Equal((MemoryStatus.Active, 1L, "Bo prefers whole milk in his coffee"), (after!.Status, after.Version, after.Value.Text));
    }

    [Fact]
    public async Task UpdateForgetExplain_OfTheSubjectsOwnMemory_WorkThroughTheGovernedStore()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var kernel = Kernel(new ScriptedChatClient("ok"), Governed());

        var explained = (await kernel.InvokeAsync("memory", "explain", new KernelArguments { ["memoryId"] = milk.ToString() }, Ct)).GetValue<string>()!;
        Assert.Contains("Ana prefers oat milk", explained, StringComparison.Ordinal);
        Assert.Contains("created by user:ana", explained, StringComparison.Ordinal);

        var updated = (await kernel.InvokeAsync("memory", "update", new KernelArguments { ["memoryId"] = milk.ToString(), ["memory"] = "Ana prefers soy milk in her coffee", ["reason"] = "switched to soy" }, Ct)).GetValue<string>()!;
        Assert.StartsWith("Updated", updated, StringComparison.Ordinal);
        var current = Assert.Single(await MemoriesOfAsync("ana"));
        Assert.Equal(("Ana prefers soy milk in her coffee", MemoryActor.Agent("concierge"), (Guid?)milk), (current.Value.Text, current.Actor, current.Supersedes));

        var recalled = (await kernel.InvokeAsync("memory", "recall", new KernelArguments { ["query"] = "milk in coffee" }, Ct)).GetValue<string>()!;
        Assert.Contains(current.Id.ToString(), recalled, StringComparison.Ordinal);

        var forgotten = (await kernel.InvokeAsync("memory", "forget", new KernelArguments { ["memoryId"] = current.Id.ToString(), ["reason"] = "user asked" }, Ct)).GetValue<string>()!;
        Assert.StartsWith("Forgotten", forgotten, StringComparison.Ordinal);
        Assert.Empty(await MemoriesOfAsync("ana"));
        Assert.Equal("user asked", (await Store.GetAsync(Tenant, current.Id, Ct))!.DeletionReason);
    }

    [Fact]
    public async Task Functions_WithoutASession_RefuseAndWriteNothing()
    {
        Sessions.DefaultSession = null;
        var kernel = Kernel(new ScriptedChatClient("ok"), Store);
        var result = await kernel.InvokeAsync("memory", "remember", new KernelArguments { ["memory"] = "Is vegan" }, Ct);
        Assert.StartsWith("Refused:", result.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await MemoriesOfAsync("ana"));
    }

    [Fact]
    public void Plugin_DescribesItsFunctionsForModels_AndTakesNoSubjectTenantScopeOrActor()
    {
        var plugin = new MemoryPlugin(Store, Provider, Sessions).ToKernelPlugin();
        Assert.Equal(["explain", "forget", "recall", "remember", "update"], plugin.Select(f => f.Name).Order());
        foreach (var function in plugin)
        {
            Assert.True(function.Description.Length > 40, function.Name);
            Assert.All(function.Metadata.Parameters, p => Assert.DoesNotContain(p.Name, new[] { "subject", "tenant", "scope", "actor", "user" }));
            Assert.All(function.Metadata.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Description), $"{function.Name}.{p.Name}"));
        }
    }

    private IMemoryStore Governed() => new MemoryStoreBuilder(Store).UseAccessControl(MemoryCallerAccessor.Fixed(Ana.ToCaller())).Build();

    private Kernel Kernel(IChatClient model, IMemoryStore store)
    {
        var provider = new MemoryContextProvider(store, new MemoryContextOptions { TokenBudget = 200 });
        var builder = Microsoft.SemanticKernel.Kernel.CreateBuilder();
        builder.Services.AddChatClient(model).UseSkMemory(provider, Sessions, Queue).UseKernelFunctionInvocation();
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(new MemoryAutoInvocationFilter(Sessions));
        builder.Plugins.Add(new MemoryPlugin(store, provider, Sessions).ToKernelPlugin());
        return builder.Build();
    }

    private static IChatCompletionService Chat(Kernel kernel) =>
        kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
}
