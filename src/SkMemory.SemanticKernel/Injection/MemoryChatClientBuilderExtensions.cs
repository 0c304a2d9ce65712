using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkMemory.Context;
using SkMemory.SemanticKernel;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="MemoryInjectingChatClient"/> to a chat client pipeline.</summary>
public static class MemoryChatClientBuilderExtensions
{
    /// <summary>
    /// Adds memory injection and capture, resolving <see cref="MemoryContextProvider"/>, <see cref="MemorySessionAccessor"/>,
    /// <see cref="MemoryCaptureQueue"/> and <see cref="ILoggerFactory"/> from the services (<c>AddSkMemory</c> registers
    /// them). Call it before <c>UseKernelFunctionInvocation</c> so it is the outer layer and runs once per request.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="context">The context provider; or null to resolve it from the services.</param>
    /// <param name="sessions">The session accessor; or null to resolve it from the services (optional there).</param>
    /// <param name="capture">The capture queue; or null to resolve it from the services (optional there: no capture without it).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No context provider was given or registered (when the client is built).</exception>
    public static ChatClientBuilder UseSkMemory(this ChatClientBuilder builder, MemoryContextProvider? context = null, MemorySessionAccessor? sessions = null, MemoryCaptureQueue? capture = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new MemoryInjectingChatClient(
            inner,
            context ?? services.GetService<MemoryContextProvider>()
                ?? throw new InvalidOperationException("UseSkMemory needs a MemoryContextProvider: call services.AddSkMemory(...) or pass one."),
            sessions ?? services.GetService<MemorySessionAccessor>(),
            capture ?? services.GetService<MemoryCaptureQueue>(),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()));
    }
}
