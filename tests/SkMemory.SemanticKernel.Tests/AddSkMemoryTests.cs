using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMemory.Context;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>services.AddSkMemory: validation at start-up and the whole stack resolved from DI.</summary>
public sealed class AddSkMemoryTests : MemoryTestBase
{
    [Theory]
    [InlineData("TokenBudget")]
    [InlineData("CaptureCapacity")]
    [InlineData("ModelName")]
    public void AddSkMemory_InvalidOptions_ThrowAtRegistration_NamingTheOption(string option)
    {
        var services = new ServiceCollection();
        var error = Assert.ThrowsAny<ArgumentException>(() => services.AddSkMemory(Store, o =>
        {
            switch (option)
            {
                case "TokenBudget": o.Context.TokenBudget = 0; break;
                case "CaptureCapacity": o.CaptureCapacity = 0; break;
                default: o.Context.ModelName = " "; break;
            }
        }));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public async Task AddSkMemory_WiresTheGovernedStoreInjectionPluginAndCapture_ForAKernelFromDI()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        await WriteAsync("bo", "Bo prefers whole milk in his coffee");
        var model = new ScriptedChatClient("Oat milk. And Lisbon is lovely.");
        var services = new ServiceCollection();
        services.AddSkMemory(_ => new NonDisposingStore(Store), o => o.Context.TokenBudget = 300);
        services.AddChatClient(model).UseSkMemory().UseKernelFunctionInvocation();
        services.AddKernel();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var kernel = provider.GetRequiredService<Kernel>();
        var sessions = provider.GetRequiredService<MemorySessionAccessor>();
        sessions.Session = Ana;

        Assert.True(kernel.Plugins.Contains(MemoryPlugin.DefaultName));
        var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
        await chat.GetChatMessageContentAsync(new ChatHistory([new ChatMessageContent(AuthorRole.User, "I live in Lisbon. Which milk do I take?")]), kernel: kernel, cancellationToken: Ct);

        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains(milk.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(model.Last, m => m.Text.Contains("whole milk", StringComparison.Ordinal));
        Assert.Contains(await ReadsOfAsync(milk), r => r is { Operation: "inject", Injected: true } && r.Reader == MemoryActor.Agent("concierge"));

        await provider.GetRequiredService<MemoryCaptureQueue>().FlushAsync(Ct);
        Assert.Contains(await MemoriesOfAsync("ana"), m => m.Value.Text.Contains("Lisbon", StringComparison.Ordinal));

        // The governed store refuses what the session's caller may not read.
        sessions.Session = null;
        await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => provider.GetRequiredService<IMemoryStore>().GetAsync(Tenant, milk, Ct));
    }

    [Fact]
    public async Task AddSkMemory_SessionInExecutionSettingsOrKernelData_ReachesInjectionAndTheGovernedPlugin_WithoutTheAccessor()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk.");
        var services = new ServiceCollection();
        services.AddSkMemory(_ => new NonDisposingStore(Store));
        services.AddChatClient(model).UseSkMemory().UseKernelFunctionInvocation();
        services.AddKernel();
        await using var provider = services.BuildServiceProvider();
        var kernel = provider.GetRequiredService<Kernel>();
        kernel.Data[MemorySession.Key] = Ana;

        var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
        await chat.GetChatMessageContentAsync(new ChatHistory([new ChatMessageContent(AuthorRole.User, "Which milk do I take?")]), new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), ExtensionData = new Dictionary<string, object> { [MemorySession.Key] = Ana } }, kernel, Ct);
        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains(milk.ToString(), StringComparison.Ordinal));

        var explained = await kernel.InvokeAsync(MemoryPlugin.DefaultName, "explain", new KernelArguments { ["memoryId"] = milk.ToString() }, Ct);
        Assert.Contains("Ana prefers oat milk", explained.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSkMemoryToChatCompletion_DecoratesTheConnectorsService_SoKernelCallsGetMemory()
    {
        var milk = await WriteAsync("ana", "Ana prefers oat milk in her coffee");
        var model = new ScriptedChatClient("Oat milk.");
        var services = new ServiceCollection();
        services.AddSkMemory(_ => new NonDisposingStore(Store), o => o.DefaultSession = Ana);
        services.AddSingleton(model.AsChatCompletionService());
        services.AddSkMemoryToChatCompletion();
        services.AddKernel();
        await using var provider = services.BuildServiceProvider();
        var kernel = provider.GetRequiredService<Kernel>();

        var service = kernel.GetRequiredService<IChatCompletionService>();
        Assert.IsType<MemoryChatCompletionService>(service);
        await service.GetChatMessageContentAsync("Which milk do I take in my coffee?", kernel: kernel, cancellationToken: Ct);
        Assert.Contains(model.Last, m => m.Role == ChatRole.System && m.Text.Contains(milk.ToString(), StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddSkMemoryToChatCompletion());
    }

    [Fact]
    public void LogEventIds_AreUniqueAndInTheAssemblysRange()
    {
        var ids = typeof(MemoryPlugin).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToList();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 801, 849));
    }

    /// <summary>The test owns the store; the container must not dispose it.</summary>
    private sealed class NonDisposingStore(IMemoryStore inner) : DelegatingMemoryStore(inner)
    {
        protected override void Dispose(bool disposing) => base.Dispose(disposing: false);
    }
}
