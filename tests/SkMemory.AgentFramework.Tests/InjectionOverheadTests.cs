using System.Diagnostics;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace SkMemory.AgentFramework.Tests;

/// <summary>
/// Measures what the provider adds to a run, excluding the model: recall, packing and the read audit before the run, and
/// queuing for capture after it. Prints p50/p95 (run with <c>-showLiveOutput</c>); asserts only the work, never the time.
/// </summary>
public sealed class InjectionOverheadTests : IAsyncLifetime
{
    private const int Runs = 200;
    private MemoryHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await MemoryHost.OpenAsync(Ct);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Injection_overhead_per_run_is_measured()
    {
        string[] topics = ["coffee", "tea", "flights", "hotels", "music", "books", "running", "cooking", "cities", "languages"];
        for (var i = 0; i < 500; i++)
        {
            await _host.RememberAsync("ada", $"Ada prefers {topics[i % topics.Length]} option {i} with detail {i * 7 % 13}", cancellationToken: Ct);
            await _host.RememberAsync("bob", $"Bob prefers {topics[i % topics.Length]} option {i}", cancellationToken: Ct);
        }

        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent, _) = MemoryHost.Agent(new ScriptedChatClient(), provider);
        var session = await agent.CreateSessionAsync(Ct);
        var recall = new List<double>(Runs);
        var capture = new List<double>(Runs);
        var injected = 0;
        for (var i = 0; i < Runs + 10; i++)
        {
            var request = new ChatMessage(ChatRole.User, $"Which {topics[i % topics.Length]} do I like?");
#pragma warning disable MAAI001 // The contexts' constructors are for providers' tests.
            var start = Stopwatch.GetTimestamp();
            var context = await provider.InvokingAsync(new AIContextProvider.InvokingContext(agent, session, new AIContext { Messages = [request] }), Ct);
            var afterRecall = Stopwatch.GetTimestamp();
            await provider.InvokedAsync(new AIContextProvider.InvokedContext(agent, session, [request], [new ChatMessage(ChatRole.Assistant, "ok")]), Ct);
            var afterCapture = Stopwatch.GetTimestamp();
#pragma warning restore MAAI001
            if (i >= 10)
            {
                // The first ten warm up (JIT, tokenizer load, SQLite caches).
                recall.Add(Stopwatch.GetElapsedTime(start, afterRecall).TotalMilliseconds);
                capture.Add(Stopwatch.GetElapsedTime(afterRecall, afterCapture).TotalMilliseconds);
                injected += context.Instructions is { Length: > 0 } ? 1 : 0;
            }

            if (i % 50 == 0)
            {
                await _host.Capture.FlushAsync(Ct);
            }
        }

        await _host.Capture.FlushAsync(Ct);
        Assert.Equal(Runs, injected);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Injection overhead over {Runs} runs (1,000 memories, 800-token budget, hash embedder): recall+pack+audit p50 {Percentile(recall, 0.50):0.00} ms, p95 {Percentile(recall, 0.95):0.00} ms; capture enqueue p50 {Percentile(capture, 0.50):0.000} ms, p95 {Percentile(capture, 0.95):0.000} ms");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
