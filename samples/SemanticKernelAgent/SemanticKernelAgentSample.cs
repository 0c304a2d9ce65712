using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMemory;
using SkMemory.Context;
using SkMemory.SemanticKernel;
using SkMemory.Storage.Sqlite;
using SkMemory.Samples;

namespace SemanticKernelAgent;

/// <summary>
/// A Semantic Kernel agent that remembers Ana across two sessions: in the first she states a preference and the model saves
/// it with <c>memory_remember</c> (and capture picks up the rest of the turn); in the second, a new chat history, the memory
/// packet is injected into the model call and the model answers from it. Prints what was remembered and what was injected.
/// </summary>
internal static class SemanticKernelAgentSample
{
    private const string Tenant = "demo";

    public static async Task<int> MainAsync(string[] args, Func<string, string?> environment, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (args.Length > 0 && args[0] == "--bench")
        {
            var calls = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
            await BenchAsync(calls, output, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        // Only a bad SKMEMORY_CHAT_MODEL is a usage error; an ArgumentException from the run itself is a real failure.
        if (await SampleSettings.FromEnvironmentOrUsageAsync(environment, output).ConfigureAwait(false) is not { } settings)
        {
            return 2;
        }

        await RunAsync(settings, output, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Runs the two sessions and returns what the second one injected.</summary>
    public static async Task<string?> RunAsync(SampleSettings settings, TextWriter output, CancellationToken cancellationToken = default)
    {
        var temporary = settings.DatabasePath is null ? Directory.CreateTempSubdirectory("skmemory-sk-sample-").FullName : null;
        var path = settings.DatabasePath ?? Path.Combine(temporary!, "memories.db");
        try
        {
            await output.WriteLineAsync($"Model: {settings.ModelDescription}; memories in {path}").ConfigureAwait(false);
            var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: cancellationToken).ConfigureAwait(false);

            // The whole memory stack, the chat client with memory injection outside SK's function invoker, and the kernel.
            var sample = new SampleKernel(store, settings.RealModel?.Invoke() ?? new ScriptedModel());
            await using var disposeSample = sample.ConfigureAwait(false);
            var (kernel, chat, sessions) = (sample.Kernel, sample.Chat, sample.Sessions);
            var settingsWithTools = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

            // Session 1: Ana tells the agent how she takes her coffee.
            sessions.Session = MemorySession.ForAgent(Tenant, "ana", "concierge", "session-1");
            var first = new ChatHistory("You are a friendly concierge. Use the memory functions to remember durable facts the user tells you.");
            first.AddUserMessage("Hi, I'm Ana. I prefer oat milk in my coffee, and I live in Lisbon.");
            await TurnAsync(chat, first, settingsWithTools, kernel, output, cancellationToken).ConfigureAwait(false);
            await sample.Capture.FlushAsync(cancellationToken).ConfigureAwait(false);

            await output.WriteLineAsync("Remembered about ana:").ConfigureAwait(false);
            var page = await sample.Store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = "ana" }, cancellationToken).ConfigureAwait(false);
            foreach (var memory in page.Items)
            {
                await output.WriteLineAsync($"  [{memory.Id}] {memory.Type}: \"{memory.Value.Text}\" by {memory.Actor}; evidence: {string.Join(", ", memory.Provenance.ToolCallIds.Concat(memory.Provenance.MessageIds))}").ConfigureAwait(false);
            }

            // Session 2: a new conversation; the memories come back through injection, not through the history.
            sample.Injected = null;
            sessions.Session = MemorySession.ForAgent(Tenant, "ana", "concierge", "session-2");
            var second = new ChatHistory("You are a friendly concierge.");
            second.AddUserMessage("Good morning! Can you order my usual coffee with milk?");
            await TurnAsync(chat, second, settingsWithTools, kernel, output, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync("Injected into the second session's model call:").ConfigureAwait(false);
            await output.WriteLineAsync(sample.Injected ?? "(nothing)").ConfigureAwait(false);
            await sample.Capture.FlushAsync(cancellationToken).ConfigureAwait(false);
            return sample.Injected;
        }
        finally
        {
            if (temporary is not null)
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    /// <summary>
    /// Measures what injection adds to a call, excluding the model: the same request through <see cref="MemoryInjectingChatClient"/>
    /// (search, pack, audit; capture off) over a model that answers at once, on a store of 1,000 memories.
    /// </summary>
    public static async Task<(double P50, double P95)> BenchAsync(int calls, TextWriter output, CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory("skmemory-sk-bench-").FullName;
        try
        {
            using var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = Path.Combine(directory, "bench.db") }, cancellationToken: cancellationToken).ConfigureAwait(false);
            string[] topics = ["coffee", "tea", "flights", "hotels", "music", "books", "running", "cooking", "museums", "trains"];
            for (var i = 0; i < 1000; i++)
            {
                var subject = i % 2 == 0 ? "ana" : "user" + (i % 50).ToString(CultureInfo.InvariantCulture);
                await store.WriteAsync(
                    new MemoryWriteRequest
                    {
                        Tenant = Tenant,
                        Type = MemoryTypes.Preference,
                        Subject = subject,
                        Actor = MemoryActor.User(subject),
                        Value = $"{subject} likes {topics[i % topics.Length]} number {i} on weekends with friends",
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            var sessions = new MemorySessionAccessor(MemorySession.ForAgent(Tenant, "ana", "concierge"));
            var governed = new MemoryStoreBuilder(store).UseAccessControl(sessions).Build();
            var context = new MemoryContextProvider(governed, new MemoryContextOptions { TokenBudget = 800 });
            var noCapture = new ChatOptions { AdditionalProperties = new() { [MemorySession.CaptureDisabledKey] = true } };
            var (p50, p95) = await MeasureAsync(new ChatClientBuilder(new ScriptedModel()).UseSkMemory(context, sessions).Build(), noCapture, calls, topics, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Injection overhead per call over {calls} calls (1,000 memories, governed store, 800-token budget, text search, model excluded): p50 {p50:0.00} ms, p95 {p95:0.00} ms")).ConfigureAwait(false);

            // With capture on, the call only enqueues the turn; ingestion runs in the background (and competes for the CPU).
            var queue = new MemoryCaptureQueue(new SkMemory.Capture.MemoryCapturePipeline(store, new SkMemory.Capture.RuleBasedMemoryExtractor()), capacity: calls + 100);
            await using (queue.ConfigureAwait(false))
            {
                var (c50, c95) = await MeasureAsync(new ChatClientBuilder(new ScriptedModel()).UseSkMemory(context, sessions, queue).Build(), null, calls, topics, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"With capture enqueued after each call: p50 {c50:0.00} ms, p95 {c95:0.00} ms")).ConfigureAwait(false);
                await queue.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return (p50, p95);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(double P50, double P95)> MeasureAsync(IChatClient client, ChatOptions? options, int calls, string[] topics, CancellationToken cancellationToken)
    {
        using (client)
        {
            var times = new List<double>(calls);
            for (var i = -20; i < calls; i++)
            {
                var question = new ChatMessage(ChatRole.User, $"What do I like about {topics[Math.Abs(i) % topics.Length]} on weekends?");
                var start = Stopwatch.GetTimestamp();
                await client.GetResponseAsync([question], options, cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (i >= 0)
                {
                    times.Add(elapsed);
                }
            }

            times.Sort();
            return (times[(int)(0.50 * (times.Count - 1))], times[(int)(0.95 * (times.Count - 1))]);
        }
    }

    private static async Task TurnAsync(IChatCompletionService chat, ChatHistory history, PromptExecutionSettings settings, Kernel kernel, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"user> {history[^1].Content}").ConfigureAwait(false);
        var reply = await chat.GetChatMessageContentAsync(history, settings, kernel, cancellationToken).ConfigureAwait(false);
        history.Add(reply);
        await output.WriteLineAsync($"agent> {reply.Content}").ConfigureAwait(false);
    }
}
