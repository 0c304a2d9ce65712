namespace SkMemory.Evals.Tests;

public sealed class EvidenceRecallTests
{
    private static readonly IReadOnlyList<IReadOnlyCollection<string>> Ranking =
        [["D1:1"], ["D1:2"], ["D1:3", "D4:4"], ["D1:4"], ["D1:5"], ["D2:1"], ["D2:2"]];

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 1.0 / 3)]
    [InlineData(3, 2.0 / 3)]
    [InlineData(5, 2.0 / 3)]
    [InlineData(7, 1.0)]
    [InlineData(20, 1.0)]
    public void Recall_at_k_is_the_share_of_evidence_in_the_top_k(int k, double expected) =>
        Assert.Equal(expected, EvidenceRecall.AtK(Ranking, ["D1:2", "D4:4", "D2:2"], k), 9);

    [Fact]
    public void Repeated_evidence_counts_once_and_no_evidence_is_zero()
    {
        Assert.Equal(1.0, EvidenceRecall.Of(["D1:1"], ["D1:1", "D1:1"]));
        Assert.Equal(0.0, EvidenceRecall.Of(["D1:1"], []));
        Assert.Equal(0.0, EvidenceRecall.AtK(Ranking, ["D9:9"], 20));
    }
}
