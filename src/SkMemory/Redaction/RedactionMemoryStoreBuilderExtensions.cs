using Microsoft.Extensions.Logging;
using SkMemory.Redaction;

namespace SkMemory;

/// <summary>Adds <see cref="RedactingMemoryStore"/> to a <see cref="MemoryStoreBuilder"/>.</summary>
public static class RedactionMemoryStoreBuilderExtensions
{
    /// <summary>
    /// Redacts every value written and every search text before the layers below see it. Put it first (outermost) so
    /// nothing below, audit and embedders included, sees a secret.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options, or null for the built-in rules and policy.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static MemoryStoreBuilder UseRedaction(this MemoryStoreBuilder builder, MemoryRedactionOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new RedactingMemoryStore(inner, options, loggerFactory));
    }

    /// <summary>Redacts every value written and every search text, with options set by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static MemoryStoreBuilder UseRedaction(this MemoryStoreBuilder builder, Action<MemoryRedactionOptions> configure, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new MemoryRedactionOptions();
        configure(options);
        return builder.UseRedaction(options, loggerFactory);
    }
}
