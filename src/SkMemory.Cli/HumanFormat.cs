using System.Globalization;
using System.Text;

namespace SkMemory.Cli;

/// <summary>Formatting for human output: times, durations, numbers and truncated text.</summary>
internal static class HumanFormat
{
    /// <summary>Formats a timestamp as UTC to the second, for example <c>2025-03-01 14:05:09Z</c>.</summary>
    public static string Time(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy'-'MM'-'dd' 'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Formats an optional timestamp.</summary>
    public static string Time(DateTimeOffset? value, string none = "-") => value is { } v ? Time(v) : none;

    /// <summary>Formats a duration in the units --ttl accepts, for example <c>30d</c> or <c>1d12h</c>.</summary>
    public static string Duration(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return value.ToString("c", CultureInfo.InvariantCulture);
        }

        var text = new StringBuilder();
        Append(text, value.Days, "d");
        Append(text, value.Hours, "h");
        Append(text, value.Minutes, "m");
        Append(text, value.Seconds, "s");
        if (value.Milliseconds > 0 && text.Length == 0)
        {
            Append(text, value.Milliseconds, "ms");
        }

        return text.Length == 0 ? "0s" : text.ToString();

        static void Append(StringBuilder text, int amount, string unit)
        {
            if (amount > 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
    }

    /// <summary>Formats a number with the invariant culture.</summary>
    public static string Number(double value, string format = "0.####") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Formats a score compactly: three decimals, or scientific notation for tiny values.</summary>
    public static string Score(double value) =>
        value == 0 || Math.Abs(value) >= 0.001 ? Number(value, "0.###") : Number(value, "0.#E+0");

    /// <summary>Formats a count with thousands separators.</summary>
    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Formats a count with its noun, singular or plural.</summary>
    public static string Count(long value, string singular, string? plural = null) =>
        $"{Count(value)} {(value == 1 ? singular : plural ?? singular + "s")}";

    /// <summary>Shortens text to one line of at most <paramref name="width"/> characters, ending in '…' when cut.</summary>
    public static string OneLine(string? text, int width)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var flat = new StringBuilder(Math.Min(text.Length, width + 1));
        var lastWasSpace = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c) || char.IsControl(c);
            if (isSpace && lastWasSpace)
            {
                continue;
            }

            flat.Append(isSpace ? ' ' : c);
            lastWasSpace = isSpace;
            if (flat.Length > width)
            {
                break;
            }
        }

        var line = flat.ToString().Trim();
        return line.Length <= width ? line : string.Concat(line.AsSpan(0, Math.Max(0, width - 1)), "…");
    }
}

/// <summary>
/// A table printed with aligned columns; the last column is not padded. Rows given to <see cref="Add"/> are printed by
/// <see cref="Write"/>, with each column as wide as its widest cell; rows that cannot wait for the last one (a list
/// streamed a page at a time) are printed at once by <see cref="WriteFixedHeader"/> and <see cref="WriteFixed"/>, with
/// each column as wide as its maximum width, so that rows printed apart still line up.
/// </summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly int[] _maxWidths;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <summary>Initializes a new instance of the <see cref="TextTable"/> class.</summary>
    /// <param name="columns">Each column's header, the widest its cells may be (longer cells are cut), and whether it is right-aligned.</param>
    public TextTable(params (string Header, int MaxWidth, bool RightAligned)[] columns)
    {
        _headers = columns.Select(c => c.Header).ToArray();
        _maxWidths = columns.Select(c => c.MaxWidth).ToArray();
        _rightAligned = columns.Select(c => c.RightAligned).ToArray();
    }

    public int Count => _rows.Count;

    public void Add(params string[] cells) => _rows.Add(Cut(cells));

    /// <summary>Prints the header row at once, each column padded to its maximum width.</summary>
    /// <param name="output">Where to print.</param>
    public void WriteFixedHeader(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteRow(output, _headers, _maxWidths);
    }

    /// <summary>Prints one row at once, each column padded to its maximum width (longer cells are cut).</summary>
    /// <param name="output">Where to print.</param>
    /// <param name="cells">The row's cells.</param>
    public void WriteFixed(TextWriter output, params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteRow(output, Cut(cells), _maxWidths);
    }

    public void Write(TextWriter output, bool header = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        var widths = _headers.Select((h, i) => Math.Max(header ? h.Length : 0, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        if (header)
        {
            WriteRow(output, _headers, widths);
        }

        foreach (var row in _rows)
        {
            WriteRow(output, row, widths);
        }
    }

    private string[] Cut(string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"Expected {_headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        return cells.Select((c, i) => HumanFormat.OneLine(c, _maxWidths[i])).ToArray();
    }

    private void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            if (i > 0)
            {
                line.Append("  ");
            }

            line.Append(_rightAligned[i] ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]));
        }

        output.WriteLine(line.ToString().TrimEnd());
    }
}
