using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SkMemory.Inspector.Html;

namespace SkMemory.Inspector.Pages;

/// <summary>How values are shown: times, scopes, links, JSON.</summary>
internal static class Format
{
    /// <summary>A <c>&lt;time&gt;</c> with the UTC ISO instant; the page script shows it in the viewer's local time.</summary>
    public static HtmlFragment Time(DateTimeOffset? at)
    {
        if (at is not { } value)
        {
            return HtmlBuilder.Of($"<span class=\"muted\">—</span>");
        }

        var utc = value.ToUniversalTime();
        return HtmlBuilder.Of($"<time datetime=\"{utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\">{utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>");
    }

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => MemoryJson.EnumName(value);

    public static HtmlFragment Status(MemoryStatus status) =>
        HtmlBuilder.Of($"<span class=\"badge status-{Name(status)}\" data-testid=\"status\">{Name(status)}</span>");

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string MemoryUrl(string basePath, Guid id) => basePath + "/memories/" + id.ToString("D");

    public static string SubjectUrl(string basePath, string subject) => basePath + "/subjects/" + Uri.EscapeDataString(subject);

    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? Number(span.TotalDays) + " days"
        : span.TotalHours >= 1 ? Number(span.TotalHours) + " hours"
        : Number(span.TotalMinutes) + " minutes";

    /// <summary>Indented JSON for people; relaxed escaping is safe because the page HTML-encodes it.</summary>
    public static string Indented(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A one-line preview of a memory's text.</summary>
    public static string Preview(string text, int max = 140) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
