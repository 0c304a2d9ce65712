using System.Collections.Concurrent;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using SkMemory.Inspector.Html;
using SkMemory.Inspector.Pages;

namespace SkMemory.Inspector;

/// <summary>Sessions, the governed store per request, antiforgery, error pages, response headers and logging.</summary>
internal sealed partial class InspectorApp
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly ConcurrentDictionary<string, byte[]> Assets = new(StringComparer.Ordinal);

    /// <summary>Wraps a handler: security headers on every response, and memory errors as friendly pages with their status.</summary>
    private RequestDelegate Handle(Func<HttpContext, Task> handler) => async context =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ex is not OperationCanceledException)
        {
            var (status, title, message, advice) = ex switch
            {
                MemoryNotFoundException => (StatusCodes.Status404NotFound, "Memory not found",
                    "There is no memory with this id in your tenant.", "It may have been mistyped, or belong to another tenant. Go back to the list and pick it from there."),
                MemoryAccessDeniedException denied => (StatusCodes.Status403Forbidden, "Not allowed",
                    ForViewer(denied.Denial), "The refusal is recorded in the audit log. Sign in with a key that may do this (the subject's own key, or one with the role named above)."),
                MemoryValidationException invalid => (StatusCodes.Status400BadRequest, "Check the form",
                    invalid.Message, "Go back, fix the field and send the form again."),
                MemoryConcurrencyException or MemoryConflictException => (StatusCodes.Status409Conflict, "Changed meanwhile",
                    ex.Message, "Someone changed this memory after you opened it. Open it again to see the current version, then retry."),
                MemoryException => (StatusCodes.Status400BadRequest, "Not possible", ex.Message, "Go back and check what you asked for."),
                BadHttpRequestException bad => (bad.StatusCode, "Bad request", "The request could not be read.", "Go back and send the form again."),
                _ => (StatusCodes.Status500InternalServerError, "Something went wrong",
                    "The Inspector could not finish this request. Nothing about it was shown here; the details are in the server's log.", "Try again; if it keeps failing, check the server's log."),
            };
            if (status == StatusCodes.Status500InternalServerError)
            {
                LogFailed(_logger, context.Request.Path.Value ?? string.Empty, ex);
            }

            var request = context.Items.TryGetValue(typeof(InspectorRequest), out var item) ? item as InspectorRequest : null;
            await WriteErrorAsync(context, status, title, message, advice, request).ConfigureAwait(false);
        }
    };

    /// <summary>
    /// The signed-in request, with the store built for its caller: access control as the key's caller, then the configured
    /// layers. Without a live session it redirects to the sign-in page and returns null.
    /// </summary>
    private async Task<InspectorRequest?> BeginAsync(HttpContext context)
    {
        var key = await _session.ResolveAsync(context).ConfigureAwait(false);
        if (key is null)
        {
            var back = HttpMethods.IsGet(context.Request.Method) ? context.Request.Path + context.Request.QueryString : _base + "/";
            context.Response.Redirect(_base + "/signin?returnUrl=" + Uri.EscapeDataString(back));
            return null;
        }

        context.User = InspectorSession.Principal(key);

        // Built per request and not disposed: disposing would dispose the canonical store underneath.
        var builder = new MemoryStoreBuilder(_options.Store).UseAccessControl(MemoryCallerAccessor.Fixed(key.ToCaller("memory inspector")), loggerFactory: _loggerFactory);
        var store = (_options.ConfigureStore is null ? builder : _options.ConfigureStore(builder)).Build();
        var request = new InspectorRequest(context, key, store, _antiforgery, _base);
        context.Items[typeof(InspectorRequest)] = request;
        if (request.MayReview && request.Review is not null && ReviewStore is { } reviews)
        {
            request.PendingReviews = (await reviews.ListAsync(request.Tenant, MemoryReviewState.Pending, context.RequestAborted).ConfigureAwait(false)).Count;
        }

        return request;
    }

    /// <summary>Checks the antiforgery token of a POST; without a valid one, answers 400 and returns false.</summary>
    private async Task<bool> AntiforgeryHoldsAsync(HttpContext context)
    {
        try
        {
            await _antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            return true;
        }
        catch (AntiforgeryValidationException ex)
        {
            LogAntiforgery(_logger, context.Request.Path.Value ?? string.Empty, ex.Message);
            var request = context.Items.TryGetValue(typeof(InspectorRequest), out var item) ? item as InspectorRequest : null;
            await WriteErrorAsync(
                context,
                StatusCodes.Status400BadRequest,
                "Form expired",
                "The form was missing its security token, or the token belongs to another session. Nothing was changed.",
                "Reload the page and send the form again.",
                request).ConfigureAwait(false);
            return false;
        }
    }

    private HtmlFragment AnonymousCsrf(HttpContext context)
    {
        var tokens = _antiforgery.GetAndStoreTokens(context);
        return HtmlBuilder.Of($"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\">");
    }

    private Task WritePageAsync(HttpContext context, int status, string title, HtmlFragment body, InspectorRequest? request = null)
    {
        var html = Layout.Render(_base, title, body, request);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>Writes an error page: what happened (<paramref name="message"/>) and what to do (<paramref name="advice"/>), with its status.</summary>
    private Task WriteErrorAsync(HttpContext context, int status, string title, string message, string advice, InspectorRequest? request) =>
        WritePageAsync(context, status, title, ErrorPage.Render(_base, status, title, message, advice), request);

    private static Task AssetAsync(HttpContext context, string name, string contentType)
    {
        var bytes = Assets.GetOrAdd(name, static n =>
        {
            using var stream = typeof(InspectorApp).Assembly.GetManifestResourceStream("SkMemory.Inspector." + n)
                ?? throw new InvalidOperationException($"The embedded asset {n} is missing from the assembly.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "public, max-age=3600";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static void SeeOther(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
    }

    private string? LocalReturnUrl(StringValues value)
    {
        var url = value.ToString();
        return url.StartsWith(_base + "/", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            && !url.StartsWith(_base + "/signin", StringComparison.Ordinal)
            ? url
            : null;
    }

    private static string? Trimmed(StringValues value)
    {
        var text = value.ToString().Trim();
        return text.Length == 0 ? null : text;
    }

    private static string Required(StringValues value, string what) =>
        Trimmed(value) ?? throw new MemoryValidationException("reason", $"A reason is required for {what}: it is recorded with the change and shown in the history.");

    private static TEnum ParseEnum<TEnum>(string name, string field)
        where TEnum : struct, Enum =>
        MemoryJson.TryParseEnum<TEnum>(name, out var value)
            ? value
            : throw new MemoryValidationException(field, $"'{name}' is not a {field}; use one of: {string.Join(", ", MemoryJson.EnumNamesOf<TEnum>())}.");

    private static Guid MemoryId(HttpContext context, InspectorRequest request) =>
        Guid.TryParse(context.Request.RouteValues["id"] as string, out var id) ? id : throw new MemoryNotFoundException(request.Tenant, Guid.Empty);

    private static string Subject(HttpContext context) =>
        Trimmed(context.Request.RouteValues["subject"] as string) ?? throw new MemoryValidationException("subject", "The subject is empty.");

    private static bool MayChangeConsent(MemoryCaller caller, string subject) => caller.ActsFor(subject) || caller.HasRole(MemoryRoles.Admin);

    private static bool MaySeeConsent(MemoryCaller caller, string subject) => caller.ActsFor(subject) || caller.HasRole(MemoryRoles.ReadAll);

    private IMemoryConsentStore ConsentStore(InspectorRequest request) =>
        _options.Store.GetService(typeof(IMemoryConsentStore)) as IMemoryConsentStore
        ?? throw new MemoryValidationException("consent", $"The store of tenant '{request.Tenant}' keeps no consents; use the SQLite or Postgres store.");

    private async Task<IReadOnlyDictionary<MemoryScopeKind, MemoryConsent?>?> ConsentsAsync(InspectorRequest request, string subject, CancellationToken cancellationToken)
    {
        if (!MaySeeConsent(request.Caller, subject) || _options.Store.GetService(typeof(IMemoryConsentStore)) is not IMemoryConsentStore consents)
        {
            return null;
        }

        var all = await consents.ListAsync(request.Tenant, subject, cancellationToken).ConfigureAwait(false);
        return ScopeKinds.ToDictionary(k => k, k => all.FirstOrDefault(c => c.Scope == k));
    }

    [LoggerMessage(1201, LogLevel.Information, "Inspector: key {KeyId} of tenant {Tenant} signed in.")]
    private static partial void LogSignedIn(ILogger logger, string keyId, string tenant);

    [LoggerMessage(1202, LogLevel.Warning, "Inspector: refused a sign-in with an invalid key (from {Remote}).")]
    private static partial void LogSignInRefused(ILogger logger, string remote);

    [LoggerMessage(1203, LogLevel.Warning, "Inspector: refused a POST to {Path} without a valid antiforgery token: {Reason}")]
    private static partial void LogAntiforgery(ILogger logger, string path, string reason);

    [LoggerMessage(1204, LogLevel.Information, "Inspector: key {KeyId} corrected memory {Id}; the new version is {NewId}.")]
    private static partial void LogCorrected(ILogger logger, string keyId, Guid id, Guid newId);

    [LoggerMessage(1205, LogLevel.Information, "Inspector: key {KeyId} deleted memory {Id} ({Mode}).")]
    private static partial void LogDeleted(ILogger logger, string keyId, Guid id, string mode);

    [LoggerMessage(1206, LogLevel.Information, "Inspector: key {KeyId} set consent of {Subject} for {Scope} to {State}.")]
    private static partial void LogConsent(ILogger logger, string keyId, string subject, string scope, string state);

    [LoggerMessage(1207, LogLevel.Information, "Inspector: key {KeyId} exported {Count} memories of {Subject}.")]
    private static partial void LogExported(ILogger logger, string keyId, string subject, int count);

    [LoggerMessage(1208, LogLevel.Error, "Inspector: a request to {Path} failed.")]
    private static partial void LogFailed(ILogger logger, string path, Exception exception);

    /// <summary>
    /// What a refusal tells the viewer: a missing role is named, but whose memory it is (subject, team, consent history) is
    /// not, since the viewer may not read it; the audit log keeps the full detail.
    /// </summary>
    private static string ForViewer(MemoryAccessDenial denial) => denial.Reason switch
    {
        MemoryAccessDenialReason.MissingRole or MemoryAccessDenialReason.NoCaller => denial.Detail,
        MemoryAccessDenialReason.CrossTenant => "This belongs to another tenant.",
        _ => "Your key may not see or change this memory: it belongs to a subject, team or consent scope your key does not act for.",
    };
}
