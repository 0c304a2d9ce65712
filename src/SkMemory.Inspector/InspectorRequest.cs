using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using SkMemory.Governance;
using SkMemory.Governance.Review;
using SkMemory.Inspector.Html;

namespace SkMemory.Inspector;

/// <summary>
/// One signed-in request: the key and its caller, and the governed store built for this caller alone (access control
/// outermost, then the configured layers). Every read and change of the page goes through <see cref="Store"/>.
/// </summary>
internal sealed class InspectorRequest
{
    private readonly IAntiforgery _antiforgery;
    private AntiforgeryTokenSet? _tokens;

    public InspectorRequest(HttpContext http, MemoryApiKey key, IMemoryStore store, IAntiforgery antiforgery, string basePath)
    {
        Http = http;
        Key = key;
        Caller = key.ToCaller("memory inspector");
        Store = store;
        Access = store.GetService(typeof(AccessControlledMemoryStore)) as AccessControlledMemoryStore
            ?? throw new InvalidOperationException("The store stack lost its access-control layer; ConfigureStore must add layers to the builder it is given.");
        Review = store.GetService(typeof(ReviewingMemoryStore)) as ReviewingMemoryStore;
        _antiforgery = antiforgery;
        Base = basePath;
    }

    public HttpContext Http { get; }

    public MemoryApiKey Key { get; }

    public MemoryCaller Caller { get; }

    public string Tenant => Caller.Tenant;

    public IMemoryStore Store { get; }

    public AccessControlledMemoryStore Access { get; }

    public string Base { get; }

    /// <summary>The review layer of the stack, or null when no review policy is configured.</summary>
    public ReviewingMemoryStore? Review { get; }

    /// <summary>Whether the caller may see and decide the review queue (the admin role).</summary>
    public bool MayReview => Caller.HasRole(MemoryRoles.Admin);

    /// <summary>The tenant's pending review items, for the navigation; null when not counted (no admin, or no review layer).</summary>
    public int? PendingReviews { get; set; }

    /// <summary>The hidden antiforgery field every POST form carries.</summary>
    public HtmlFragment Csrf
    {
        get
        {
            _tokens ??= _antiforgery.GetAndStoreTokens(Http);
            return HtmlBuilder.Of($"<input type=\"hidden\" name=\"{_tokens.FormFieldName}\" value=\"{_tokens.RequestToken}\">");
        }
    }
}
