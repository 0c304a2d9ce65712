using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMemory.Context;
using SkMemory.SemanticKernel;

namespace SkMemory.Samples;

/// <summary>
/// The Semantic Kernel samples' memory stack: <c>AddSkMemory</c> on the store, the chat client with memory injection
/// outside SK's function invoker, and the kernel. It keeps the packet injected into the latest model call, only to show
/// what the model saw.
/// </summary>
internal sealed class SampleKernel : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public SampleKernel(IMemoryStore store, IChatClient model)
    {
        var services = new ServiceCollection();
        services.AddSkMemory(store, options => options.Context.TokenBudget = 400);
        services.AddChatClient(model)
            .UseSkMemory()
            .Use((messages, options, next, ct) =>
            {
                Injected = messages.FirstOrDefault(m => m.AdditionalProperties?.ContainsKey(MemoryInjectingChatClient.InjectedMarker) == true)?.Text ?? Injected;
                return next(messages, options, ct);
            })
            .UseKernelFunctionInvocation();
        services.AddKernel();
        _provider = services.BuildServiceProvider();
        Kernel = _provider.GetRequiredService<Kernel>();
        Chat = Kernel.GetRequiredService<IChatClient>().AsChatCompletionService(Kernel.Services);
    }

    public Kernel Kernel { get; }

    public IChatCompletionService Chat { get; }

    public MemorySessionAccessor Sessions => _provider.GetRequiredService<MemorySessionAccessor>();

    public IMemoryStore Store => _provider.GetRequiredService<IMemoryStore>();

    public MemoryCaptureQueue Capture => _provider.GetRequiredService<MemoryCaptureQueue>();

    /// <summary>Gets or sets the packet injected into the latest model call that had one; set null to start over.</summary>
    public string? Injected { get; set; }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
