using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Inspector;

/// <summary>Maps the Memory Inspector's pages onto a web application (for example through <c>SkMemoryHttpServerOptions.ConfigureApp</c>).</summary>
public static class InspectorEndpoints
{
    /// <summary>
    /// Maps the Inspector under <see cref="InspectorOptions.PathBase"/>: sign-in with an API key, browse, memory, subject,
    /// and the correct, delete, consent and export actions. Every request runs as the signed-in key's caller through access
    /// control; every POST needs an antiforgery token. The Inspector brings its own antiforgery and data protection, so
    /// the application needs no extra services.
    /// </summary>
    /// <param name="app">The application, not yet started.</param>
    /// <param name="options">The store and settings.</param>
    /// <returns>The application.</returns>
    /// <exception cref="ArgumentException">The store keeps no API keys or audit log, or the path base is not like <c>/inspector</c>.</exception>
    public static WebApplication MapSkMemoryInspector(this WebApplication app, InspectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store);
        if (!options.PathBase.StartsWith('/') || options.PathBase.EndsWith('/') || options.PathBase.Length < 2)
        {
            throw new ArgumentException($"PathBase must start with '/' and not end with one, like /inspector; it is \"{options.PathBase}\".", nameof(options));
        }

        if (options.PageSize is < 1 or > MemoryQuery.MaxPageSize)
        {
            throw new ArgumentException($"PageSize must be between 1 and {MemoryQuery.MaxPageSize}; it is {options.PageSize}.", nameof(options));
        }

        var keys = options.Store.GetService(typeof(IMemoryApiKeyStore)) as IMemoryApiKeyStore
            ?? throw new ArgumentException("The store keeps no API keys (IMemoryApiKeyStore); the Inspector signs in with them. Use the SQLite or Postgres store.", nameof(options));
        _ = options.Store.GetService(typeof(IMemoryAuditLog)) as IMemoryAuditLog
            ?? throw new ArgumentException("The store keeps no audit log (IMemoryAuditLog); access control needs one.", nameof(options));

        // The Inspector's own antiforgery and data protection, so the host needs no service registrations (the MCP server's
        // application is built before ConfigureApp runs). Keys are kept where ASP.NET Core keeps them by default.
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddDataProtection().SetApplicationName("SkMemory.Inspector");
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "skm_inspector_csrf";
            o.Cookie.Path = options.PathBase;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__csrf";
            o.HeaderName = null;
        });
        var provider = services.BuildServiceProvider();
        app.Lifetime.ApplicationStopped.Register(provider.Dispose);
        var loggerFactory = app.Services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var inspector = new InspectorApp(
            options,
            new InspectorSession(provider.GetRequiredService<IDataProtectionProvider>(), keys, options),
            provider.GetRequiredService<IAntiforgery>(),
            loggerFactory);
        inspector.Map(app);
        return app;
    }
}
