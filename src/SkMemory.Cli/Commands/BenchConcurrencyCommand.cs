using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelContextProtocol.Client;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench concurrency [--clients 1,8,32,64] [--duration 20s] [--repeat 3] [--mix 80,15,5] [--memories 10000]
/// [--subjects 100] [--store ...]</c>: concurrent agents over MCP HTTP. Loads a store (a temporary SQLite file, or the one
/// --store names, under a tenant of its own), starts the real server (<c>skmem serve</c> from the built output) as a
/// child process on a free loopback port, and for each level N runs N official C# MCP client sessions, each with its own
/// API key, calling a mixed read/write workload back to back for a fixed time. Reports throughput, latency per tool,
/// errors and the server's memory (RSS at rest, peak and after each level, managed heap); writes the "concurrency"
/// section of docs/benchmarks.md. The server is killed when the benchmark ends, fails or is stopped.
/// </summary>
internal static class BenchConcurrencyCommand
{
    private const int DefaultMemories = 10_000;
    private const int DefaultSubjects = 100;
    private const int DefaultRepeats = 3;
    private const int DefaultTop = 10;
    private const int DefaultBudget = 1000;
    private const int DefaultSeed = 7;
    private const int DefaultWarmup = 10;
    private const int ReadPageSize = 20;
    private const int KeptServerLines = 10;
    private const string DefaultClients = "1,8,32,64";
    private const string DefaultDuration = "20s";
    private const string DefaultCallTimeout = "30s";
    private const string ActorId = "concurrency-benchmark";
    private static readonly TimeSpan ServerStartTimeout = TimeSpan.FromMinutes(3);

    public static Command Create(CommandRunner runner)
    {
        var report = new BenchCommand.ReportFile("Concurrent agents over MCP HTTP");
        var clients = new Option<string>("--clients")
        {
            Description = "The concurrency levels, comma-separated: how many MCP clients call at once.",
            DefaultValueFactory = _ => DefaultClients,
            HelpName = "n,n,...",
        };
        var duration = new Option<string>("--duration")
        {
            Description = "How long each run keeps its clients calling, for example 20s or 1m.",
            DefaultValueFactory = _ => DefaultDuration,
            HelpName = "time",
        };
        var callTimeout = new Option<string>("--call-timeout")
        {
            Description = "A call without an answer after this long counts as an error, for example 30s.",
            DefaultValueFactory = _ => DefaultCallTimeout,
            HelpName = "time",
        };
        var mix = new Option<string>("--mix")
        {
            Description = "Weights of search_by_semantics, write_with_provenance and read_by_scope in the workload.",
            DefaultValueFactory = _ => ConcurrencyMix.Default.ToString(),
            HelpName = "search,write,read",
        };
        var repeats = BenchOptions.Number("--repeat", "Runs per level (in rounds over all levels).", DefaultRepeats);
        var memories = BenchOptions.Number("--memories", "Memories loaded before the server starts.", DefaultMemories);
        var subjects = BenchOptions.Number("--subjects", "Subjects they are spread over; client i works on subject i.", DefaultSubjects);
        var top = BenchOptions.Number("--top", "search_by_semantics top, 1..50.", DefaultTop);
        var budget = BenchOptions.Number("--budget", "search_by_semantics token_budget.", DefaultBudget);
        var warmup = BenchOptions.Number("--warmup", "Untimed warm-up calls per tool before the first run.", DefaultWarmup);
        var seed = BenchOptions.Number("--seed", "Seed of the synthetic memories, queries and tool choices.", DefaultSeed);
        var command = new Command(
            "concurrency",
            "Concurrent agents over MCP HTTP: starts 'skmem serve' as a child process on a temporary store (or --store, under a tenant of its own), "
            + "then N MCP clients (default 1, 8, 32, 64) call a mixed search/write/read workload for a fixed time; throughput, p50/p95/p99 per tool, "
            + "errors, and the server's memory at rest and under load.")
        {
            clients, duration, repeats, mix, callTimeout, memories, subjects, top, budget, warmup, seed, report.Output, report.NoWrite,
        };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var options = new ConcurrencyOptions
            {
                Clients = Levels(parseResult.GetValue(clients)!),
                Duration = Duration(parseResult.GetValue(duration)!, "duration"),
                CallTimeout = Duration(parseResult.GetValue(callTimeout)!, "call_timeout"),
                Repeats = parseResult.GetValue(repeats),
                Mix = Mix(parseResult.GetValue(mix)!),
                Warmup = parseResult.GetValue(warmup),
                Seed = parseResult.GetValue(seed),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw BenchOptions.Invalid(ex, ex.ParamName switch
                {
                    nameof(ConcurrencyOptions.Clients) => ("clients", "pass --clients like 1,8,32,64 (each 1..1024)"),
                    nameof(ConcurrencyOptions.Duration) => ("duration", "pass --duration between 1s and 1h, for example 20s"),
                    nameof(ConcurrencyOptions.Repeats) => ("repeat", "pass --repeat between 1 and 20"),
                    nameof(ConcurrencyOptions.CallTimeout) => ("call_timeout", "pass --call-timeout of 1s or more"),
                    _ => ("warmup", "pass --warmup 0 or more"),
                });
            }

            var settings = new Settings(
                parseResult.GetValue(memories), parseResult.GetValue(subjects), parseResult.GetValue(top), parseResult.GetValue(budget));
            BenchOptions.Check(settings.Subjects >= 1, "subjects", $"{settings.Subjects} subjects", "pass --subjects 1 or more");
            BenchOptions.Check(settings.Memories >= settings.Subjects, "memories", $"{settings.Memories} memories for {settings.Subjects} subjects", "pass --memories at least as large as --subjects");
            BenchOptions.Check(settings.Top is >= 1 and <= 50, "top", $"top {settings.Top}", "pass --top between 1 and 50");
            BenchOptions.Check(settings.Budget is >= 16 and <= 100_000, "budget", $"a budget of {settings.Budget}", "pass --budget between 16 and 100000");

            var commandLine = new List<string> { "skmem bench concurrency" };
            AddIfNot(commandLine, "--clients", string.Join(',', options.Clients), DefaultClients);
            AddIfNot(commandLine, "--duration", parseResult.GetValue(duration)!, DefaultDuration);
            BenchOptions.AddIfNot(commandLine, "--repeat", options.Repeats, DefaultRepeats);
            AddIfNot(commandLine, "--mix", options.Mix.ToString(), ConcurrencyMix.Default.ToString());
            AddIfNot(commandLine, "--call-timeout", parseResult.GetValue(callTimeout)!, DefaultCallTimeout);
            BenchOptions.AddIfNot(commandLine, "--memories", settings.Memories, DefaultMemories);
            BenchOptions.AddIfNot(commandLine, "--subjects", settings.Subjects, DefaultSubjects);
            BenchOptions.AddIfNot(commandLine, "--top", settings.Top, DefaultTop);
            BenchOptions.AddIfNot(commandLine, "--budget", settings.Budget, DefaultBudget);
            BenchOptions.AddIfNot(commandLine, "--warmup", options.Warmup, DefaultWarmup);
            BenchOptions.AddIfNot(commandLine, "--seed", options.Seed, DefaultSeed);
            if (context.Embedder is { } embedderChoice)
            {
                commandLine.Add("--embedder " + embedderChoice);
            }

            var target = report.Target(parseResult);
            var (result, serverPid) = await RunAsync(context, options, settings, string.Join(' ', commandLine)).ConfigureAwait(false);
            if (context.Json)
            {
                WriteJson(context.Out, result, serverPid);
            }
            else
            {
                context.Out.Write(ConcurrencyReport.ToTable(result));
            }

            await report.WriteAsync(context, target, existing => ConcurrencyReport.UpdateDocument(existing, ConcurrencyReport.ToMarkdown(result), result.Store)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(ConcurrencyResult Result, int ServerPid)> RunAsync(CliContext context, ConcurrencyOptions options, Settings settings, string commandLine)
    {
        var ct = context.CancellationToken;
        var log = context.Error;
        var spec = StoreOpener.NamedEmbedder(context.Embedder) ?? EmbedderSpec.MiniLm;
        var embeddingModel = spec.StoredModel ?? "none (full-text search only)";
        var explicitStore = context.StoreSpec is not null;
        var folder = explicitStore ? null : Directory.CreateTempSubdirectory("skmem-bench-concurrency-").FullName;
        var storeTarget = explicitStore ? context.ResolveStore() : new StoreTarget(StoreKind.Sqlite, Path.Combine(folder!, "bench.db"), string.Empty, IsDefault: false);
        if (storeTarget.Kind == StoreKind.Mem0)
        {
            throw CliException.Invalid("store", "the concurrency benchmark needs a store that keeps API keys (SQLite or Postgres); a Mem0 store does not", "leave --store out for a temporary SQLite file, or pass a Postgres connection");
        }

        // A store the user named keeps its other tenants untouched: the benchmark's data and keys go under a tenant of their own.
        var tenant = explicitStore ? "bench-concurrency-" + Guid.NewGuid().ToString("N")[..8] : "bench-concurrency";
        var storeKind = storeTarget.Kind == StoreKind.Postgres ? "Postgres" : "embedded SQLite";
        try
        {
            var corpus = new SyntheticCorpus(settings.Memories, settings.Subjects, options.Seed);
            var maxClients = options.Clients.Max();
            List<string> secrets;
            TimeSpan loadTime;
            {
                var generator = await StoreOpener.EmbedderAsync(spec, log, ct).ConfigureAwait(false);
                using var ownedGenerator = spec.IsRemote ? generator : null;
                using var cache = generator is null ? null : new BenchEmbeddingCache(generator);
                using var store = await StoreOpener.OpenAsync(storeTarget, StoreAccess.Write, ct, cache, spec.StoredModel).ConfigureAwait(false);
                var data = Enumerable.Range(0, corpus.SubjectCount).SelectMany(corpus.MemoriesOf).ToList();
                log.WriteLine($"loading {HumanFormat.Count(data.Count, "memory", "memories")} over {HumanFormat.Count(corpus.SubjectCount, "subject")} into {(explicitStore ? storeTarget.Display + " (tenant " + tenant + ")" : "a temporary " + storeKind + " store")} ({embeddingModel})...");
                loadTime = await BenchMcpCommand.LoadAsync(store, cache, data, tenant, ActorId, log, ct).ConfigureAwait(false);

                // One key per client, as separate agents would have: client i acts for subject i (wrapping around).
                var keys = KeysCommand.Keys(store);
                var issued = new List<string>(maxClients);
                for (var i = 0; i < maxClients; i++)
                {
                    var issue = await keys.CreateAsync(
                        new MemoryApiKeyRequest
                        {
                            Tenant = tenant,
                            Actor = MemoryActor.Agent(Inv($"concurrency-client-{i}")),
                            ActingFor = [corpus.Subjects[i % corpus.SubjectCount]],
                            Label = "skmem bench concurrency",
                        },
                        ct).ConfigureAwait(false);
                    issued.Add(issue.Secret);
                }

                secrets = issued;
            }

            SqliteConnection.ClearAllPools();
            var server = await ServerProcess.StartAsync(ServeArguments(context, storeTarget, spec), log, ct).ConfigureAwait(false);
            await using var ownedServer = server.ConfigureAwait(false);
            log.WriteLine($"server pid {server.ProcessId} at {server.McpEndpoint}");
            var queries = corpus.Queries(4000, stream: 1).GroupBy(q => q.Subject).ToDictionary(g => g.Key, g => g.Select(q => q.Text).ToList());
            using var health = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var target = new ConcurrencyServer(
                server.ProcessId,
                async (i, token) =>
                {
                    var subject = corpus.Subjects[i % corpus.SubjectCount];
                    var client = await BenchMcpCommand.ConnectAsync(server.McpEndpoint, secrets[i], token).ConfigureAwait(false);
                    return new McpAgent(client, subject, queries.TryGetValue(subject, out var own) && own.Count > 0 ? own : [.. queries.Values.First()], settings.Top, settings.Budget);
                },
                token => GcHeapAsync(health, server.HealthEndpoint, token));
            var progress = new BenchCommand.SynchronousProgress(line => log.WriteLine(line));
            var measurements = await ConcurrencyBenchmark.RunAsync(target, options, progress, ct).ConfigureAwait(false);
            var result = new ConcurrencyResult
            {
                Command = commandLine,
                Store = storeKind,
                EmbeddingModel = embeddingModel,
                Memories = corpus.MemoryCount,
                Subjects = corpus.SubjectCount,
                LoadTime = loadTime,
                Options = options,
                Top = settings.Top,
                Measurements = measurements,
                ServerLog = server.Problems,
                FinishedAt = DateTimeOffset.UtcNow,
            };
            return (result, server.ProcessId);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (folder is not null)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless.
                }
            }
        }
    }

    private static List<string> ServeArguments(CliContext context, StoreTarget store, EmbedderSpec spec)
    {
        var arguments = new List<string> { "serve", "--port", "0", "--store", context.StoreSpec ?? store.Location, "--embedder", spec.ToString() };
        if (context.Schema is { } schema)
        {
            arguments.AddRange(["--schema", schema]);
        }

        if (context.RedactionPolicyPath is { } policy)
        {
            arguments.AddRange(["--redaction-policy", policy]);
        }

        return arguments;
    }

    private static async Task<long?> GcHeapAsync(HttpClient http, Uri healthz, CancellationToken ct)
    {
        try
        {
            using var body = await http.GetFromJsonAsync<JsonDocument>(healthz, ct).ConfigureAwait(false);
            return body is not null && body.RootElement.TryGetProperty("gc_heap_bytes", out var heap) ? heap.GetInt64() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static List<int> Levels(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var levels = new List<int>();
        foreach (var part in parts)
        {
            // Only parsed here: ConcurrencyOptions.Validate checks the range (1..1024).
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw CliException.Invalid("clients", $"'{part}' is not a number of clients", "pass --clients like 1,8,32,64");
            }

            levels.Add(n);
        }

        return levels.Count > 0 ? levels : throw CliException.Invalid("clients", "no level given", "pass --clients like 1,8,32,64");
    }

    private static TimeSpan Duration(string text, string field)
    {
        try
        {
            return ValueParsers.Ttl(text);
        }
        catch (CliException)
        {
            throw CliException.Invalid(field, $"'{text}' is not a duration", $"pass --{field.Replace('_', '-')} like 20s, 90s or 2m");
        }
    }

    private static ConcurrencyMix Mix(string text)
    {
        try
        {
            return ConcurrencyMix.Parse(text);
        }
        catch (FormatException ex)
        {
            throw CliException.Invalid("mix", ex.Message, "pass --mix search,write,read weights, for example 80,15,5");
        }
    }

    private static void AddIfNot(List<string> commandLine, string name, string value, string defaultValue)
    {
        if (!string.Equals(value, defaultValue, StringComparison.Ordinal))
        {
            commandLine.Add(name + " " + value);
        }
    }

    private static void WriteJson(TextWriter output, ConcurrencyResult r, int serverPid) =>
        JsonOutput.Write(output, w =>
        {
            var m = r.Measurements;
            w.WriteString("command", r.Command);
            w.WriteString("store", r.Store);
            w.WriteString("transport", "streamable-http");
            w.WriteString("embedding_model", r.EmbeddingModel);
            w.WriteNumber("memories", r.Memories);
            w.WriteNumber("subjects", r.Subjects);
            w.WriteNumber("load_seconds", Math.Round(r.LoadTime.TotalSeconds, 3));
            w.WriteNumber("duration_seconds", r.Options.Duration.TotalSeconds);
            w.WriteNumber("repeats", r.Options.Repeats);
            w.WriteString("mix", r.Options.Mix.ToString());
            w.WriteNumber("server_pid", serverPid);
            w.WriteStartObject("server_memory");
            Memory(w, "at_rest", m.AtRest);
            Memory(w, "after_warmup", m.AfterWarmup);
            Memory(w, "at_end", m.AtEnd);
            Bytes(w, "highest_peak_rss_bytes", m.HighestPeakRssBytes);
            w.WriteBoolean("peak_resets_per_run", m.PeakResets);
            w.WriteEndObject();
            w.WriteStartArray("levels");
            foreach (var level in m.Levels)
            {
                w.WriteStartObject();
                w.WriteNumber("clients", level.Clients);
                w.WriteNumber("runs", level.Runs.Count);
                w.WriteNumber("calls", level.Calls);
                w.WriteNumber("errors", level.Errors);
                w.WriteNumber("error_rate", Math.Round(level.ErrorRate, 6));
                w.WriteNumber("calls_per_second_median", Math.Round(level.MedianCallsPerSecond, 2));
                w.WriteNumber("calls_per_second_min", Math.Round(level.MinCallsPerSecond, 2));
                w.WriteNumber("calls_per_second_max", Math.Round(level.MaxCallsPerSecond, 2));
                w.WriteNumber("p50_ms", Math.Round(level.Spread(s => s.P50).Median, 3));
                w.WriteNumber("p95_ms", Math.Round(level.Spread(s => s.P95).Median, 3));
                w.WriteNumber("p99_ms", Math.Round(level.Spread(s => s.P99).Median, 3));
                Bytes(w, "peak_rss_bytes", level.PeakRssBytes);
                Bytes(w, "rss_after_bytes", level.RssAfterBytes);
                Bytes(w, "gc_heap_after_bytes", level.GcHeapAfterBytes);
                w.WriteNumber("server_cpu_share", Math.Round(level.ServerCpuShare, 4));
                w.WriteNumber("client_cpu_share", Math.Round(level.ClientCpuShare, 4));
                if (level.OtherCpuShare is { } other)
                {
                    w.WriteNumber("other_cpu_share", Math.Round(other, 4));
                }

                w.WriteStartObject("tools");
                foreach (var tool in Enum.GetValues<ConcurrencyTool>())
                {
                    w.WriteStartObject(ConcurrencyBenchmark.Name(tool));
                    w.WriteNumber("calls", level.Runs.Sum(run => run.PerTool[tool].Count));
                    w.WriteNumber("errors", level.Runs.Sum(run => run.ErrorsByTool.GetValueOrDefault(tool)));
                    w.WriteNumber("p50_ms", Math.Round(level.Spread(s => s.P50, tool).Median, 3));
                    w.WriteNumber("p95_ms", Math.Round(level.Spread(s => s.P95, tool).Median, 3));
                    w.WriteNumber("p99_ms", Math.Round(level.Spread(s => s.P99, tool).Median, 3));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteStartArray("error_messages");
                foreach (var message in level.Runs.SelectMany(run => run.ErrorMessages).Distinct())
                {
                    w.WriteStringValue(message);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("target");
            w.WriteNumber("clients", ConcurrencyResult.TargetClients);
            w.WriteNumber("errors", 0);
            w.WriteBoolean("met", r.TargetMet);
            w.WriteEndObject();
            w.WriteStartArray("server_log");
            foreach (var line in r.ServerLog)
            {
                w.WriteStringValue(line);
            }

            w.WriteEndArray();
            w.WriteString("finished_at", MemoryEventChain.FormatTimestamp(r.FinishedAt));
        });

    private static void Memory(Utf8JsonWriter w, string name, ConcurrencyMemorySample sample)
    {
        w.WriteStartObject(name);
        Bytes(w, "rss_bytes", sample.RssBytes);
        Bytes(w, "peak_rss_bytes", sample.PeakRssBytes);
        Bytes(w, "gc_heap_bytes", sample.GcHeapBytes);
        w.WriteEndObject();
    }

    private static void Bytes(Utf8JsonWriter w, string name, long? bytes)
    {
        if (bytes is { } b)
        {
            w.WriteNumber(name, b);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(int Memories, int Subjects, int Top, int Budget);

    /// <summary>One agent: its own MCP session and key, working on one subject.</summary>
    private sealed class McpAgent(McpClient client, string subject, IReadOnlyList<string> queries, int top, int budget) : IConcurrencyAgent
    {
        private readonly JsonElement _scope = BenchMcpCommand.PersonalScope(subject);

        public async Task CallAsync(ConcurrencyTool tool, long sequence, CancellationToken cancellationToken)
        {
            var name = ConcurrencyBenchmark.Name(tool);
            var arguments = tool switch
            {
                ConcurrencyTool.Search => new Dictionary<string, object?>
                {
                    ["scope"] = _scope,
                    ["query"] = queries[(int)(Math.Abs(sequence) % queries.Count)],
                    ["top"] = top,
                    ["token_budget"] = budget,
                },
                ConcurrencyTool.Write => new Dictionary<string, object?>
                {
                    ["scope"] = _scope,
                    ["text"] = Inv($"{subject} noted during concurrent session step {sequence} that the quarterly review moved."),
                    ["type"] = "fact",
                    ["evidence"] = BenchMcpCommand.Json(Inv($$"""{"message_ids":["concurrency-{{sequence}}-{{Guid.NewGuid():N}}"]}""")),
                },
                _ => new Dictionary<string, object?> { ["scope"] = _scope, ["page_size"] = ReadPageSize },
            };
            var call = await client.CallToolAsync(name, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            BenchMcpCommand.Succeeded(call, name);
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    /// <summary>
    /// <c>skmem serve</c> as a child process: started from the built output on a free loopback port, its endpoint read
    /// from its banner, its warnings kept, and killed (with its process tree) when disposed.
    /// </summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _problems;
        private readonly Task _readError;
        private readonly Task _readOut;

        private ServerProcess(Process process, Uri mcpEndpoint, Task readError, Task readOut, List<string> problems)
        {
            _process = process;
            McpEndpoint = mcpEndpoint;
            HealthEndpoint = new Uri(mcpEndpoint, "/healthz");
            _readError = readError;
            _readOut = readOut;
            _problems = problems;
        }

        public int ProcessId => _process.Id;

        public Uri McpEndpoint { get; }

        public Uri HealthEndpoint { get; }

        /// <summary>Gets the first warnings and errors the server logged.</summary>
        public IReadOnlyList<string> Problems
        {
            get
            {
                lock (_problems)
                {
                    return [.. _problems];
                }
            }
        }

        public static async Task<ServerProcess> StartAsync(IReadOnlyList<string> arguments, TextWriter log, CancellationToken ct)
        {
            var (host, prefix) = Skmem();
            var start = new ProcessStartInfo(host)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var argument in prefix.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            log.WriteLine($"starting the server: {host} {string.Join(' ', prefix.Concat(arguments).Select(a => a.Contains("://", StringComparison.Ordinal) || a.Contains("Password", StringComparison.OrdinalIgnoreCase) ? "<store>" : a))}");
            var process = Process.Start(start) ?? throw new CliException(ExitCodes.Unexpected, $"could not start {host}", "check that the skmem build output is complete");
            var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            var problems = new List<string>();
            var banner = new StringBuilder();
            var readError = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
                {
                    if (!endpoint.Task.IsCompleted)
                    {
                        lock (banner)
                        {
                            banner.AppendLine(line);
                        }

                        const string Marker = "MCP endpoint";
                        var at = line.IndexOf(Marker, StringComparison.Ordinal);
                        if (at >= 0 && Uri.TryCreate(line[(at + Marker.Length)..].Trim(), UriKind.Absolute, out var uri))
                        {
                            endpoint.TrySetResult(uri);
                        }
                    }
                    else if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
                    {
                        lock (problems)
                        {
                            if (problems.Count < KeptServerLines)
                            {
                                problems.Add(line);
                            }
                        }
                    }
                }
            }, CancellationToken.None);
            var readOut = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                deadline.CancelAfter(ServerStartTimeout);
                var exited = process.WaitForExitAsync(deadline.Token);
                var first = await Task.WhenAny(endpoint.Task, exited).ConfigureAwait(false);
                if (first != endpoint.Task)
                {
                    ct.ThrowIfCancellationRequested();
                    string output;
                    lock (banner)
                    {
                        output = banner.ToString().Trim();
                    }

                    throw new CliException(
                        ExitCodes.Unexpected,
                        process.HasExited ? $"the server exited with code {process.ExitCode} before listening: {output}" : $"the server did not listen within {ServerStartTimeout.TotalSeconds:F0} s: {output}",
                        "run 'skmem serve --port 0' with the same --store to see why");
                }

                return new ServerProcess(process, await endpoint.Task.ConfigureAwait(false), readError, readOut, problems);
            }
            catch
            {
                Kill(process);
                process.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Kill(_process);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                await Task.WhenAll(_readError, _readOut).WaitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Killed; its pipes close with it.
            }

            _process.Dispose();
        }

        private static void Kill(Process process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        // The built skmem beside this assembly, run by the dotnet host that runs this process (the SDK's, under tests).
        private static (string Host, string[] Prefix) Skmem()
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "skmem.dll");
            if (!File.Exists(dll))
            {
                throw new CliException(ExitCodes.Unexpected, $"skmem.dll is not at {dll}", "run the benchmark from the built skmem (dotnet build src/SkMemory.Cli -c Release)");
            }

            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromSdk && File.Exists(fromSdk)
                ? fromSdk
                : Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
            return (host, [dll]);
        }
    }
}
