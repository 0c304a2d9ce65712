using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SkMemory.Governance.Retention;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the retention sweeper's background service.</summary>
public static class MemoryRetentionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="MemoryRetentionService"/>, sweeping the registered <see cref="SkMemory.IMemoryStore"/> by policy on an
    /// interval. The policy is loaded when the host starts; an invalid file stops it with a message naming the rule and field.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the interval, the policy file, the tenant...</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddMemoryRetention(this IServiceCollection services, Action<MemoryRetentionServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new MemoryRetentionServiceOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.AddHostedService(sp => new MemoryRetentionService(
            sp.GetRequiredService<SkMemory.IMemoryStore>(),
            sp.GetRequiredService<MemoryRetentionServiceOptions>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
