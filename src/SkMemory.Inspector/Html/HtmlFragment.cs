namespace SkMemory.Inspector.Html;

/// <summary>
/// Markup that is already safe: built by <see cref="HtmlBuilder"/>, whose interpolation holes are HTML-encoded. Only this
/// type is written into a page unencoded, so user data cannot reach the page without passing the encoder.
/// </summary>
internal readonly record struct HtmlFragment
{
    internal HtmlFragment(string markup) => Markup = markup;

    /// <summary>Gets the markup.</summary>
    public string Markup { get; } = string.Empty;

    /// <summary>Gets the empty fragment.</summary>
    public static HtmlFragment Empty { get; } = new(string.Empty);

    /// <inheritdoc />
    public override string ToString() => Markup;
}
