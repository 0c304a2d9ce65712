using System.Diagnostics;
using System.Globalization;

namespace SkMemory.Evals;

/// <summary>
/// Measures how much of the machine's CPU time processes other than this one used while a part of a benchmark ran: the
/// busy time in Linux <c>/proc/stat</c> (all CPUs) minus this process's own CPU time. Near zero means nothing competed
/// (or, for a database server on the same machine, that the server did little).
/// </summary>
internal sealed class CpuMeter
{
    /// <summary>USER_HZ: <c>/proc</c> counts CPU time in 1/100 s on every Linux architecture .NET runs on.</summary>
    internal const double TicksPerSecond = 100;

    private readonly long? _busyTicks;
    private readonly TimeSpan _ownTime;
    private readonly long _started;

    private CpuMeter(long? busyTicks, TimeSpan ownTime, long started)
    {
        _busyTicks = busyTicks;
        _ownTime = ownTime;
        _started = started;
    }

    /// <summary>Starts measuring.</summary>
    /// <returns>The meter.</returns>
    public static CpuMeter Start() => new(ReadBusyTicks(), OwnTime(), Stopwatch.GetTimestamp());

    /// <summary>Gets the share of the machine's CPU time (0..1, all CPUs together) used by other processes since <see cref="Start"/>.</summary>
    /// <returns>The share, or null where the system does not report CPU time (not Linux).</returns>
    public double? OtherShare()
    {
        var busy = ReadBusyTicks();
        var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (busy is null || _busyTicks is null || elapsed <= 0)
        {
            return null;
        }

        var machine = (busy.Value - _busyTicks.Value) / TicksPerSecond;
        var own = (OwnTime() - _ownTime).TotalSeconds;
        return Math.Clamp((machine - own) / (elapsed * Environment.ProcessorCount), 0, 1);
    }

    /// <summary>Gets this process's CPU time so far (user and system, all threads).</summary>
    /// <returns>The CPU time.</returns>
    internal static TimeSpan OwnTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static long? ReadBusyTicks()
    {
        try
        {
            if (!File.Exists("/proc/stat"))
            {
                return null;
            }

            // "cpu  user nice system idle iowait irq softirq steal ...": busy = all but idle and iowait.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long busy = 0;
            for (var i = 1; i < Math.Min(fields.Length, 9); i++)
            {
                if (i is not 4 and not 5)
                {
                    busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
                }
            }

            return busy;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
