namespace SkMemory.Evals.Tests;

/// <summary>The governance benchmark at a tiny size: every measurement is present and positive, and its report; never timings.</summary>
public sealed class GovernanceBenchmarkTests
{
    [Fact]
    public async Task Run_MeasuresEverythingAndReportsItsOwnSection()
    {
        var lines = new List<string>();
        var options = new GovernanceOptions { Memories = 60, Subjects = 3, Searches = 6, Writes = 4, Warmup = 2, Purges = 5, RedactorPasses = 1 };

        var result = await GovernanceBenchmark.RunAsync(options, new Lines(lines), TestContext.Current.CancellationToken);

        Assert.Equal((60, 3, HashingEmbeddingGenerator.ModelId), (result.Memories, result.Subjects, result.EmbeddingModel));
        Assert.True(result.LoadTime > TimeSpan.Zero);
        foreach (var (name, summary) in GovernanceReport.Rows(result))
        {
            Assert.True(summary.Count > 0 && summary.P50 > 0 && summary.P95 >= summary.P50 && summary.P99 >= summary.P95, $"{name}: {summary}");
        }

        Assert.Equal((6, 6, 4, 5), (result.SearchGoverned.Count, result.ReadGoverned.Count, result.WriteSecretRedacted.Count, result.PurgeOne.Count));
        Assert.Equal(4, result.SecretWritesChanged);
        Assert.Equal(0, result.CleanWritesChanged);
        Assert.True(result.RedactorBytes > 0 && result.RedactorKibPerSecond > 0);

        // Subject 0 holds 20 memories; the single purges took none of them.
        Assert.Equal(20, result.SubjectMemories);
        Assert.True(result.PurgeSubject > TimeSpan.Zero);
        Assert.True(result.VerifySubject.P50 > 0);
        Assert.True(result.AttestationValid);

        // Every other memory had a time to live: those still there (not purged above) expire, then are purged; the last sweep does nothing.
        Assert.Equal(30, result.WithTimeToLive);
        Assert.InRange(result.ExpireSweep.Expired, 30 - 20 - 5, 30);
        Assert.Equal(result.ExpireSweep.Expired, result.PurgeSweep.Purged);
        Assert.Equal((0, 0, 0), (result.NoOpSweep.Expired, result.NoOpSweep.Purged, result.NoOpSweep.Errors));
        Assert.All(GovernanceReport.Sweeps(result), s => Assert.True(s.Sweep.Elapsed > TimeSpan.Zero && s.Sweep.Examined > 0, s.Name));
        Assert.Equal(0, result.ExpireSweep.Errors + result.PurgeSweep.Errors);

        var table = GovernanceReport.ToTable(result);
        Assert.Contains("search, access-controlled", table, StringComparison.Ordinal);
        Assert.Contains("sweep no-op", table, StringComparison.Ordinal);

        var section = GovernanceReport.ToMarkdown(result, "skmem bench governance --memories 60");
        Assert.StartsWith(GovernanceReport.BeginMarker, section, StringComparison.Ordinal);
        Assert.EndsWith(GovernanceReport.EndMarker + Environment.NewLine, section, StringComparison.Ordinal);
        Assert.Contains("## Governance", section, StringComparison.Ordinal);
        Assert.Contains("`skmem bench governance --memories 60`", section, StringComparison.Ordinal);
        Assert.Contains("logical CPUs (`nproc`)", section, StringComparison.Ordinal);
        foreach (var (name, _) in GovernanceReport.Rows(result))
        {
            Assert.Contains("| " + name + " |", section, StringComparison.Ordinal);
        }

        Assert.Contains(lines, l => l.StartsWith("loading 60 memories", StringComparison.Ordinal));
    }

    [Fact]
    public void UpdateDocument_ReplacesOnlyItsOwnSection()
    {
        var other = "<!-- redaction:begin -->\n## Redaction\n\nkept | as is\n<!-- redaction:end -->\n";
        var old = GovernanceReport.BeginMarker + "\n## Governance\n\nold numbers\n" + GovernanceReport.EndMarker + "\n";
        var document = "# Benchmarks\n\nintro\n\n" + old + "\n" + other;
        var section = GovernanceReport.BeginMarker + "\n## Governance\n\nnew numbers\n" + GovernanceReport.EndMarker + "\n";

        var updated = GovernanceReport.UpdateDocument(document, section);

        Assert.Equal("# Benchmarks\n\nintro\n\n" + section + "\n" + other, updated);
        Assert.Equal("# A\n\nkept\n\n" + section, GovernanceReport.UpdateDocument("# A\n\nkept\n", section));
    }

    [Fact]
    public void Validate_NamesTheOptionOutOfRange()
    {
        Assert.Equal(nameof(GovernanceOptions.Subjects), Assert.Throws<ArgumentOutOfRangeException>(() => new GovernanceOptions { Subjects = 1 }.Validate()).ParamName);
        Assert.Equal(nameof(GovernanceOptions.Memories), Assert.Throws<ArgumentOutOfRangeException>(() => new GovernanceOptions { Memories = 10, Subjects = 20 }.Validate()).ParamName);
        Assert.Equal(nameof(GovernanceOptions.Searches), Assert.Throws<ArgumentOutOfRangeException>(() => new GovernanceOptions { Searches = 0 }.Validate()).ParamName);
    }

    private sealed class Lines(List<string> lines) : IProgress<string>
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
