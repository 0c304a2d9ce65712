namespace SkMemory.Evals.Tests;

public sealed class LatencySummaryTests
{
    [Fact]
    public void Percentile_IsTheNearestRank()
    {
        var hundred = Enumerable.Range(1, 100).Select(i => (double)i).ToList();
        Assert.Equal(50, LatencySummary.Percentile(hundred, 50));
        Assert.Equal(95, LatencySummary.Percentile(hundred, 95));
        Assert.Equal(99, LatencySummary.Percentile(hundred, 99));
        Assert.Equal(100, LatencySummary.Percentile(hundred, 100));
        Assert.Equal(1, LatencySummary.Percentile(hundred, 0.5));

        // Ten values: rank ⌈0.5 × 10⌉ = 5 and ⌈0.95 × 10⌉ = 10, so p95 is the slowest, not an interpolation.
        var ten = new double[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 1000 };
        Assert.Equal(50, LatencySummary.Percentile(ten, 50));
        Assert.Equal(90, LatencySummary.Percentile(ten, 90));
        Assert.Equal(1000, LatencySummary.Percentile(ten, 95));

        // 200 recalls (the default): p99 is rank 198, the third-slowest.
        var twoHundred = Enumerable.Range(1, 200).Select(i => (double)i).ToList();
        Assert.Equal(100, LatencySummary.Percentile(twoHundred, 50));
        Assert.Equal(190, LatencySummary.Percentile(twoHundred, 95));
        Assert.Equal(198, LatencySummary.Percentile(twoHundred, 99));

        Assert.Equal(7, LatencySummary.Percentile([7.0], 50));
    }

    [Fact]
    public void Percentile_RejectsNoDataAndOutOfRange()
    {
        Assert.Throws<ArgumentException>("sortedAscending", () => LatencySummary.Percentile([], 50));
        Assert.Throws<ArgumentOutOfRangeException>("percentile", () => LatencySummary.Percentile([1.0], 0));
        Assert.Throws<ArgumentOutOfRangeException>("percentile", () => LatencySummary.Percentile([1.0], 100.1));
        Assert.Throws<ArgumentOutOfRangeException>("percentile", () => LatencySummary.Percentile([1.0], double.NaN));
    }

    [Fact]
    public void Of_SortsAndSummarizes()
    {
        var summary = LatencySummary.Of([5, 1, 4, 2, 3, 100, 6, 7, 9, 8]);

        Assert.Equal(10, summary.Count);
        Assert.Equal(14.5, summary.Mean, 9);
        Assert.Equal(5, summary.P50);
        Assert.Equal(100, summary.P95);
        Assert.Equal(100, summary.P99);
        Assert.Equal(1, summary.Min);
        Assert.Equal(100, summary.Max);
        Assert.Same(LatencySummary.Empty, LatencySummary.Of([]));
    }
}
