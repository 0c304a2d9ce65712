namespace SkMemory.Tests.Retrieval;

/// <summary>Builds memories and rerank candidates for the reranker tests.</summary>
internal static class RerankCandidates
{
    /// <summary>Creates a memory with the given text.</summary>
    public static MemoryRecord Memory(string text, string type = MemoryTypes.Preference) => TestMemories.Record(text, type);

    /// <summary>Creates a candidate.</summary>
    public static MemoryRerankCandidate Candidate(string text, double relevance, float[]? embedding = null) =>
        new(Memory(text), relevance, embedding is null ? null : new ReadOnlyMemory<float>(embedding));

    /// <summary>Creates candidates from texts, with relevance falling from 1 by 0.1 a step.</summary>
    public static MemoryRerankCandidate[] Descending(params string[] texts) =>
        [.. texts.Select((text, i) => Candidate(text, 1 - (0.1 * i)))];

    /// <summary>Creates a request.</summary>
    public static MemoryRerankRequest Request(IReadOnlyList<MemoryRerankCandidate> candidates, int top = 10, string query = "what milk does Ana like?") =>
        new() { Query = query, Top = top, Candidates = candidates };

    /// <summary>Asserts that the picks are unique indices with non-increasing scores.</summary>
    public static void AssertWellFormed(IReadOnlyList<MemoryRerankScore> picks, int candidateCount)
    {
        Assert.Equal(picks.Count, picks.Select(p => p.Index).Distinct().Count());
        Assert.All(picks, p => Assert.InRange(p.Index, 0, candidateCount - 1));
        for (var i = 1; i < picks.Count; i++)
        {
            Assert.True(picks[i].Score <= picks[i - 1].Score, $"Score {i} ({picks[i].Score}) is above score {i - 1} ({picks[i - 1].Score}).");
        }
    }
}
