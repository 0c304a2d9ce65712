namespace SkMemory.Evals.Tests;

public sealed class LoCoMoBenchmarkTests
{
    [Fact]
    public async Task Runs_end_to_end_on_a_small_conversation()
    {
        using var tiny = new TinyLoCoMo();
        var lines = new List<string>();

        var result = await LoCoMoBenchmark.RunAsync(tiny.Folder, new Progress(lines), new LoCoMoBenchmarkOptions { PacketBudget = 200 }, TestContext.Current.CancellationToken);

        // The question without evidence is skipped; the others are scored.
        Assert.Equal(4, result.Questions.Count);
        var conversation = Assert.Single(result.Conversations);
        Assert.Equal(30, conversation.Turns);
        Assert.Equal(29, conversation.Memories); // "Ben: Bye!" twice is one memory.
        Assert.True(conversation.Tokens > 300);

        // 29 memories: the top 10 and top 20 leave turns out, and a 200-token packet holds only a few memories, so these
        // hold only when the evidence ranks high.
        Assert.All(result.Questions, q => Assert.Equal(1.0, q.RecallAt10));
        Assert.All(result.Questions, q => Assert.Equal(1.0, q.RecallAt20));
        Assert.All(result.Questions, q => Assert.InRange(q.PacketTokens, 1, 200));
        var dog = result.Questions.Single(q => q.Category == 4);
        var fetch = result.Questions.Single(q => q.Category == 5);
        var violin = result.Questions.Single(q => q.Category == 1);

        // The dog's name and what Biscuit learned are asked with the turns' own words: top 5, and in the small packet.
        Assert.Equal((1.0, 1.0), (dog.RecallAt5, dog.PacketRecall));
        Assert.Equal((1.0, 1.0), (fetch.RecallAt5, fetch.PacketRecall));

        // The instrument has two evidence turns in two sessions: at least one of them makes the top 5 and the packet.
        Assert.Equal(2, violin.Evidence);
        Assert.InRange(violin.RecallAt5, 0.5, 1);
        Assert.InRange(violin.PacketRecall, 0.5, 1);

        var all = result.Categories[^1];
        Assert.Equal(("all", 4), (all.Category, all.Questions));
        Assert.Equal(0, result.Categories[1].Questions); // category 2's only question has no evidence
        Assert.Contains(lines, l => l.Contains("30/30 turns written", StringComparison.Ordinal));
        Assert.StartsWith("all-MiniLM-L6-v2", result.EmbeddingModel, StringComparison.Ordinal);
        Assert.Equal("offline, ONNX Runtime, CPU", result.EmbeddingRuntime);
        Assert.Contains("with the default retrieval", result.Store, StringComparison.Ordinal);
        Assert.Contains("reranker mmr", result.Store, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stores_search_with_the_retrieval_options_given()
    {
        using var tiny = new TinyLoCoMo();

        var result = await LoCoMoBenchmark.RunAsync(
            tiny.Folder,
            null,
            new LoCoMoBenchmarkOptions { Retrieval = new MemoryRetrievalOptions { Reranker = null, NeighborWeight = 0 } },
            TestContext.Current.CancellationToken);

        Assert.Equal(4, result.Questions.Count);
        Assert.Contains("with this retrieval", result.Store, StringComparison.Ordinal);
        Assert.Contains("neighbour context (weight 0)", result.Store, StringComparison.Ordinal);
        Assert.Contains("reranker none", result.Store, StringComparison.Ordinal);

        // The options are the store's own: the store checks them.
        var invalid = await Assert.ThrowsAnyAsync<ArgumentException>(() => LoCoMoBenchmark.RunAsync(
            tiny.Folder,
            null,
            new LoCoMoBenchmarkOptions { Retrieval = new MemoryRetrievalOptions { RrfK = -1 } },
            TestContext.Current.CancellationToken));
        Assert.Equal(nameof(MemoryRetrievalOptions.RrfK), invalid.ParamName);
    }

    [Fact]
    public void The_document_section_is_replaced_in_place()
    {
        var first = LoCoMoReport.UpdateDocument(null, $"{LoCoMoReport.BeginMarker}\nold\n{LoCoMoReport.EndMarker}\n");
        var withMore = first + "\n## Other\n\nkept\n";

        var updated = LoCoMoReport.UpdateDocument(withMore, $"{LoCoMoReport.BeginMarker}\nnew\n{LoCoMoReport.EndMarker}\n");

        Assert.StartsWith("# Benchmarks", updated, StringComparison.Ordinal);
        Assert.Contains("new", updated, StringComparison.Ordinal);
        Assert.DoesNotContain("old", updated, StringComparison.Ordinal);
        Assert.Contains("## Other\n\nkept", updated, StringComparison.Ordinal);
    }

    private sealed class Progress(List<string> lines) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (lines)
            {
                lines.Add(value);
            }
        }
    }
}
