using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkMemory.Mem0;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Mem0 REST client.</summary>
public static class Mem0ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="Mem0Client"/> as a singleton (it owns one HttpClient and its connection pool). The options are
    /// validated when the host starts, so a missing key or address fails fast instead of on the first call.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the address, key, flavor and retry options.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddMem0Client(this IServiceCollection services, Action<Mem0ClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<Mem0ClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Mem0ClientOptions>, Mem0ClientOptionsValidator>());
        services.TryAddSingleton(sp => new Mem0Client(
            sp.GetRequiredService<IOptions<Mem0ClientOptions>>().Value,
            innerHandler: null,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
