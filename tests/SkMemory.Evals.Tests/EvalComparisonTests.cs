using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkMemory.Capture;
using SkMemory.Evals.Suite;
using Xunit;

namespace SkMemory.Evals.Tests;

public sealed class EvalComparisonTests
{
    // Chat-template tokens and model names: a prompt holding one works on one provider's models only.
    private static readonly string[] ProviderTokens =
    [
        "<|im_start|>", "<|im_end|>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<|eot_id|>", "<|start_header_id|>", "<|begin_of_text|>",
        "<start_of_turn>", "<end_of_turn>", "<|system|>", "<|user|>", "<|assistant|>", "<|endoftext|>", "</s>", "### Instruction",
        "gpt-", "claude", "llama", "mistral", "gemini", "qwen", "phi-3", "openai", "anthropic", "ollama", "azure",
    ];

    [Fact]
    public void RankingStability_IsTheMeanOverTasksOfTheJaccardOfTopKPrefixes()
    {
        var a = EvalTestRuns.Run(queries: [new("u1", "t1", ["m1", "m2"]), new("u1", "t2", ["m3"]), new("u2", "t3", []), new("u3", "only-a", ["x"])]);
        var b = EvalTestRuns.Run(configuration: "b", queries: [new("u1", "t1", ["m2", "m1"]), new("u1", "t2", ["m4"]), new("u2", "t3", [])]);

        var (value, samples) = EvalComparison.RankingStability(a, b);

        Assert.Equal(3, samples);
        Assert.Equal((0.5 + 0 + 1) / 3.0, value, 6); // swapped (depth 1: 0, depth 2: 1), disjoint, both empty
        var partial = EvalComparison.RankingStability(EvalTestRuns.Run(queries: [new("u", "t", ["a", "b", "c"])]), EvalTestRuns.Run(queries: [new("u", "t", ["b", "c", "d"])]));
        Assert.Equal((0 + (1 / 3.0) + 0.5) / 3, partial.Value, 6); // depth 1: {a} vs {b}; 2: {b} of {a,b,c}; 3: {b,c} of {a,b,c,d}
    }

    [Fact]
    public void MemoryStability_ComparesFoundTypeAndStatus()
    {
        var a = EvalTestRuns.Run(memories: [new("u1", "m1", true, "preference", "active"), new("u1", "m2", true, "fact", "active"), new("u1", "m3", false, null, null), new("u1", "m4", true, "event", "active")]);
        var b = EvalTestRuns.Run(configuration: "b", memories: [new("u1", "m1", true, "preference", "active"), new("u1", "m2", true, "fact", "superseded"), new("u1", "m3", false, null, null), new("u1", "m4", true, "fact", "active")]);

        var (value, samples) = EvalComparison.MemoryStability(a, b);

        Assert.Equal((0.5, 4), (value, samples));
    }

    [Fact]
    public void Create_PrintsSideBySideDeltasDriftAndSkipped()
    {
        var baseline = EvalTestRuns.Run();
        var measurements = EvalTestRuns.Typical();
        measurements[0] = EvalTestRuns.M(EvalMetrics.Recall, 0.9, 200);
        var hashing = EvalTestRuns.Run(configuration: "offline-hashing", measurements: measurements, queries: [new("u1", "t1", ["m1"]), new("u2", "t2", ["m3"])]);

        var comparison = EvalComparison.Create([baseline, hashing], [new("gpt-4o-mini", "OPENAI_API_KEY is not set")]);
        var table = comparison.ToTable();

        var drift = Assert.Single(comparison.Others);
        Assert.Equal(0.875, drift.RankingStability, 6); // t1: depth 1 same, depth 2 half; t2 same
        Assert.Equal(1, drift.MemoryStability);
        Assert.Matches(@"recall\s+0\.97\s+0\.9 \(-0\.07\)", table);
        Assert.Matches(@"precision\s+0\.61\s+0\.61 \(0\)", table);
        Assert.Matches(@"ranking_stability\s+1\s+0\.875", table);
        Assert.Contains("skipped gpt-4o-mini: OPENAI_API_KEY is not set", table, StringComparison.Ordinal);
        var md = comparison.ToMarkdown();
        Assert.Contains("| recall | 0.97 | 0.9 (-0.07) |", md, StringComparison.Ordinal);
        Assert.Contains("| ranking_stability | 1 (baseline) | 0.875 (2 tasks) |", md, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(EvalComparisonJson.Render(comparison));
        var second = json.RootElement.GetProperty("configurations")[1];
        Assert.Equal(-0.07, second.GetProperty("metrics").GetProperty("recall").GetProperty("delta").GetDouble(), 6);
        Assert.Equal(0.875, second.GetProperty("ranking_stability").GetProperty("value").GetDouble(), 6);
        Assert.Equal("OPENAI_API_KEY is not set", json.RootElement.GetProperty("skipped")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public void Create_DifferentSuitesOrNoRun_Throws()
    {
        Assert.Contains("different suites", Assert.Throws<ArgumentException>(() => EvalComparison.Create([EvalTestRuns.Run(), EvalTestRuns.Run(suite: "x")])).Message, StringComparison.Ordinal);
        Assert.Contains("every configuration was skipped", Assert.Throws<ArgumentException>(() => EvalComparison.Create([])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChatPrompts_HoldNoProviderSpecificTokens()
    {
        // Every string constant of the capture code (the extractor's and conflict resolver's prompt parts) ...
        var constants = typeof(ChatClientMemoryExtractor).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ChatClientMemoryExtractor).Namespace)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            .Where(f => f.FieldType == typeof(string) && (f.IsLiteral || f.IsInitOnly))
            .Select(f => (string?)(f.IsLiteral ? f.GetRawConstantValue() : f.GetValue(null)) ?? string.Empty)
            .Where(s => s.Length > 200)
            .ToList();
        Assert.NotEmpty(constants);
        AssertNoProviderTokens(constants);
    }

    [Fact]
    public async Task ChatExtractor_SendsNoProviderSpecificTokens()
    {
        // ... and what the extractor actually sends: plain system and user messages, whatever the model.
        var client = new RecordingChatClient();
        var extractor = new ChatClientMemoryExtractor(client, new ChatClientMemoryExtractorOptions { ModelId = "some-model" });

        await extractor.ExtractAsync(
            new MemoryExtractionRequest
            {
                Tenant = "acme",
                Messages = [new MemoryMessage { Id = "m1", Speaker = "Ana", Text = "I prefer aisle seats.", ObservedAt = EvalTestRuns.Finished }],
            },
            TestContext.Current.CancellationToken);

        Assert.NotEmpty(client.Sent);
        Assert.All(client.Sent, m => Assert.True(m.Role == ChatRole.System || m.Role == ChatRole.User, $"unexpected role {m.Role}"));
        AssertNoProviderTokens(client.Sent.Select(m => m.Text));
    }

    private static void AssertNoProviderTokens(IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            foreach (var token in ProviderTokens)
            {
                Assert.False(text.Contains(token, StringComparison.OrdinalIgnoreCase), $"a prompt contains the provider-specific '{token}': …{Around(text, token)}…");
            }
        }
    }

    private static string Around(string text, string token)
    {
        var i = text.IndexOf(token, StringComparison.OrdinalIgnoreCase);
        return text.Substring(Math.Max(0, i - 40), Math.Min(text.Length - Math.Max(0, i - 40), token.Length + 80));
    }

    private sealed class RecordingChatClient : IChatClient
    {
        public List<ChatMessage> Sent { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Sent.AddRange(messages);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, """{"memories":[]}""")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
