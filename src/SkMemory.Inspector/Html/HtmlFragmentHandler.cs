using System.Runtime.CompilerServices;

namespace SkMemory.Inspector.Html;

/// <summary>Builds one <see cref="HtmlFragment"/> from an interpolated string: literals as markup, holes encoded.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlFragmentHandler
{
    private readonly HtmlBuilder _builder = new();

    public HtmlFragmentHandler(int literalLength, int formattedCount)
    {
        _ = literalLength;
        _ = formattedCount;
    }

    public readonly void AppendLiteral(string value) => _builder.AppendLiteral(value);

    public readonly void AppendFormatted(HtmlFragment fragment) => _builder.AppendLiteral(fragment.Markup);

    public readonly void AppendFormatted<T>(T value) => _builder.AppendEncoded(HtmlInterpolatedStringHandler.Format(value, null));

    public readonly void AppendFormatted<T>(T value, string? format) => _builder.AppendEncoded(HtmlInterpolatedStringHandler.Format(value, format));

    public readonly HtmlFragment ToFragment() => _builder.ToFragment();
}
