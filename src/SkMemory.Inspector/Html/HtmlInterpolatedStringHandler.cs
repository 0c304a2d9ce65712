using System.Globalization;
using System.Runtime.CompilerServices;

namespace SkMemory.Inspector.Html;

/// <summary>Appends an interpolated string to an <see cref="HtmlBuilder"/>: literals as markup, holes encoded.</summary>
[InterpolatedStringHandler]
internal readonly ref struct HtmlInterpolatedStringHandler
{
    private readonly HtmlBuilder _builder;

    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount, HtmlBuilder builder)
    {
        _ = literalLength;
        _ = formattedCount;
        _builder = builder;
    }

    public void AppendLiteral(string value) => _builder.AppendLiteral(value);

    public void AppendFormatted(HtmlFragment fragment) => _builder.AppendLiteral(fragment.Markup);

    public void AppendFormatted<T>(T value) => _builder.AppendEncoded(Format(value, null));

    public void AppendFormatted<T>(T value, string? format) => _builder.AppendEncoded(Format(value, format));

    internal static string? Format<T>(T value, string? format) => value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
