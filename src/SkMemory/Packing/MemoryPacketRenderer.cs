using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace SkMemory.Packing;

/// <summary>Renders memories as quoted, escaped data lines inside a fixed <c>&lt;memories&gt;</c> frame.</summary>
internal static class MemoryPacketRenderer
{
    /// <summary>The opening tag of the block.</summary>
    internal const string OpenTag = "<memories>";

    /// <summary>The closing tag of the block.</summary>
    internal const string CloseTag = "</memories>";

    /// <summary>
    /// Escapes like JSON and, whatever the allowed ranges, also escapes HTML-sensitive characters (<c>&lt; &gt; &amp; ' " + `</c>),
    /// control characters and line breaks, so a memory can neither leave its quotes nor close or open a tag.
    /// </summary>
    internal static readonly JavaScriptEncoder QuotedDataEncoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    /// <summary>Renders the part of the packet before the memory lines.</summary>
    /// <param name="header">The trusted header line, or empty for none.</param>
    /// <returns>The opening tag and header, each followed by a line break.</returns>
    internal static string Opening(string header) => header.Length == 0 ? OpenTag + "\n" : OpenTag + "\n" + header + "\n";

    /// <summary>Renders one memory as a single line (with its trailing line break) in which all memory text is a quoted, escaped string.</summary>
    /// <param name="record">The memory.</param>
    /// <returns>For example <c>- [memory:&lt;id&gt;] (preference, confidence 0.90, since 2025-05-08) "Ana prefers oat milk"</c>.</returns>
    internal static string Line(MemoryRecord record) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"- [memory:{record.Id:D}] ({Escape(record.Type)}, confidence {record.Confidence:0.00}, since {record.ValidFrom.UtcDateTime:yyyy-MM-dd}) \"{Escape(record.Value.Text)}\"\n");

    /// <summary>Joins the frame and memory lines into the packet text.</summary>
    /// <param name="opening">The opening from <see cref="Opening"/>.</param>
    /// <param name="lines">The memory lines, each ending in a line break.</param>
    /// <returns>The packet text.</returns>
    internal static string Compose(string opening, IEnumerable<string> lines)
    {
        var builder = new StringBuilder(opening);
        foreach (var line in lines)
        {
            builder.Append(line);
        }

        return builder.Append(CloseTag).ToString();
    }

    private static string Escape(string text) => JsonEncodedText.Encode(text, QuotedDataEncoder).Value;
}
