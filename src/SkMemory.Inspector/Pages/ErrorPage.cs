using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>A friendly page for what went wrong and what to do; never a stack trace.</summary>
internal static class ErrorPage
{
    public static HtmlFragment Render(string basePath, int status, string title, string message, string advice)
    {
        var h = new HtmlBuilder();
        h.Add($"<section class=\"card narrow\" data-testid=\"error\" data-status=\"{status}\"><h1 data-testid=\"error-title\">{title}</h1>");
        h.Add($"<p data-testid=\"error-message\">{message}</p><p class=\"muted\" data-testid=\"error-advice\">{advice}</p>");
        h.Add($"<p><a href=\"{basePath}/\" data-testid=\"error-home\">Back to the memories</a></p></section>");
        return h.ToFragment();
    }
}
