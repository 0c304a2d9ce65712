using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using SkMemory.Governance.Retention;
using SkMemory.Inspector.Html;
using SkMemory.Inspector.Pages;

namespace SkMemory.Inspector;

/// <summary>The Inspector's endpoints. GET never changes anything; every POST checks the antiforgery token first.</summary>
internal sealed partial class InspectorApp
{
    private const int CountLimit = 10_000;
    private const int SearchTop = 50;

    private static readonly MemoryScopeKind[] ScopeKinds = Enum.GetValues<MemoryScopeKind>();
    private static readonly MemoryStatus[] Statuses = Enum.GetValues<MemoryStatus>();

    private readonly InspectorOptions _options;
    private readonly InspectorSession _session;
    private readonly IAntiforgery _antiforgery;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly MemoryRetentionPolicy _retention;
    private readonly string _base;

    public InspectorApp(InspectorOptions options, InspectorSession session, IAntiforgery antiforgery, ILoggerFactory loggerFactory)
    {
        _options = options;
        _session = session;
        _antiforgery = antiforgery;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("SkMemory.Inspector");
        _retention = options.RetentionPolicy ?? MemoryRetentionPolicy.CreateDefault();
        _base = options.PathBase;
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(_base);
        group.MapGet("/assets/inspector.css", context => AssetAsync(context, "inspector.css", "text/css; charset=utf-8"));
        group.MapGet("/assets/inspector.js", context => AssetAsync(context, "inspector.js", "text/javascript; charset=utf-8"));
        group.MapGet("/signin", Handle(SignInFormAsync));
        group.MapPost("/signin", Handle(SignInAsync));
        group.MapPost("/signout", Handle(SignOutAsync));
        group.MapGet("/", Handle(BrowseAsync));
        group.MapGet("/memories/{id}", Handle(MemoryAsync));
        group.MapPost("/memories/{id}/correct", Handle(CorrectAsync));
        group.MapPost("/memories/{id}/delete", Handle(DeleteAsync));
        group.MapGet("/subjects/{subject}", Handle(SubjectAsync));
        group.MapPost("/subjects/{subject}/consent", Handle(ConsentAsync));
        group.MapGet("/subjects/{subject}/export.jsonl", Handle(ExportAsync));
        group.MapGet("/review", Handle(ReviewAsync));
        group.MapPost("/review/{id}/approve", Handle(ApproveAsync));
        group.MapPost("/review/{id}/reject", Handle(RejectAsync));
    }

    // ---- sign-in ----

    private async Task SignInFormAsync(HttpContext context)
    {
        if (await _session.ResolveAsync(context).ConfigureAwait(false) is not null)
        {
            context.Response.Redirect(_base + "/");
            return;
        }

        await WritePageAsync(context, StatusCodes.Status200OK, "Sign in", SignInPage.Render(_base, AnonymousCsrf(context), LocalReturnUrl(context.Request.Query["returnUrl"]), null)).ConfigureAwait(false);
    }

    private async Task SignInAsync(HttpContext context)
    {
        if (!await AntiforgeryHoldsAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var returnUrl = LocalReturnUrl(form["returnUrl"]);
        var secret = form["key"].ToString();
        var key = string.IsNullOrWhiteSpace(secret) ? null : await _session.AuthenticateAsync(secret, context.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            LogSignInRefused(_logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            var message = string.IsNullOrWhiteSpace(secret)
                ? "Paste an API key to sign in."
                : "This key is not valid: it is unknown, mistyped or revoked. Check it, or create a new one with 'skmem keys create'.";
            await WritePageAsync(context, StatusCodes.Status401Unauthorized, "Sign in", SignInPage.Render(_base, AnonymousCsrf(context), returnUrl, message)).ConfigureAwait(false);
            return;
        }

        _session.SignIn(context, key);
        LogSignedIn(_logger, key.Id, key.Tenant);
        context.Response.Redirect(returnUrl ?? _base + "/");
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
    }

    private async Task SignOutAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null || !await AntiforgeryHoldsAsync(context).ConfigureAwait(false))
        {
            return;
        }

        _session.SignOut(context);
        SeeOther(context, _base + "/signin");
    }

    // ---- pages ----

    private async Task BrowseAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var query = context.Request.Query;
        var view = new BrowseView
        {
            Subject = Trimmed(query["subject"]),
            Type = Trimmed(query["type"]),
            Scope = Trimmed(query["scope"]),
            Status = Trimmed(query["status"]) ?? "active",
            Text = Trimmed(query["q"]),
        };
        IReadOnlyList<MemoryScopeKind>? scopes = view.Scope is null ? null : [ParseEnum<MemoryScopeKind>(view.Scope, "scope")];
        IReadOnlyList<MemoryStatus> statuses = view.Status == "any" ? Statuses : [ParseEnum<MemoryStatus>(view.Status, "status")];
        IReadOnlyList<string>? types = view.Type is null ? null : [view.Type];
        if (view.Text is { } text)
        {
            var results = await request.Store.SearchAsync(
                new MemorySearchRequest
                {
                    Tenant = request.Tenant,
                    Text = text,
                    Top = SearchTop,
                    Subject = view.Subject,
                    ScopeKinds = scopes,
                    Types = types,
                    Statuses = statuses,
                    IncludeExpired = true,
                },
                context.RequestAborted).ConfigureAwait(false);
            view = view with { Rows = [.. results.Select(r => (r.Record, (double?)r.Score))] };
        }
        else
        {
            var page = await request.Store.ReadAsync(
                new MemoryQuery
                {
                    Tenant = request.Tenant,
                    Subject = view.Subject,
                    ScopeKinds = scopes,
                    Types = types,
                    Statuses = statuses,
                    IncludeExpired = true,
                    PageSize = _options.PageSize,
                    Cursor = Trimmed(query["cursor"]),
                },
                context.RequestAborted).ConfigureAwait(false);
            view = view with { Rows = [.. page.Items.Select(r => (r, (double?)null))], NextCursor = page.NextCursor };
        }

        await WritePageAsync(context, StatusCodes.Status200OK, "Memories", BrowsePage.Render(request, view), request).ConfigureAwait(false);
    }

    private async Task MemoryAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var id = MemoryId(context, request);
        var record = await request.Store.GetAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new MemoryNotFoundException(request.Tenant, id);
        var history = await request.Store.GetHistoryAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false);
        MemoryLineage? lineage = null;
        string? refusal = null;
        try
        {
            lineage = await request.Access.GetLineageAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MemoryAccessDeniedException)
        {
            refusal = "Who read this memory is shown to its subject, to someone acting for it, and to keys with the memory.auditor role.";
        }

        var notice = context.Request.Query["done"].ToString() switch
        {
            "corrected" => "Corrected: this is the new version; the previous one is superseded and stays in the history.",
            "deleted" => "Deleted (soft): the memory is marked deleted; its content stays in the history.",
            _ => null,
        };
        await WritePageAsync(context, StatusCodes.Status200OK, "Memory", MemoryDetailPage.Render(request, new MemoryView(record, history, lineage, refusal, notice)), request).ConfigureAwait(false);
    }

    private async Task SubjectAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var subject = Subject(context);
        var counts = new List<(MemoryStatus, int)>();
        var kinds = new HashSet<(string Type, MemoryScopeKind Scope)>();
        foreach (var status in Statuses)
        {
            var count = 0;
            string? cursor = null;
            do
            {
                var page = await request.Store.ReadAsync(
                    new MemoryQuery { Tenant = request.Tenant, Subject = subject, Statuses = [status], IncludeExpired = true, PageSize = MemoryQuery.MaxPageSize, Cursor = cursor },
                    context.RequestAborted).ConfigureAwait(false);
                count += page.Items.Count;
                foreach (var item in page.Items)
                {
                    kinds.Add((item.Type, item.Scope.Kind));
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null && count < CountLimit);
            counts.Add((status, count));
        }

        var consents = await ConsentsAsync(request, subject, context.RequestAborted).ConfigureAwait(false);
        var retention = kinds.OrderBy(k => k.Type, StringComparer.Ordinal).ThenBy(k => k.Scope)
            .Select(k => $"{k.Type} ({Format.Name(k.Scope)}): {_retention.Resolve(k.Type, k.Scope)}")
            .ToList();
        if (retention.Count == 0)
        {
            retention.Add($"no memories you can see; by default: {_retention.Default}");
        }

        retention.Add(_retention.ConsentRevokedPurgeAfterDays is { } days
            ? $"after consent is revoked: purged {days} days later"
            : "after consent is revoked: hidden from reads, not purged by the sweeper");
        var notice = context.Request.Query["done"].ToString() switch
        {
            "revoked" => "Consent revoked: the subject's memories of that scope kind are hidden from every read from now on.",
            "granted" => "Consent granted.",
            _ => null,
        };
        var view = new SubjectView
        {
            Subject = subject,
            Counts = counts,
            CountLimit = CountLimit,
            Consents = consents,
            MayChangeConsent = MayChangeConsent(request.Caller, subject),
            Retention = retention,
            RetentionSource = _retention.Source,
            Notice = notice,
        };
        await WritePageAsync(context, StatusCodes.Status200OK, subject, SubjectPage.Render(request, view), request).ConfigureAwait(false);
    }

    // ---- actions ----

    private async Task CorrectAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null || !await AntiforgeryHoldsAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var id = MemoryId(context, request);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var text = Trimmed(form["text"]) ?? throw new MemoryValidationException("text", "The corrected text is empty. Write what the memory should say, or delete the memory instead.");
        var reason = Required(form["reason"], "a correction");
        var result = await request.Store.SupersedeAsync(
            new MemorySupersedeRequest
            {
                Tenant = request.Tenant,
                Id = id,
                ExpectedVersion = long.TryParse(form["version"], out var version) ? version : null,
                Actor = request.Caller.Actor,
                Reason = reason,
                Value = new MemoryValue(text, (await request.Store.GetAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false))?.Value.Structured),
            },
            context.RequestAborted).ConfigureAwait(false);
        LogCorrected(_logger, request.Key.Id, id, result.Current.Id);
        SeeOther(context, Format.MemoryUrl(_base, result.Current.Id) + "?done=corrected");
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null || !await AntiforgeryHoldsAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var id = MemoryId(context, request);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var reason = Required(form["reason"], "a deletion");
        var mode = form["mode"].ToString();
        if (mode is not ("soft" or "purge"))
        {
            throw new MemoryValidationException("mode", "choose how to delete: purge (erase the content, with an attestation) or soft (mark deleted)");
        }

        if (mode == "soft")
        {
            await request.Store.DeleteAsync(
                new MemoryDeleteRequest
                {
                    Tenant = request.Tenant,
                    Id = id,
                    Reason = reason,
                    Actor = request.Caller.Actor,
                    ExpectedVersion = long.TryParse(form["version"], out var version) ? version : null,
                },
                context.RequestAborted).ConfigureAwait(false);
            LogDeleted(_logger, request.Key.Id, id, "soft");
            SeeOther(context, Format.MemoryUrl(_base, id) + "?done=deleted");
            return;
        }

        // A purge of an id the caller cannot see must look like a missing memory, not reveal it exists elsewhere.
        _ = await request.Store.GetAsync(request.Tenant, id, context.RequestAborted).ConfigureAwait(false) ?? throw new MemoryNotFoundException(request.Tenant, id);
        var attestation = await request.Store.PurgeAsync(
            new MemoryPurgeRequest { Tenant = request.Tenant, Ids = [id], Reason = reason, Actor = request.Caller.Actor },
            context.RequestAborted).ConfigureAwait(false);
        LogDeleted(_logger, request.Key.Id, id, "purge");
        await WritePageAsync(context, StatusCodes.Status200OK, "Deletion attestation", AttestationPage.Render(request, attestation), request).ConfigureAwait(false);
    }

    private async Task ConsentAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null || !await AntiforgeryHoldsAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var subject = Subject(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var scope = ParseEnum<MemoryScopeKind>(Trimmed(form["scope"]) ?? string.Empty, "scope");
        var state = ParseEnum<MemoryConsentState>(Trimmed(form["state"]) ?? "revoked", "state");
        var reason = Required(form["reason"], "a consent change");
        var consents = ConsentStore(request);
        if (!MayChangeConsent(request.Caller, subject))
        {
            var denial = new MemoryAccessDenial
            {
                Tenant = request.Tenant,
                Actor = request.Caller.Actor,
                Operation = "consent",
                Subject = subject,
                Scope = Format.Name(scope),
                Reason = MemoryAccessDenialReason.NotSubject,
                Detail = $"{request.Caller.Actor} cannot change the consent of subject '{subject}': that needs the subject itself, someone acting for it, or the {MemoryRoles.Admin} role.",
                DeniedAt = _options.TimeProvider.GetUtcNow(),
            };
            await ((IMemoryAuditLog)_options.Store.GetService(typeof(IMemoryAuditLog))!).RecordDenialAsync(denial, context.RequestAborted).ConfigureAwait(false);
            throw new MemoryAccessDeniedException(denial);
        }

        var current = await consents.GetAsync(request.Tenant, subject, scope, context.RequestAborted).ConfigureAwait(false);
        var now = _options.TimeProvider.GetUtcNow();
        await consents.SetAsync(
            new MemoryConsent
            {
                Tenant = request.Tenant,
                Subject = subject,
                Scope = scope,
                State = state,
                Purpose = current?.Purpose ?? "all purposes",

                // A grant keeps the end date the subject gave, while it is still ahead; a lapsed one is not revived with it.
                ExpiresAt = state == MemoryConsentState.Granted && current?.ExpiresAt is { } end && end > now ? end : null,
                ChangedAt = now,
                ChangedBy = request.Caller.Actor,
                Reason = reason,
            },
            context.RequestAborted).ConfigureAwait(false);
        LogConsent(_logger, request.Key.Id, subject, Format.Name(scope), Format.Name(state));
        SeeOther(context, Format.SubjectUrl(_base, subject) + "?done=" + Format.Name(state));
    }

    private async Task ExportAsync(HttpContext context)
    {
        var request = await BeginAsync(context).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        var subject = Subject(context);
        MemoryQuery Query(string? cursor) => new() { Tenant = request.Tenant, Subject = subject, Statuses = Statuses, IncludeExpired = true, PageSize = 500, Cursor = cursor };

        // The first page is read before the response starts, so a refusal still gets its error page.
        var page = await request.Store.ReadAsync(Query(null), context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/x-ndjson; charset=utf-8";
        var fileName = new string([.. subject.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"skmemory-{fileName}.jsonl\"";
        var count = 0;
        while (true)
        {
            var lines = new StringBuilder();
            foreach (var record in page.Items)
            {
                lines.Append(MemoryJson.SerializeRecord(record)).Append('\n');
            }

            count += page.Items.Count;
            await context.Response.WriteAsync(lines.ToString(), context.RequestAborted).ConfigureAwait(false);
            if (page.NextCursor is not { } cursor)
            {
                break;
            }

            page = await request.Store.ReadAsync(Query(cursor), context.RequestAborted).ConfigureAwait(false);
        }

        LogExported(_logger, request.Key.Id, subject, count);
    }
}
