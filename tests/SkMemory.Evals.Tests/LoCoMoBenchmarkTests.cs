namespace SkMemory.Evals.Tests;

public sealed class LoCoMoBenchmarkTests
{
    [Fact]
    public async Task Runs_end_to_end_on_a_tiny_conversation()
    {
        using var tiny = new TinyLoCoMo();
        var lines = new List<string>();

        var result = await LoCoMoBenchmark.RunAsync(tiny.Folder, new Progress(lines), TestContext.Current.CancellationToken);

        // The question without evidence is skipped; the others are scored.
        Assert.Equal(4, result.Questions.Count);
        var conversation = Assert.Single(result.Conversations);
        Assert.Equal(7, conversation.Turns);
        Assert.Equal(6, conversation.Memories); // "Ben: Bye!" twice is one memory.
        Assert.True(conversation.Tokens > 50);

        // Seven turns fit in the top 20 and in a 1,000-token packet: every evidence turn is found at 20 and in the packet.
        Assert.All(result.Questions, q => Assert.Equal(1.0, q.RecallAt20));
        Assert.All(result.Questions, q => Assert.Equal(1.0, q.PacketRecall));
        Assert.All(result.Questions, q => Assert.InRange(q.PacketTokens, 1, 1000));
        Assert.All(result.Questions, q => Assert.True(q.RecallAt5 <= q.RecallAt10 && q.RecallAt10 <= q.RecallAt20));

        // The dog's name is asked with the turn's own words: hybrid search ranks it in the top 5.
        Assert.Equal(1.0, result.Questions.Single(q => q.Category == 4).RecallAt5);

        var all = result.Categories[^1];
        Assert.Equal(("all", 4), (all.Category, all.Questions));
        Assert.Equal(0, result.Categories[1].Questions); // category 2's only question has no evidence
        Assert.Contains(lines, l => l.Contains("7/7 turns written", StringComparison.Ordinal));
        Assert.StartsWith("all-MiniLM-L6-v2", result.EmbeddingModel, StringComparison.Ordinal);
        Assert.Equal("offline, ONNX Runtime, CPU", result.EmbeddingRuntime);
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
