using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace SkMemory.Inspector.Html;

/// <summary>
/// Builds a page from interpolated strings: the literal parts are the page's own markup, every hole is HTML-encoded
/// (with <see cref="HtmlEncoder"/>, which also encodes quotes, so holes are safe inside quoted attributes) unless it is
/// an <see cref="HtmlFragment"/> built the same way. There is no method that appends a plain string unencoded.
/// </summary>
internal sealed class HtmlBuilder
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly StringBuilder _builder = new();

    /// <summary>Appends markup; holes are encoded.</summary>
    /// <param name="markup">The interpolated markup.</param>
    /// <returns>This builder.</returns>
    public HtmlBuilder Add([InterpolatedStringHandlerArgument("")] ref HtmlInterpolatedStringHandler markup)
    {
        _ = markup;
        return this;
    }

    /// <summary>Appends a fragment built elsewhere.</summary>
    /// <param name="fragment">The fragment.</param>
    /// <returns>This builder.</returns>
    public HtmlBuilder Add(HtmlFragment fragment)
    {
        _builder.Append(fragment.Markup);
        return this;
    }

    /// <summary>Encodes a value on its own, as a fragment.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The encoded text.</returns>
    public static HtmlFragment Text(string? text) => new(Encode(text));

    /// <summary>Builds a fragment from one interpolated string.</summary>
    /// <param name="markup">The markup.</param>
    /// <returns>The fragment.</returns>
    public static HtmlFragment Of(ref HtmlFragmentHandler markup) => markup.ToFragment();

    /// <summary>Gets the markup built so far as a fragment.</summary>
    /// <returns>The fragment.</returns>
    public HtmlFragment ToFragment() => new(_builder.ToString());

    /// <inheritdoc />
    public override string ToString() => _builder.ToString();

    internal void AppendLiteral(string literal) => _builder.Append(literal);

    internal void AppendEncoded(string? value) => _builder.Append(Encode(value));

    internal static string Encode(string? value) => string.IsNullOrEmpty(value) ? string.Empty : Encoder.Encode(value);
}
