using System.Globalization;

namespace SkMemory.Evals;

/// <summary>The server's memory at one moment.</summary>
/// <param name="RssBytes">Resident set size (<c>VmRSS</c>), or null where <c>/proc</c> does not say.</param>
/// <param name="PeakRssBytes">Peak resident set size (<c>VmHWM</c>) since start or since the last reset.</param>
/// <param name="GcHeapBytes">The managed heap as the server reports it, or null.</param>
public sealed record ConcurrencyMemorySample(long? RssBytes, long? PeakRssBytes, long? GcHeapBytes);

/// <summary>Reads another process's memory and CPU time from Linux <c>/proc/&lt;pid&gt;</c>; null or zero elsewhere.</summary>
public static class ConcurrencyServerStats
{
    /// <summary>Samples the server's RSS, peak RSS and managed heap.</summary>
    /// <param name="server">The server.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The sample.</returns>
    public static async Task<ConcurrencyMemorySample> SampleAsync(ConcurrencyServer server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var heap = await server.GcHeapAsync(cancellationToken).ConfigureAwait(false);
        var (rss, peak) = Rss(server.ProcessId);
        return new ConcurrencyMemorySample(rss, peak, heap);
    }

    /// <summary>Reads <c>VmRSS</c> and <c>VmHWM</c> of a process.</summary>
    /// <param name="processId">The process.</param>
    /// <returns>Both in bytes, null where unknown.</returns>
    public static (long? Rss, long? Peak) Rss(int processId)
    {
        long? rss = null, peak = null;
        try
        {
            foreach (var line in File.ReadLines(Inv($"/proc/{processId}/status")))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not Linux, or the process is gone.
        }

        return (rss, peak);
    }

    /// <summary>Resets the peak RSS (<c>VmHWM</c>) of a process to its current RSS (writes 5 to <c>/proc/&lt;pid&gt;/clear_refs</c>).</summary>
    /// <param name="processId">The process.</param>
    /// <returns>Whether it was reset; when not, the peak stays the peak since the process started.</returns>
    public static bool ResetPeak(int processId)
    {
        try
        {
            File.WriteAllText(Inv($"/proc/{processId}/clear_refs"), "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads a process's CPU time (user and system, <c>/proc/&lt;pid&gt;/stat</c>).</summary>
    /// <param name="processId">The process.</param>
    /// <returns>The CPU time in seconds; 0 where unknown.</returns>
    public static double CpuTime(int processId)
    {
        try
        {
            // "pid (comm) state ppid ...": the name may hold spaces and parentheses, so fields count from the last ')'.
            var stat = File.ReadAllText(Inv($"/proc/{processId}/stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / CpuMeter.TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static string Inv(FormattableString text) => BenchmarkDocument.Inv(text);
}
