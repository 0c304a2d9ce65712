namespace SkMemory.Evals;

/// <summary>One run of one level: N agents calling for a fixed time.</summary>
public sealed record ConcurrencyRun
{
    /// <summary>Gets how many agents called at once.</summary>
    public required int Clients { get; init; }

    /// <summary>Gets the wall time from the first call to the last answer.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Gets the calls made, failed ones included.</summary>
    public required int Calls { get; init; }

    /// <summary>Gets the calls that failed (an exception, an HTTP error, a tool error result or a timeout).</summary>
    public required int Errors { get; init; }

    /// <summary>Gets the failed calls per tool.</summary>
    public required IReadOnlyDictionary<ConcurrencyTool, int> ErrorsByTool { get; init; }

    /// <summary>Gets the first few error messages.</summary>
    public required IReadOnlyList<string> ErrorMessages { get; init; }

    /// <summary>Gets the latency of every successful call, in milliseconds.</summary>
    public required LatencySummary Overall { get; init; }

    /// <summary>Gets the latency of the successful calls per tool, in milliseconds.</summary>
    public required IReadOnlyDictionary<ConcurrencyTool, LatencySummary> PerTool { get; init; }

    /// <summary>Gets the server's memory after the run.</summary>
    public required ConcurrencyMemorySample ServerAfter { get; init; }

    /// <summary>Gets the server's peak RSS during the run (since start when <see cref="PeakIsThisRun"/> is false).</summary>
    public long? PeakRssBytes => ServerAfter.PeakRssBytes;

    /// <summary>Gets a value indicating whether the peak was reset at the start of the run.</summary>
    public required bool PeakIsThisRun { get; init; }

    /// <summary>Gets the server's share of the machine's CPU time (0..1, all CPUs) during the run.</summary>
    public required double ServerCpuShare { get; init; }

    /// <summary>Gets the benchmark's own (the clients') share of the machine's CPU time.</summary>
    public required double ClientCpuShare { get; init; }

    /// <summary>Gets the share of every other process, or null where the system does not say.</summary>
    public required double? OtherCpuShare { get; init; }

    /// <summary>Gets the calls per second.</summary>
    public double CallsPerSecond => Elapsed > TimeSpan.Zero ? Calls / Elapsed.TotalSeconds : 0;
}

/// <summary>What <see cref="ConcurrencyBenchmark.RunAsync"/> measured.</summary>
/// <param name="AtRest">The server's memory after start and data load, before any call.</param>
/// <param name="AfterWarmup">The server's memory after the warm-up calls.</param>
/// <param name="AtEnd">The server's memory after the last run (peak: of the last run when peaks reset).</param>
/// <param name="Runs">Every run, in the order they ran.</param>
public sealed record ConcurrencyMeasurements(
    ConcurrencyMemorySample AtRest,
    ConcurrencyMemorySample AfterWarmup,
    ConcurrencyMemorySample AtEnd,
    IReadOnlyList<ConcurrencyRun> Runs)
{
    /// <summary>Gets a value indicating whether the peak RSS was reset before each run.</summary>
    public bool PeakResets => Runs.Count > 0 && Runs.All(r => r.PeakIsThisRun);

    /// <summary>Gets the highest peak RSS of any run.</summary>
    public long? HighestPeakRssBytes => Runs.Max(r => r.PeakRssBytes);

    /// <summary>Gets the runs grouped by level, in the order of the levels.</summary>
    public IReadOnlyList<ConcurrencyLevel> Levels =>
        [.. Runs.GroupBy(r => r.Clients).Select(g => new ConcurrencyLevel(g.Key, [.. g]))];
}

/// <summary>The runs of one level, summarized across repeats.</summary>
/// <param name="Clients">How many agents called at once.</param>
/// <param name="Runs">Its runs.</param>
public sealed record ConcurrencyLevel(int Clients, IReadOnlyList<ConcurrencyRun> Runs)
{
    /// <summary>Gets every run's calls together.</summary>
    public int Calls => Runs.Sum(r => r.Calls);

    /// <summary>Gets every run's errors together.</summary>
    public int Errors => Runs.Sum(r => r.Errors);

    /// <summary>Gets the share of calls that failed, over every run.</summary>
    public double ErrorRate => Calls > 0 ? (double)Errors / Calls : 0;

    /// <summary>Gets the median calls per second over the runs.</summary>
    public double MedianCallsPerSecond => LatencySummary.Median(Runs.Select(r => r.CallsPerSecond));

    /// <summary>Gets the fewest calls per second of a run.</summary>
    public double MinCallsPerSecond => Runs.Min(r => r.CallsPerSecond);

    /// <summary>Gets the most calls per second of a run.</summary>
    public double MaxCallsPerSecond => Runs.Max(r => r.CallsPerSecond);

    /// <summary>Gets a percentile (50, 95 or 99) of every call: the median of the runs' values, and their range.</summary>
    /// <param name="pick">The percentile of one run's summary.</param>
    /// <param name="tool">A tool, or null for every call.</param>
    /// <returns>The median, lowest and highest over the runs.</returns>
    public (double Median, double Min, double Max) Spread(Func<LatencySummary, double> pick, ConcurrencyTool? tool = null)
    {
        ArgumentNullException.ThrowIfNull(pick);
        var values = Runs.Select(r => tool is { } t ? r.PerTool[t] : r.Overall).Where(s => s.Count > 0).Select(pick).ToList();
        return values.Count == 0 ? (0, 0, 0) : (LatencySummary.Median(values), values.Min(), values.Max());
    }

    /// <summary>Gets the server's peak RSS during the level's first run (rounds interleave levels, so later runs start from what earlier, larger levels left).</summary>
    public long? PeakRssBytes => Runs[0].PeakRssBytes;

    /// <summary>Gets the RSS after the level's first run.</summary>
    public long? RssAfterBytes => Runs[0].ServerAfter.RssBytes;

    /// <summary>Gets the managed heap after the level's first run.</summary>
    public long? GcHeapAfterBytes => Runs[0].ServerAfter.GcHeapBytes;

    /// <summary>Gets the median server CPU share.</summary>
    public double ServerCpuShare => LatencySummary.Median(Runs.Select(r => r.ServerCpuShare));

    /// <summary>Gets the median client CPU share.</summary>
    public double ClientCpuShare => LatencySummary.Median(Runs.Select(r => r.ClientCpuShare));

    /// <summary>Gets the median other-process CPU share of the runs, or null where the system does not say.</summary>
    public double? OtherCpuShare => Runs.Any(r => r.OtherCpuShare is not null) ? LatencySummary.Median(Runs.Select(r => r.OtherCpuShare ?? 0)) : null;
}

/// <summary>The results of the concurrency benchmark, with the setup that produced them.</summary>
public sealed record ConcurrencyResult
{
    /// <summary>Gets the command line that produced them.</summary>
    public required string Command { get; init; }

    /// <summary>Gets the store kind: sqlite or postgres.</summary>
    public required string Store { get; init; }

    /// <summary>Gets the embedding model.</summary>
    public required string EmbeddingModel { get; init; }

    /// <summary>Gets the memories loaded before the server started.</summary>
    public required int Memories { get; init; }

    /// <summary>Gets the subjects they are spread over (one API key per client, each acting for one subject).</summary>
    public required int Subjects { get; init; }

    /// <summary>Gets the time the load took.</summary>
    public required TimeSpan LoadTime { get; init; }

    /// <summary>Gets the options the runs used.</summary>
    public required ConcurrencyOptions Options { get; init; }

    /// <summary>Gets <c>search_by_semantics</c>' top.</summary>
    public required int Top { get; init; }

    /// <summary>Gets the measurements.</summary>
    public required ConcurrencyMeasurements Measurements { get; init; }

    /// <summary>Gets warnings and errors the server logged during the runs (the first few).</summary>
    public required IReadOnlyList<string> ServerLog { get; init; }

    /// <summary>Gets when the benchmark finished.</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Gets the target: this many concurrent clients with zero errors.</summary>
    public static int TargetClients => 64;

    /// <summary>Gets a value indicating whether the target was met: a level of at least <see cref="TargetClients"/> ran, and no level had an error.</summary>
    public bool TargetMet => Measurements.Runs.Any(r => r.Clients >= TargetClients) && Measurements.Runs.All(r => r.Errors == 0);
}
