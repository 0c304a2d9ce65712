using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMemory;
using SkMemory.Capture;
using SkMemory.Context;
using SkMemory.SemanticKernel;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SkMemory for Semantic Kernel.</summary>
public static class SkMemoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the memory stack over <paramref name="store"/>: the governed <see cref="IMemoryStore"/> (access policy with the
    /// current <see cref="MemorySession"/> as the caller), <see cref="MemorySessionAccessor"/>, <see cref="MemoryContextProvider"/>,
    /// the capture pipeline and its <see cref="MemoryCaptureQueue"/>, <see cref="MemoryPlugin"/> (as a <c>KernelPlugin</c>), and
    /// the SK filters. The options are validated here, so a bad configuration fails at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="store">The store (for example <c>await SqliteMemoryStore.OpenAsync(...)</c>); the container disposes it.</param>
    /// <param name="configure">Configures the options, or null for the defaults.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="store"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IServiceCollection AddSkMemory(this IServiceCollection services, IMemoryStore store, Action<SkMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        return services.AddSkMemory(_ => store, configure);
    }

    /// <summary>Registers the memory stack over the store <paramref name="storeFactory"/> creates; see the other overload.</summary>
    /// <param name="services">The services.</param>
    /// <param name="storeFactory">Creates the store once, on first use; the container disposes it.</param>
    /// <param name="configure">Configures the options, or null for the defaults.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="storeFactory"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <remarks>
    /// The service provider owns an <see cref="IAsyncDisposable"/> queue: dispose it with <c>DisposeAsync</c>, which also
    /// finishes the turns waiting for capture.
    /// </remarks>
    public static IServiceCollection AddSkMemory(this IServiceCollection services, Func<IServiceProvider, IMemoryStore> storeFactory, Action<SkMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(storeFactory);
        var options = new SkMemoryOptions();
        configure?.Invoke(options);
        options.Validate();

        services.AddSingleton(options);
        services.TryAddSingleton(_ => new MemorySessionAccessor(options.DefaultSession));
        services.AddSingleton(sp =>
        {
            var raw = storeFactory(sp) ?? throw new InvalidOperationException("The store factory of AddSkMemory returned null; return an opened store.");
            var governed = options.AccessControl
                ? new MemoryStoreBuilder(raw)
                    .UseAccessControl(sp.GetRequiredService<MemorySessionAccessor>(), options.ConfigureAccess, sp.GetService<ILoggerFactory>())
                    .Build()
                : raw;
            return new SkMemoryStores(raw, governed);
        });
        services.AddSingleton(sp => sp.GetRequiredService<SkMemoryStores>().Governed);
        services.AddSingleton(sp => new MemoryContextProvider(sp.GetRequiredService<IMemoryStore>(), options.Context, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IMemoryExtractor, RuleBasedMemoryExtractor>();

        // Capture runs in the background, outside any caller's flow: it writes through the store below the access policy, as
        // the capture service, always for the session's own subject.
        services.AddSingleton(sp => new MemoryCapturePipeline(sp.GetRequiredService<SkMemoryStores>().Raw, sp.GetRequiredService<IMemoryExtractor>(), options.CaptureOptions, sp.GetService<ILoggerFactory>()));
        if (options.Capture)
        {
            services.AddSingleton(sp => new MemoryCaptureQueue(sp.GetRequiredService<MemoryCapturePipeline>(), options.CaptureCapacity, sp.GetService<ILoggerFactory>()));
        }

        services.AddSingleton(sp => new MemoryPlugin(sp.GetRequiredService<IMemoryStore>(), sp.GetRequiredService<MemoryContextProvider>(), sp.GetRequiredService<MemorySessionAccessor>(), sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        if (options.RegisterPlugin)
        {
            services.AddSingleton(sp => sp.GetRequiredService<MemoryPlugin>().ToKernelPlugin());
        }

        services.AddSingleton<IAutoFunctionInvocationFilter>(sp => new MemoryAutoInvocationFilter(sp.GetRequiredService<MemorySessionAccessor>()));
        if (options.PromptRenderFilter)
        {
            services.AddSingleton<IPromptRenderFilter>(sp => new MemoryPromptRenderFilter(sp.GetRequiredService<MemoryContextProvider>(), sp.GetRequiredService<MemorySessionAccessor>(), sp.GetService<ILoggerFactory>()));
        }

        return services;
    }

    /// <summary>
    /// Wraps every <see cref="IChatCompletionService"/> registered so far (an SK connector's, for example
    /// <c>AddOpenAIChatCompletion</c>) in <see cref="MemoryChatCompletionService"/>, so calls through it get memory
    /// injection and capture. Call it after the connector's registration and after <c>AddSkMemory</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No chat completion service is registered yet.</exception>
    public static IServiceCollection AddSkMemoryToChatCompletion(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var found = false;
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IChatCompletionService))
            {
                continue;
            }

            found = true;
            services[i] = descriptor.IsKeyedService
                ? new ServiceDescriptor(typeof(IChatCompletionService), descriptor.ServiceKey, (sp, key) => Decorate(sp, Keyed(sp, descriptor, key)), descriptor.Lifetime)
                : new ServiceDescriptor(typeof(IChatCompletionService), sp => Decorate(sp, Unkeyed(sp, descriptor)), descriptor.Lifetime);
        }

        return found ? services : throw new InvalidOperationException("AddSkMemoryToChatCompletion found no IChatCompletionService; register the connector (for example AddOpenAIChatCompletion) first.");
    }

    private static MemoryChatCompletionService Decorate(IServiceProvider services, IChatCompletionService inner) =>
        new MemoryChatCompletionService(
            inner,
            services.GetRequiredService<MemoryContextProvider>(),
            services.GetRequiredService<MemorySessionAccessor>(),
            services.GetService<MemoryCaptureQueue>(),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>());

    private static IChatCompletionService Unkeyed(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IChatCompletionService)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    private static IChatCompletionService Keyed(IServiceProvider services, ServiceDescriptor descriptor, object? key) =>
        (IChatCompletionService)(descriptor.KeyedImplementationInstance
            ?? descriptor.KeyedImplementationFactory?.Invoke(services, key)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.KeyedImplementationType!));
}
