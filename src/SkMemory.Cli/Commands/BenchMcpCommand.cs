using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using SkMemory.Evals;
using SkMemory.Mcp;
using SkMemory.Redaction;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem bench mcp [--memories 10000] [--calls 1000] [--output docs/benchmarks.md] [--no-write]</c>: the latency of the
/// MCP tools end to end over HTTP: a temporary embedded store with N memories, the HTTP server on a free loopback port,
/// the official C# client with an API key, and <c>search_by_semantics</c> and <c>write_with_provenance</c> timed per call.
/// </summary>
internal static class BenchMcpCommand
{
    /// <summary>The marker that opens the section in the document.</summary>
    public const string BeginMarker = "<!-- mcp-latency:begin -->";

    /// <summary>The marker that closes the section in the document.</summary>
    public const string EndMarker = "<!-- mcp-latency:end -->";

    private const int DefaultMemories = 10_000;
    private const int DefaultCalls = 1_000;
    private const int DefaultWarmup = 50;
    private const int DefaultTop = 10;
    private const int DefaultBudget = 1000;
    private const int DefaultSeed = 7; // the recall latency benchmark's: the same data set and queries
    private const string Tenant = "bench-mcp";

    public static Command Create(CommandRunner runner)
    {
        var report = new BenchCommand.ReportFile("MCP tool latency over HTTP");
        var memories = BenchOptions.Number("--memories", "Memories loaded into the temporary store (one subject).", DefaultMemories);
        var calls = BenchOptions.Number("--calls", "Timed calls per tool.", DefaultCalls);
        var warmup = BenchOptions.Number("--warmup", "Untimed warm-up calls per tool.", DefaultWarmup);
        var top = BenchOptions.Number("--top", "search_by_semantics top, 1..50.", DefaultTop);
        var budget = BenchOptions.Number("--budget", "search_by_semantics token_budget.", DefaultBudget);
        var seed = BenchOptions.Number("--seed", "Seed of the synthetic memories and queries.", DefaultSeed);
        var command = new Command(
            "mcp",
            "MCP tool latency over streamable HTTP (official C# client, API key, loopback): search_by_semantics and write_with_provenance p50/p95/p99 and calls/s on a temporary SQLite store.")
        {
            memories, calls, warmup, top, budget, seed, report.Output, report.NoWrite,
        };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var settings = new Settings(
                parseResult.GetValue(memories),
                parseResult.GetValue(calls),
                parseResult.GetValue(warmup),
                parseResult.GetValue(top),
                parseResult.GetValue(budget),
                parseResult.GetValue(seed));
            BenchOptions.Check(settings.Memories >= 1, "memories", $"{settings.Memories} memories", "pass --memories 1 or more");
            BenchOptions.Check(settings.Calls >= 1, "calls", $"{settings.Calls} calls", "pass --calls 1 or more");
            BenchOptions.Check(settings.Warmup >= 0, "warmup", $"{settings.Warmup} warm-up calls", "pass --warmup 0 or more");
            BenchOptions.Check(settings.Top is >= 1 and <= 50, "top", $"top {settings.Top}", "pass --top between 1 and 50");
            BenchOptions.Check(settings.Budget is >= 16 and <= 100_000, "budget", $"a budget of {settings.Budget}", "pass --budget between 16 and 100000");
            var commandLine = new List<string> { "skmem bench mcp" };
            BenchOptions.AddIfNot(commandLine, "--memories", settings.Memories, DefaultMemories);
            BenchOptions.AddIfNot(commandLine, "--calls", settings.Calls, DefaultCalls);
            BenchOptions.AddIfNot(commandLine, "--warmup", settings.Warmup, DefaultWarmup);
            BenchOptions.AddIfNot(commandLine, "--top", settings.Top, DefaultTop);
            BenchOptions.AddIfNot(commandLine, "--budget", settings.Budget, DefaultBudget);
            BenchOptions.AddIfNot(commandLine, "--seed", settings.Seed, DefaultSeed);
            if (context.Embedder is { } embedderChoice)
            {
                commandLine.Add("--embedder " + embedderChoice);
            }

            var target = report.Target(parseResult);
            var result = await RunAsync(context, settings, string.Join(' ', commandLine)).ConfigureAwait(false);
            if (context.Json)
            {
                WriteJson(context.Out, result);
            }
            else
            {
                context.Out.Write(ToTable(result));
            }

            await report.WriteAsync(context, target, existing => UpdateDocument(existing, ToMarkdown(result))).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<Result> RunAsync(CliContext context, Settings settings, string commandLine)
    {
        var ct = context.CancellationToken;
        var log = context.Error;
        var spec = StoreOpener.NamedEmbedder(context.Embedder) ?? EmbedderSpec.MiniLm;
        var generator = await StoreOpener.EmbedderAsync(spec, log, ct).ConfigureAwait(false);
        using var ownedGenerator = spec.IsRemote ? generator : null;
        using var cache = generator is null ? null : new BenchEmbeddingCache(generator);
        var embeddingModel = spec.StoredModel ?? "none (full-text search only)";
        var folder = Directory.CreateTempSubdirectory("skmem-bench-mcp-").FullName;
        try
        {
            var storeTarget = new StoreTarget(StoreKind.Sqlite, Path.Combine(folder, "bench.db"), string.Empty, IsDefault: false);
            using var store = await StoreOpener.OpenAsync(storeTarget, StoreAccess.Write, ct, cache, spec.StoredModel).ConfigureAwait(false);

            // Load: the data set's texts embedded in batches beforehand, then one event-sourced write per memory.
            var corpus = new SyntheticCorpus(settings.Memories, 1, settings.Seed);
            var subject = corpus.Subjects[0];
            var data = corpus.MemoriesOf(0);
            log.WriteLine($"loading {HumanFormat.Count(data.Count, "memory", "memories")} into a temporary store ({embeddingModel})...");
            var loadTime = await LoadAsync(store, cache, data, Tenant, "mcp-benchmark", log, ct).ConfigureAwait(false);

            var key = await KeysCommand.Keys(store).CreateAsync(
                new MemoryApiKeyRequest { Tenant = Tenant, Actor = MemoryActor.Agent("mcp-benchmark-client"), ActingFor = [subject], Label = "skmem bench mcp" },
                ct).ConfigureAwait(false);
            var server = await SkMemoryHttpServer.StartAsync(
                new SkMemoryHttpServerOptions
                {
                    Store = store,
                    Port = 0,
                    ConfigureStore = b => b.UseRedaction(new MemoryRedactionOptions()),
                },
                ct).ConfigureAwait(false);
            await using var ownedServer = server.ConfigureAwait(false);
            var client = await ConnectAsync(server.McpEndpoint, key.Secret, ct).ConfigureAwait(false);
            await using var ownedClient = client.ConfigureAwait(false);
            var scope = PersonalScope(subject);

            var queries = corpus.Queries(settings.Warmup + settings.Calls);
            var searchHits = 0;
            var results = 0L;
            Task<double> Search(int i, bool timed) => TimeAsync(async () =>
            {
                var call = await client.CallToolAsync(
                    "search_by_semantics",
                    new Dictionary<string, object?> { ["scope"] = scope, ["query"] = queries[i].Text, ["top"] = settings.Top, ["token_budget"] = settings.Budget },
                    cancellationToken: ct).ConfigureAwait(false);
                var content = Succeeded(call, "search_by_semantics");
                if (timed)
                {
                    var found = content.GetProperty("results");
                    results += found.GetArrayLength();
                    if (queries[i].TargetKey is { } wanted && found.EnumerateArray().Any(r => r.GetProperty("record").TryGetProperty("idempotency_key", out var k) && k.GetString() == wanted))
                    {
                        searchHits++;
                    }
                }
            });
            Task<double> Write(int i) => TimeAsync(async () =>
            {
                var call = await client.CallToolAsync(
                    "write_with_provenance",
                    new Dictionary<string, object?>
                    {
                        ["scope"] = scope,
                        ["text"] = string.Create(CultureInfo.InvariantCulture, $"{subject} logged benchmark note {i} about the quarterly review."),
                        ["type"] = "fact",
                        ["evidence"] = Json(string.Create(CultureInfo.InvariantCulture, $$"""{"message_ids":["bench-{{i}}"]}""")),
                    },
                    cancellationToken: ct).ConfigureAwait(false);
                Succeeded(call, "write_with_provenance");
            });

            log.WriteLine($"warming up: {settings.Warmup} calls per tool...");
            for (var i = 0; i < settings.Warmup; i++)
            {
                await Search(i, timed: false).ConfigureAwait(false);
                await Write(i).ConfigureAwait(false);
            }

            log.WriteLine($"timing {settings.Calls} search_by_semantics calls...");
            var searchTimes = new List<double>(settings.Calls);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < settings.Calls; i++)
            {
                searchTimes.Add(await Search(settings.Warmup + i, timed: true).ConfigureAwait(false));
            }

            var searchElapsed = clock.Elapsed;
            log.WriteLine($"timing {settings.Calls} write_with_provenance calls...");
            var writeTimes = new List<double>(settings.Calls);
            clock.Restart();
            for (var i = 0; i < settings.Calls; i++)
            {
                writeTimes.Add(await Write(settings.Warmup + i).ConfigureAwait(false));
            }

            var writeElapsed = clock.Elapsed;
            await client.DisposeAsync().ConfigureAwait(false);
            await server.StopAsync(ct).ConfigureAwait(false);
            return new Result(
                commandLine,
                settings,
                data.Count,
                embeddingModel,
                loadTime,
                LatencySummary.Of(searchTimes),
                settings.Calls / searchElapsed.TotalSeconds,
                LatencySummary.Of(writeTimes),
                settings.Calls / writeElapsed.TotalSeconds,
                searchHits,
                queries.Skip(settings.Warmup).Count(q => q.TargetKey is not null),
                (double)results / settings.Calls,
                DateTimeOffset.UtcNow);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
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

    /// <summary>
    /// Loads a data set into a store the way the MCP benchmarks do: the texts embedded in batches beforehand, then one
    /// event-sourced write per memory (four at a time), with progress on <paramref name="log"/>.
    /// </summary>
    /// <returns>The time the load took.</returns>
    internal static async Task<TimeSpan> LoadAsync(
        IMemoryStore store, BenchEmbeddingCache? cache, IReadOnlyList<SyntheticMemory> data, string tenant, string actorId, TextWriter log, CancellationToken ct)
    {
        var load = Stopwatch.StartNew();
        if (cache is not null)
        {
            await cache.PrecomputeAsync([.. data.Select(m => m.Text)], ct).ConfigureAwait(false);
        }

        var written = 0;
        await Parallel.ForEachAsync(data, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (memory, token) =>
        {
            await store.WriteAsync(
                new MemoryWriteRequest
                {
                    Tenant = tenant,
                    Type = memory.Type,
                    Subject = memory.Subject,
                    Actor = MemoryActor.Agent(actorId),
                    Value = memory.Text,
                    Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Import, MessageIds = [memory.IdempotencyKey] },
                    Salience = memory.Salience,
                    Confidence = memory.Confidence,
                    ValidFrom = memory.ValidFrom,
                    IdempotencyKey = memory.IdempotencyKey,
                },
                token).ConfigureAwait(false);
            if (Interlocked.Increment(ref written) % 2000 == 0)
            {
                log.WriteLine($"  {HumanFormat.Count(written)} written");
            }
        }).ConfigureAwait(false);
        cache?.Forget();
        load.Stop();
        log.WriteLine($"loaded in {HumanFormat.Duration(load.Elapsed)}");
        return load.Elapsed;
    }

    /// <summary>Connects the official C# MCP client over streamable HTTP with an API key.</summary>
    internal static Task<McpClient> ConnectAsync(Uri endpoint, string secret, CancellationToken ct)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + secret },
        });
        return McpClient.CreateAsync(transport, cancellationToken: ct);
    }

    /// <summary>The <c>scope</c> argument of a subject's personal memories.</summary>
    internal static JsonElement PersonalScope(string subject) => Json(JsonOutput.Render(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "personal");
        w.WriteString("subject", subject);
        w.WriteEndObject();
    }));

    private static async Task<double> TimeAsync(Func<Task> call)
    {
        var start = Stopwatch.GetTimestamp();
        await call().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The structured content of a successful tool call; a failed one throws with the tool's message.</summary>
    internal static JsonElement Succeeded(CallToolResult call, string tool)
    {
        if (call.IsError is true || call.StructuredContent is not { } content)
        {
            var text = string.Join(' ', call.Content.OfType<TextContentBlock>().Select(b => b.Text));
            throw new CliException(ExitCodes.Unexpected, $"{tool} failed during the benchmark: {text}", "run the benchmark again; if it fails again, report it");
        }

        return content;
    }

    /// <summary>Parses JSON into a detached element.</summary>
    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string ToTable(Result r)
    {
        var text = new StringBuilder();
        text.AppendLine(Inv($"{"tool",-22} {"memories",9} {"calls",6} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"mean ms",8} {"calls/s",8}"));
        text.AppendLine(Inv($"{"search_by_semantics",-22} {r.Memories,9:N0} {r.Search.Count,6} {r.Search.P50,8:F2} {r.Search.P95,8:F2} {r.Search.P99,8:F2} {r.Search.Mean,8:F2} {r.SearchPerSecond,8:F1}"));
        text.AppendLine(Inv($"{"write_with_provenance",-22} {r.Memories,9:N0} {r.Write.Count,6} {r.Write.P50,8:F2} {r.Write.P95,8:F2} {r.Write.P99,8:F2} {r.Write.Mean,8:F2} {r.WritePerSecond,8:F1}"));
        text.AppendLine(Inv($"embedder {r.EmbeddingModel}; loaded in {r.Load.TotalSeconds:F1} s; {r.SearchHits}/{r.AimedQueries} aimed questions found their memory in the top {r.Settings.Top}; {r.MeanResults:F1} results per search"));
        return text.ToString();
    }

    private static string ToMarkdown(Result r)
    {
        var md = new StringBuilder();
        md.AppendLine(BeginMarker);
        md.AppendLine("## MCP tool latency over HTTP");
        md.AppendLine();
        md.AppendLine(Inv($"Generated by `{r.Command}` on {r.FinishedAt:yyyy-MM-dd} (UTC)."));
        md.AppendLine();
        md.AppendLine("**One call** is what an MCP client pays per tool call: the official C# client (`McpClient` over `HttpClientTransport`,");
        md.AppendLine("streamable HTTP) sends `tools/call` to the SkMemory HTTP server (`SkMemoryHttpServer`, Kestrel on 127.0.0.1, the same server");
        md.AppendLine("`skmem serve` runs) with an API key; the server authenticates the key, runs the tool through the access policy and redaction");
        md.AppendLine("(the built-in policy) on the embedded SQLite store, and returns structured content and text. Each call is timed end to end");
        md.AppendLine(Inv($"with a `Stopwatch` by one client, back to back, after {r.Settings.Warmup} untimed warm-up calls per tool; percentiles are nearest-rank."));
        md.AppendLine();
        md.AppendLine(Inv($"- `search_by_semantics`: `top` {r.Settings.Top}, `token_budget` {r.Settings.Budget}; the query is embedded live, hybrid search (vector and"));
        md.AppendLine("  full text, fused, scored, reranked), then packed into a memory packet. Queries: 75 % aimed at one memory, 25 % off-topic.");
        md.AppendLine("- `write_with_provenance`: a new fact with a message id as evidence: redaction, the text embedded live, one event-sourced");
        md.AppendLine("  transaction (event, hash chain, projection, embedding row). The store grows by one memory per call.");
        md.AppendLine();
        md.AppendLine(Inv($"**Data.** {r.Memories:N0} synthetic memories of one subject (`SyntheticCorpus` v{SyntheticCorpus.Version}, seed {r.Settings.Seed}; with the default seed, the data set of the"));
        md.AppendLine(Inv($"recall latency benchmark), loaded in {r.Load.TotalSeconds:F1} s into a fresh temporary store before the server starts."));
        md.AppendLine();
        md.AppendLine(Inv($"**Machine.** {Machine()}. Embedder: `{r.EmbeddingModel}`."));
        md.AppendLine();
        md.AppendLine("| tool | memories | calls | p50 ms | p95 ms | p99 ms | mean ms | max ms | calls/s (one client) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(Inv($"| `search_by_semantics` | {r.Memories:N0} | {r.Search.Count} | {r.Search.P50:F2} | {r.Search.P95:F2} | {r.Search.P99:F2} | {r.Search.Mean:F2} | {r.Search.Max:F2} | {r.SearchPerSecond:F1} |"));
        md.AppendLine(Inv($"| `write_with_provenance` | {r.Memories:N0} | {r.Write.Count} | {r.Write.P50:F2} | {r.Write.P95:F2} | {r.Write.P99:F2} | {r.Write.Mean:F2} | {r.Write.Max:F2} | {r.WritePerSecond:F1} |"));
        md.AppendLine();
        md.AppendLine(Inv($"Sanity check: {r.SearchHits}/{r.AimedQueries} aimed questions found their memory in the top {r.Settings.Top}; {r.MeanResults:F1} results per search."));
        md.AppendLine("Compare with \"Recall latency\" above (the same search through `IMemoryStore` in process, without the access policy or");
        md.AppendLine("redaction) for what the policies, MCP, HTTP and JSON add.");
        md.AppendLine(EndMarker);
        return md.ToString();
    }

    /// <summary>Puts the section into the document: replaces the text between the markers, or appends it.</summary>
    private static string UpdateDocument(string? document, string section)
    {
        if (string.IsNullOrWhiteSpace(document))
        {
            return "# Benchmarks\n\nMeasured numbers, each section regenerated by the command it names.\n\n" + section;
        }

        var begin = document.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = begin < 0 ? -1 : document.IndexOf(EndMarker, begin, StringComparison.Ordinal);
        if (begin < 0 || end < 0)
        {
            return document.TrimEnd() + "\n\n" + section;
        }

        var after = end + EndMarker.Length;
        if (after < document.Length && document[after] == '\n')
        {
            after++;
        }

        return string.Concat(document.AsSpan(0, begin), section, document.AsSpan(after));
    }

    private static string Machine()
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var ram = memory > 0 ? Inv($", {memory / (1024.0 * 1024 * 1024):F0} GiB RAM") : string.Empty;
        return Inv($"{Environment.ProcessorCount} logical CPUs{ram}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    private static void WriteJson(TextWriter output, Result r) =>
        JsonOutput.Write(output, w =>
        {
            w.WriteString("command", r.Command);
            w.WriteString("store", "sqlite");
            w.WriteString("transport", "streamable-http");
            w.WriteString("embedding_model", r.EmbeddingModel);
            w.WriteNumber("memories", r.Memories);
            w.WriteNumber("calls", r.Settings.Calls);
            w.WriteNumber("warmup", r.Settings.Warmup);
            w.WriteNumber("top", r.Settings.Top);
            w.WriteNumber("token_budget", r.Settings.Budget);
            w.WriteNumber("seed", r.Settings.Seed);
            w.WriteNumber("load_seconds", Math.Round(r.Load.TotalSeconds, 3));
            BenchOptions.Summary(w, "search_by_semantics_ms", r.Search);
            w.WriteNumber("search_calls_per_second", Math.Round(r.SearchPerSecond, 1));
            BenchOptions.Summary(w, "write_with_provenance_ms", r.Write);
            w.WriteNumber("write_calls_per_second", Math.Round(r.WritePerSecond, 1));
            w.WriteNumber("aimed_queries", r.AimedQueries);
            w.WriteNumber("aimed_hits", r.SearchHits);
            w.WriteNumber("results_per_search", Math.Round(r.MeanResults, 2));
            w.WriteString("finished_at", MemoryEventChain.FormatTimestamp(r.FinishedAt));
        });

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(int Memories, int Calls, int Warmup, int Top, int Budget, int Seed);

    private sealed record Result(
        string Command,
        Settings Settings,
        int Memories,
        string EmbeddingModel,
        TimeSpan Load,
        LatencySummary Search,
        double SearchPerSecond,
        LatencySummary Write,
        double WritePerSecond,
        int SearchHits,
        int AimedQueries,
        double MeanResults,
        DateTimeOffset FinishedAt);
}
