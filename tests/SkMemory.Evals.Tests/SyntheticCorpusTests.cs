namespace SkMemory.Evals.Tests;

public sealed class SyntheticCorpusTests
{
    [Fact]
    public void Memories_AreDeterministicDistinctAndSpreadEvenly()
    {
        var corpus = new SyntheticCorpus(memories: 1003, subjects: 10, seed: 7);
        var again = new SyntheticCorpus(memories: 1003, subjects: 10, seed: 7);
        var other = new SyntheticCorpus(memories: 1003, subjects: 10, seed: 8);

        Assert.Equal("user-0001", corpus.Subjects[0]);
        Assert.Equal([101, 101, 101, 100, 100, 100, 100, 100, 100, 100], Enumerable.Range(0, 10).Select(corpus.MemoriesOf).Select(m => m.Count));
        Assert.Equal(1003, Enumerable.Range(0, 10).Sum(corpus.CountOf));
        for (var s = 0; s < corpus.SubjectCount; s++)
        {
            var memories = corpus.MemoriesOf(s);
            Assert.Equal(memories.Count, memories.Select(m => m.Text).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(memories.Select(m => m.Text), again.MemoriesOf(s).Select(m => m.Text));
            Assert.All(memories, m => Assert.Equal(corpus.Subjects[s], m.Subject));
        }

        Assert.NotEqual(corpus.MemoriesOf(0).Select(m => m.Text), other.MemoriesOf(0).Select(m => m.Text));
        var all = Enumerable.Range(0, 10).SelectMany(corpus.MemoriesOf).ToList();
        Assert.Equal(["event", "fact", "preference"], all.Select(m => m.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.All(all.Where(m => m.Type == "event" && m.Text.Contains(" 20", StringComparison.Ordinal)), m => Assert.NotNull(m.ValidFrom));
        Assert.All(all, m => Assert.DoesNotContain("{", m.Text + m.Question, StringComparison.Ordinal));
        Assert.Equal(all.Count, all.Select(m => m.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void TenThousandMemoriesInOneSubject_AreAllDistinct()
    {
        var memories = new SyntheticCorpus(memories: 10_000, subjects: 1, seed: 7).MemoriesOf(0);

        Assert.Equal(10_000, memories.Count);
        Assert.Equal(10_000, memories.Select(m => m.Text).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Queries_MixAimedAndOffTopicQuestions()
    {
        var corpus = new SyntheticCorpus(memories: 500, subjects: 5, seed: 7);

        var queries = corpus.Queries(400);

        Assert.Equal(queries, corpus.Queries(400));
        Assert.NotEqual(queries.Select(q => q.Text), corpus.Queries(400, stream: 1).Select(q => q.Text));
        var aimed = queries.Where(q => q.TargetKey is not null).ToList();
        Assert.InRange(aimed.Count, 260, 340); // 75 % of 400, give or take
        var byKey = Enumerable.Range(0, 5).SelectMany(corpus.MemoriesOf).ToDictionary(m => m.IdempotencyKey);
        Assert.All(aimed, q =>
        {
            var target = byKey[q.TargetKey!];
            Assert.Equal(target.Subject, q.Subject);
            Assert.Equal(target.Question, q.Text);
        });

        // Off-topic questions share no word with any memory beyond stop words.
        var words = byKey.Values.SelectMany(m => m.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(w => w.Trim('.', ',', ';', '?').ToLowerInvariant()).ToHashSet();
        var offTopic = queries.Where(q => q.TargetKey is null).SelectMany(q => q.Text.Split(' ')).Select(w => w.Trim('?').ToLowerInvariant());
        Assert.Empty(offTopic.Where(w => w.Length > 3 && words.Contains(w)).Except(["does", "what", "from"]));
    }
}
