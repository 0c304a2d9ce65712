using Microsoft.Extensions.Logging;
using SkMemory.Governance;

namespace SkMemory;

/// <summary>Adds access control to a <see cref="MemoryStoreBuilder"/>.</summary>
public static class AccessControlMemoryStoreBuilderExtensions
{
    /// <summary>
    /// Adds the access policy (<see cref="AccessControlledMemoryStore"/>): every operation runs as the caller
    /// <paramref name="callers"/> gives. Add it first, so it is the outermost layer.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callers">Gives the caller of each operation.</param>
    /// <param name="configure">Configures the options.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>The builder.</returns>
    public static MemoryStoreBuilder UseAccessControl(this MemoryStoreBuilder builder, IMemoryCallerAccessor callers, Action<MemoryAccessOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callers);
        var options = new MemoryAccessOptions();
        configure?.Invoke(options);
        return builder.Use(inner => new AccessControlledMemoryStore(inner, callers, options, loggerFactory?.CreateLogger<AccessControlledMemoryStore>()));
    }
}
