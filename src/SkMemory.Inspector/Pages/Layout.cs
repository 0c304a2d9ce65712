using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>The page frame: head (embedded stylesheet and script), top bar with who is signed in, main.</summary>
internal static class Layout
{
    public static string Render(string basePath, string title, HtmlFragment body, InspectorRequest? request = null)
    {
        var page = new HtmlBuilder();
        page.Add($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        page.Add($"<title>{title} · SkMemory Inspector</title><link rel=\"stylesheet\" href=\"{basePath}/assets/inspector.css\"><script src=\"{basePath}/assets/inspector.js\" defer></script></head>");
        page.Add($"<body><header class=\"topbar\" data-testid=\"topbar\"><a class=\"brand\" href=\"{basePath}/\" data-testid=\"nav-home\">SkMemory Inspector</a>");
        if (request is not null)
        {
            var roles = request.Caller.Roles.Count == 0 ? "no roles" : string.Join(", ", request.Caller.Roles);
            if (request.MayReview)
            {
                if (request.PendingReviews is { } pending)
                {
                    page.Add($"<a class=\"nav-review\" href=\"{basePath}/review\" data-testid=\"nav-review\">Review queue <span class=\"badge\" data-testid=\"nav-review-count\">{pending}</span></a>");
                }
                else
                {
                    page.Add($"<a class=\"nav-review\" href=\"{basePath}/review\" data-testid=\"nav-review\">Review queue</a>");
                }
            }

            page.Add($"<nav class=\"who\"><span data-testid=\"whoami\" title=\"{roles}\">{request.Caller.Actor} · tenant {request.Tenant} · key {request.Key.Id}</span>");
            page.Add($"<form method=\"post\" action=\"{basePath}/signout\" class=\"inline\">{request.Csrf}<button type=\"submit\" class=\"link\" data-testid=\"signout\">Sign out</button></form></nav>");
        }

        page.Add($"</header><main class=\"container\">{body}</main></body></html>");
        return page.ToString();
    }
}
