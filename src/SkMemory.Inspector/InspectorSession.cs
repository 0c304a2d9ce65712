using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace SkMemory.Inspector;

/// <summary>
/// The sign-in: an HttpOnly, SameSite=Strict cookie (Secure on HTTPS) holding the tenant and id of the API key, protected
/// and time-limited with ASP.NET Core data protection. The key is looked up again on every request, so a revoked key
/// stops working at once, and the caller (actor, roles, teams) always comes from the key as it is now.
/// </summary>
internal sealed class InspectorSession
{
    public const string CookieName = "skm_inspector";
    public const string AuthenticationType = "SkMemoryInspector";

    private readonly ITimeLimitedDataProtector _protector;
    private readonly IMemoryApiKeyStore _keys;
    private readonly InspectorOptions _options;

    public InspectorSession(IDataProtectionProvider protection, IMemoryApiKeyStore keys, InspectorOptions options)
    {
        _protector = protection.CreateProtector("SkMemory.Inspector.Session.v1").ToTimeLimitedDataProtector();
        _keys = keys;
        _options = options;
    }

    /// <summary>Checks a pasted secret; null when it is unknown, wrong or revoked.</summary>
    public Task<MemoryApiKey?> AuthenticateAsync(string secret, CancellationToken cancellationToken) => _keys.AuthenticateAsync(secret.Trim(), cancellationToken);

    /// <summary>Starts a session for <paramref name="key"/>.</summary>
    public void SignIn(HttpContext context, MemoryApiKey key)
    {
        var ticket = _protector.Protect(key.Tenant + "\n" + key.Id, _options.SessionLifetime);
        context.Response.Cookies.Append(CookieName, ticket, CookieOptions(context));
    }

    /// <summary>Ends the session.</summary>
    public void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(context));

    /// <summary>The live key of the request's session, or null (no cookie, tampered, expired, or the key is revoked).</summary>
    public async Task<MemoryApiKey?> ResolveAsync(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var ticket) || string.IsNullOrEmpty(ticket))
        {
            return null;
        }

        string payload;
        try
        {
            payload = _protector.Unprotect(ticket);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('\n');
        if (parts.Length != 2)
        {
            return null;
        }

        var key = await _keys.GetAsync(parts[1], context.RequestAborted).ConfigureAwait(false);
        return key is { RevokedAt: null } && key.Tenant == parts[0] ? key : null;
    }

    /// <summary>The principal antiforgery tokens are bound to: the key's id, so a token of one session fails in another.</summary>
    public static ClaimsPrincipal Principal(MemoryApiKey key) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, key.Tenant + "/" + key.Id), new Claim("tenant", key.Tenant)], AuthenticationType));

    private CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = _options.PathBase,
        IsEssential = true,
    };
}
