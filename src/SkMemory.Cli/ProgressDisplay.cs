using System.Diagnostics;
using System.Globalization;

namespace SkMemory.Cli;

/// <summary>How progress is shown on stderr.</summary>
internal enum ProgressMode
{
    /// <summary>Only the final summary.</summary>
    SummaryOnly,

    /// <summary>One line every few thousand items, then the summary (stderr is a file or pipe).</summary>
    Lines,

    /// <summary>One line rewritten in place with '\r', then the summary (stderr is a terminal).</summary>
    Live,
}

/// <summary>
/// A progress indicator on stderr for long operations (export, import, list --all). Disposing it without
/// <see cref="Complete"/> (the operation failed) clears the live line, so the error starts on its own line.
/// </summary>
internal sealed class ProgressDisplay : IDisposable
{
    /// <summary>How many items pass between two progress lines when stderr is not a terminal.</summary>
    public const long LineInterval = 5000;

    private static readonly long LiveIntervalTicks = Stopwatch.Frequency / 10;
    private readonly TextWriter _error;
    private readonly ProgressMode _mode;
    private readonly string _verb;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _nextLine = LineInterval;
    private long _lastLive;
    private bool _shownLive;
    private bool _completed;
    private int _liveWidth;

    public ProgressDisplay(TextWriter error, ProgressMode mode, string verb)
    {
        _error = error;
        _mode = mode;
        _verb = verb;
    }

    /// <summary>Chooses the mode: live on a terminal (unless stdout shares it), lines otherwise.</summary>
    /// <param name="context">The command's context.</param>
    /// <param name="stdoutCarriesData">Whether the command streams its data to stdout at the same time.</param>
    /// <returns>The mode.</returns>
    public static ProgressMode ModeFor(CliContext context, bool stdoutCarriesData)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.ErrorIsTerminal)
        {
            return ProgressMode.Lines;
        }

        // A '\r' line on a terminal that also shows the data would be torn apart by it.
        return stdoutCarriesData && context.OutIsTerminal ? ProgressMode.SummaryOnly : ProgressMode.Live;
    }

    /// <summary>Reports the items done so far.</summary>
    /// <param name="count">Items done.</param>
    /// <param name="detail">What they are, for example "1,000 events, 20 objects".</param>
    public void Update(long count, string detail)
    {
        lock (_gate)
        {
            switch (_mode)
            {
                case ProgressMode.Lines when count >= _nextLine:
                    while (_nextLine <= count)
                    {
                        _nextLine += LineInterval;
                    }

                    _error.WriteLine($"{_verb}: {detail} ({Seconds()})");
                    break;
                case ProgressMode.Live:
                    var now = Stopwatch.GetTimestamp();
                    if (_shownLive && now - _lastLive < LiveIntervalTicks)
                    {
                        return;
                    }

                    _shownLive = true;
                    _lastLive = now;
                    WriteLive($"{_verb}: {detail} ({Seconds()})");
                    break;
            }
        }
    }

    /// <summary>Ends the display with a summary line.</summary>
    /// <param name="summary">The summary.</param>
    public void Complete(string summary)
    {
        lock (_gate)
        {
            _completed = true;
            var line = $"{summary} in {Seconds()}";
            if (_mode == ProgressMode.Live)
            {
                WriteLive(line);
                _error.WriteLine();
                _liveWidth = 0;
            }
            else
            {
                _error.WriteLine(line);
            }

            _error.Flush();
        }
    }

    /// <summary>Clears a live line after a failure, so the error starts on its own line.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            if (_mode == ProgressMode.Live && _liveWidth > 0)
            {
                _error.Write('\r' + new string(' ', _liveWidth) + '\r');
                _liveWidth = 0;
            }
        }
    }

    /// <summary>Abandons the display unless <see cref="Complete"/> ran.</summary>
    public void Dispose()
    {
        // Lock is reentrant: Abandon takes it again.
        lock (_gate)
        {
            if (!_completed)
            {
                Abandon();
            }
        }
    }

    private void WriteLive(string text)
    {
        var padded = text.Length < _liveWidth ? text.PadRight(_liveWidth) : text;
        _error.Write('\r' + padded);
        _error.Flush();
        _liveWidth = text.Length;
    }

    private string Seconds() => _elapsed.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
}

/// <summary>Feeds a store's export or import progress into a <see cref="ProgressDisplay"/>.</summary>
internal sealed class TransferProgress(ProgressDisplay display) : IProgress<MemoryTransferProgress>
{
    public void Report(MemoryTransferProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        display.Update(value.Lines, $"{HumanFormat.Count(value.Lines, "line")} ({HumanFormat.Count(value.Events, "event")}, {HumanFormat.Count(value.Objects, "object")})");
    }
}
