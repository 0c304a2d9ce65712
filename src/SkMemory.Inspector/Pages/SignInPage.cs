using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>The sign-in form: paste an API key.</summary>
internal static class SignInPage
{
    public static HtmlFragment Render(string basePath, HtmlFragment csrf, string? returnUrl, string? error)
    {
        var h = new HtmlBuilder();
        h.Add($"<section class=\"card narrow\" data-testid=\"signin\"><h1>Sign in</h1>");
        h.Add($"<p>Paste an SkMemory API key (<code>skm_…</code>), the same kind of key an MCP client uses. Create one with <code>skmem keys create --actor user:&lt;you&gt;</code>; add <code>--role memory.admin</code> to see the whole tenant.</p>");
        if (error is not null)
        {
            h.Add($"<p class=\"alert error\" role=\"alert\" data-testid=\"signin-error\">{error}</p>");
        }

        h.Add($"<form method=\"post\" action=\"{basePath}/signin\" data-testid=\"signin-form\">{csrf}");
        if (returnUrl is not null)
        {
            h.Add($"<input type=\"hidden\" name=\"returnUrl\" value=\"{returnUrl}\">");
        }

        h.Add($"<label for=\"key\">API key</label><input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" required spellcheck=\"false\" data-testid=\"signin-key\">");
        h.Add($"<button type=\"submit\" class=\"primary\" data-testid=\"signin-submit\">Sign in</button></form>");
        h.Add($"<p class=\"muted small\">The key stays on the server: the browser keeps only a signed session cookie (HttpOnly, SameSite=Strict). Revoking the key ends the session.</p></section>");
        return h.ToFragment();
    }
}
