using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SkMemory.Evals;

/// <summary>The MCP tools the concurrency workload calls.</summary>
public enum ConcurrencyTool
{
    /// <summary><c>search_by_semantics</c>: a hybrid search packed into a memory packet.</summary>
    Search,

    /// <summary><c>write_with_provenance</c>: a new memory with evidence.</summary>
    Write,

    /// <summary><c>read_by_scope</c>: the first page of a subject's memories.</summary>
    Read,
}

/// <summary>One simulated agent: an MCP client session of its own, calling one tool per call.</summary>
public interface IConcurrencyAgent : IAsyncDisposable
{
    /// <summary>Calls a tool once; throws when the call fails (transport error, HTTP error, or a tool error result).</summary>
    /// <param name="tool">The tool.</param>
    /// <param name="sequence">A number unique across all agents of the run, for unique texts and evidence ids.</param>
    /// <param name="cancellationToken">Cancelled at the call's deadline or when the benchmark is stopped.</param>
    /// <returns>A task that completes when the tool has answered.</returns>
    Task CallAsync(ConcurrencyTool tool, long sequence, CancellationToken cancellationToken);
}

/// <summary>The server under test: how to connect an agent, and where to read its memory and CPU time.</summary>
/// <param name="ProcessId">The server's process id (for <c>/proc/&lt;pid&gt;</c>).</param>
/// <param name="ConnectAsync">Connects agent number i (0-based); each agent is a session of its own.</param>
/// <param name="GcHeapAsync">Reads the server's managed heap in bytes (its <c>/healthz</c>); null when it does not say.</param>
public sealed record ConcurrencyServer(
    int ProcessId,
    Func<int, CancellationToken, Task<IConcurrencyAgent>> ConnectAsync,
    Func<CancellationToken, Task<long?>> GcHeapAsync);

/// <summary>The share of each tool in the workload, as whole weights (80/15/5 by default).</summary>
/// <param name="Search">The weight of <c>search_by_semantics</c>.</param>
/// <param name="Write">The weight of <c>write_with_provenance</c>.</param>
/// <param name="Read">The weight of <c>read_by_scope</c>.</param>
public sealed record ConcurrencyMix(int Search, int Write, int Read)
{
    /// <summary>Gets the default mix: 80 % search, 15 % write, 5 % read.</summary>
    public static ConcurrencyMix Default { get; } = new(80, 15, 5);

    /// <summary>Gets the sum of the weights.</summary>
    public int Total => Search + Write + Read;

    /// <summary>Parses <c>search,write,read</c> weights, for example <c>80,15,5</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The mix.</returns>
    /// <exception cref="FormatException">The text is not three non-negative whole numbers with a positive sum.</exception>
    public static ConcurrencyMix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var weights = new int[3];
        if (parts.Length != 3 || !parts.Select((p, i) => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out weights[i])).All(ok => ok))
        {
            throw new FormatException($"'{text}' is not three weights search,write,read (whole numbers, for example 80,15,5).");
        }

        var mix = new ConcurrencyMix(weights[0], weights[1], weights[2]);
        return mix.Total > 0 ? mix : throw new FormatException($"'{text}' gives every tool a weight of 0.");
    }

    /// <summary>Picks a tool at random by weight.</summary>
    /// <param name="random">The agent's random source.</param>
    /// <returns>The tool.</returns>
    public ConcurrencyTool Pick(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var roll = random.Next(Total);
        return roll < Search ? ConcurrencyTool.Search : roll < Search + Write ? ConcurrencyTool.Write : ConcurrencyTool.Read;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Search},{Write},{Read}");
}

/// <summary>Options of <see cref="ConcurrencyBenchmark"/>.</summary>
public sealed class ConcurrencyOptions
{
    /// <summary>Gets or sets the concurrency levels: how many agents call at once, one level after the other.</summary>
    public IReadOnlyList<int> Clients { get; set; } = [1, 8, 32, 64];

    /// <summary>Gets or sets how long each run keeps its agents calling.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets how many runs each level gets (rounds over all levels, so a slow spell of the machine hits every level alike).</summary>
    public int Repeats { get; set; } = 3;

    /// <summary>Gets or sets the tool mix.</summary>
    public ConcurrencyMix Mix { get; set; } = ConcurrencyMix.Default;

    /// <summary>Gets or sets the deadline of one call; a call that passes it counts as an error (a timeout).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the untimed warm-up calls of one agent per tool before the first run.</summary>
    public int Warmup { get; set; } = 10;

    /// <summary>Gets or sets the seed of each agent's tool choices.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Gets or sets how often progress is reported during a run.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="ArgumentException.ParamName"/> names it).</exception>
    public void Validate()
    {
        RecallLatencyOptions.Check(Clients is { Count: > 0 } && Clients.All(c => c is >= 1 and <= 1024), nameof(Clients), string.Join(',', Clients ?? []), "must be one or more levels, each between 1 and 1024 clients");
        RecallLatencyOptions.Check(Duration >= TimeSpan.FromSeconds(1) && Duration <= TimeSpan.FromHours(1), nameof(Duration), Duration, "must be between 1 s and 1 h");
        RecallLatencyOptions.Check(Repeats is >= 1 and <= 20, nameof(Repeats), Repeats, "must be between 1 and 20");
        RecallLatencyOptions.Check(CallTimeout >= TimeSpan.FromSeconds(1), nameof(CallTimeout), CallTimeout, "must be at least 1 s");
        RecallLatencyOptions.Check(Warmup >= 0, nameof(Warmup), Warmup, "must not be negative");
        ArgumentNullException.ThrowIfNull(Mix);
    }
}

/// <summary>
/// Concurrent agents against a running MCP server: for each level N, N agents (each its own client session) call a
/// mixed read/write workload back to back for a fixed time; every call is timed, every failure counted with its
/// message, and the server process's memory (RSS, peak RSS, managed heap) and CPU time are read around each run.
/// Bounded: agents stop starting calls at the end of the run, each call has its own deadline, and the caller's token
/// stops everything.
/// </summary>
public static class ConcurrencyBenchmark
{
    private const int KeptErrorMessages = 5;

    /// <summary>Warms the server up, then runs every level <see cref="ConcurrencyOptions.Repeats"/> times.</summary>
    /// <param name="server">The server under test.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Progress lines (every few seconds during a run).</param>
    /// <param name="cancellationToken">Stops the benchmark.</param>
    /// <returns>The memory at rest and after warm-up, and every run.</returns>
    public static async Task<ConcurrencyMeasurements> RunAsync(ConcurrencyServer server, ConcurrencyOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var atRest = await ConcurrencyServerStats.SampleAsync(server, cancellationToken).ConfigureAwait(false);
        progress?.Report(Inv($"server at rest: RSS {Mib(atRest.RssBytes)}, peak {Mib(atRest.PeakRssBytes)}, GC heap {Mib(atRest.GcHeapBytes)}"));

        // Warm-up: JIT, the first query's model and statement caches; untimed, from one agent.
        if (options.Warmup > 0)
        {
            progress?.Report(Inv($"warming up: {options.Warmup} untimed calls per tool from one client..."));
            var agent = await server.ConnectAsync(0, cancellationToken).ConfigureAwait(false);
            await using (agent.ConfigureAwait(false))
            {
                for (var i = 0; i < options.Warmup; i++)
                {
                    foreach (var tool in Enum.GetValues<ConcurrencyTool>())
                    {
                        await agent.CallAsync(tool, -1 - i, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        var warm = await ConcurrencyServerStats.SampleAsync(server, cancellationToken).ConfigureAwait(false);
        var runs = new List<ConcurrencyRun>();
        for (var round = 1; round <= options.Repeats; round++)
        {
            foreach (var clients in options.Clients)
            {
                var label = Inv($"{clients} client{(clients == 1 ? string.Empty : "s")}, run {round}/{options.Repeats}");
                runs.Add(await RunLevelAsync(server, options, clients, round, label, progress, cancellationToken).ConfigureAwait(false));
            }
        }

        var end = await ConcurrencyServerStats.SampleAsync(server, cancellationToken).ConfigureAwait(false);
        return new ConcurrencyMeasurements(atRest, warm, end, runs);
    }

    private static async Task<ConcurrencyRun> RunLevelAsync(
        ConcurrencyServer server, ConcurrencyOptions options, int clients, int round, string label, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        // Connect every agent before the clock starts: a session's handshake is not part of the workload.
        var agents = new List<IConcurrencyAgent>(clients);
        try
        {
            for (var i = 0; i < clients; i++)
            {
                agents.Add(await server.ConnectAsync(i, cancellationToken).ConfigureAwait(false));
            }

            var peakReset = ConcurrencyServerStats.ResetPeak(server.ProcessId);
            var serverCpuBefore = ConcurrencyServerStats.CpuTime(server.ProcessId);
            var ownCpuBefore = CpuMeter.OwnTime();
            var machine = CpuMeter.Start();
            var counters = new Counters();
            var latencies = new ConcurrentBag<(ConcurrencyTool Tool, double Milliseconds)[]>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var clock = Stopwatch.StartNew();
            stop.CancelAfter(options.Duration);
            using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = ReportAsync(server.ProcessId, label, clock, options, counters, progress, reporting.Token);
            var tasks = agents.Select((agent, index) => Task.Run(
                () => DriveAsync(agent, index, round, options, counters, latencies, stop.Token, cancellationToken),
                cancellationToken)).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            var elapsed = clock.Elapsed;
            await reporting.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
            var otherShare = machine.OtherShare();
            var serverCpu = ConcurrencyServerStats.CpuTime(server.ProcessId) - serverCpuBefore;
            var ownCpu = (CpuMeter.OwnTime() - ownCpuBefore).TotalSeconds;
            var capacity = elapsed.TotalSeconds * Environment.ProcessorCount;
            var serverShare = serverCpu / capacity;
            var after = await ConcurrencyServerStats.SampleAsync(server, cancellationToken).ConfigureAwait(false);

            var all = latencies.SelectMany(l => l).ToList();
            var perTool = Enum.GetValues<ConcurrencyTool>().ToDictionary(t => t, t => LatencySummary.Of(all.Where(l => l.Tool == t).Select(l => l.Milliseconds)));
            var run = new ConcurrencyRun
            {
                Clients = clients,
                Elapsed = elapsed,
                Calls = all.Count + counters.Errors,
                Errors = counters.Errors,
                ErrorsByTool = counters.ErrorsByTool.ToDictionary(kv => kv.Key, kv => kv.Value),
                ErrorMessages = [.. counters.Messages.Take(KeptErrorMessages)],
                Overall = LatencySummary.Of(all.Select(l => l.Milliseconds)),
                PerTool = perTool,
                ServerAfter = after,
                PeakIsThisRun = peakReset,
                ServerCpuShare = serverShare,
                ClientCpuShare = ownCpu / capacity,
                OtherCpuShare = otherShare is { } other ? Math.Max(0, other - serverShare) : null,
            };
            progress?.Report(Inv($"{label}: {run.Calls} calls in {elapsed.TotalSeconds:F1} s = {run.CallsPerSecond:F1}/s, p95 {run.Overall.P95:F1} ms, {run.Errors} errors; server RSS {Mib(after.RssBytes)} (peak {Mib(run.PeakRssBytes)}), CPU server {run.ServerCpuShare:P0} client {run.ClientCpuShare:P0} other {(run.OtherCpuShare is { } o ? o.ToString("P0", CultureInfo.InvariantCulture) : "n/a")}"));
            foreach (var message in run.ErrorMessages)
            {
                progress?.Report("  error: " + message);
            }

            return run;
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // One agent: back to back until the run ends; each call under its own deadline. A call cut by the caller's token
    // stops the benchmark; every other failure is counted and the agent goes on.
    private static async Task DriveAsync(
        IConcurrencyAgent agent,
        int index,
        int round,
        ConcurrencyOptions options,
        Counters counters,
        ConcurrentBag<(ConcurrencyTool, double)[]> latencies,
        CancellationToken stop,
        CancellationToken cancellationToken)
    {
        // SyntheticCorpus.Mix, not HashCode.Combine: the latter is randomized per process, so --seed would not repeat.
        var random = new Random(SyntheticCorpus.Mix(SyntheticCorpus.Mix(options.Seed, index), round));
        var mine = new List<(ConcurrencyTool, double)>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var tool = options.Mix.Pick(random);
                var sequence = Interlocked.Increment(ref counters.Sequence);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(options.CallTimeout);
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await agent.CallAsync(tool, sequence, deadline.Token).ConfigureAwait(false);
                    mine.Add((tool, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
                    Interlocked.Increment(ref counters.Calls);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // Every failure of a call is a measured error, whatever its type; the run goes on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    counters.Error(tool, ex is OperationCanceledException
                        ? Inv($"{Name(tool)}: no answer within {options.CallTimeout.TotalSeconds:F0} s")
                        : Inv($"{Name(tool)}: {ex.GetType().Name}: {ex.Message}"));
                }
            }
        }
        finally
        {
            latencies.Add([.. mine]);
        }
    }

    private static async Task ReportAsync(
        int processId, string label, Stopwatch clock, ConcurrencyOptions options, Counters counters, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var (rss, _) = ConcurrencyServerStats.Rss(processId);
                var seconds = clock.Elapsed.TotalSeconds;
                var calls = Interlocked.Read(ref counters.Calls);
                progress.Report(Inv($"  {label}: {seconds:F0}/{options.Duration.TotalSeconds:F0} s, {calls} calls ({calls / seconds:F1}/s), {counters.Errors} errors, server RSS {Mib(rss)}"));
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>The MCP name of a tool.</summary>
    /// <param name="tool">The tool.</param>
    /// <returns>Its name, for example <c>search_by_semantics</c>.</returns>
    public static string Name(ConcurrencyTool tool) => tool switch
    {
        ConcurrencyTool.Search => "search_by_semantics",
        ConcurrencyTool.Write => "write_with_provenance",
        ConcurrencyTool.Read => "read_by_scope",
        _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, "Unknown tool."),
    };

    /// <summary>Formats bytes as MiB, or n/a.</summary>
    /// <param name="bytes">The bytes, or null.</param>
    /// <returns>For example "212 MiB".</returns>
    internal static string Mib(long? bytes) => bytes is { } b ? Inv($"{b / (1024.0 * 1024):F0} MiB") : "n/a";

    private static string Inv(FormattableString text) => BenchmarkDocument.Inv(text);

    private sealed class Counters
    {
#pragma warning disable SA1401, CA1051 // Interlocked needs the fields themselves.
        public long Sequence;
        public long Calls;
#pragma warning restore SA1401, CA1051
        private readonly ConcurrentQueue<string> _messages = new();
        private int _errors;

        public ConcurrentDictionary<ConcurrencyTool, int> ErrorsByTool { get; } = new();

        public int Errors => Volatile.Read(ref _errors);

        public IEnumerable<string> Messages => _messages;

        public void Error(ConcurrencyTool tool, string message)
        {
            Interlocked.Increment(ref _errors);
            ErrorsByTool.AddOrUpdate(tool, 1, (_, n) => n + 1);
            if (_messages.Count < KeptErrorMessages)
            {
                _messages.Enqueue(message);
            }
        }
    }
}
