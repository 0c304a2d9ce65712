using System.Diagnostics;
using SkMemory.Embeddings;
using SkMemory.Evals.Suite;
using SkMemory.Tests;

namespace SkMemory.Evals.Tests.Suite;

/// <summary>Runs of the suite with the real SQLite store and the real pipeline.</summary>
public sealed class EvalSuiteRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The whole built-in suite (from the repository's files) with the test embedder, or MiniLM with SKMEMORY_EVAL_MINILM=1; prints the table.</summary>
    [Fact]
    public async Task RunAsync_WholeBuiltInSuite_ReportsEveryMetric()
    {
        if (Environment.GetEnvironmentVariable("SKMEMORY_EVAL_FULL") != "1")
        {
            Assert.Skip("Set SKMEMORY_EVAL_FULL=1 to run the whole suite (the CI gate runs it through skmem eval).");
        }

        var folder = EvalSuiteFixtures.DatasetFolder;
        var suite = await EvalSuiteLoader.LoadAsync([Path.Combine(folder, "synthetic-v1.jsonl"), Path.Combine(folder, "hard-cases.jsonl")], Ct);
        if (Environment.GetEnvironmentVariable("SKMEMORY_EVAL_USERS") is { } limit)
        {
            suite = new EvalSuite(suite.Name, suite.Users.Take(int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture)).ToList());
        }

        if (Environment.GetEnvironmentVariable("SKMEMORY_EVAL_ONLY") is { } only)
        {
            suite = suite.Where(u => u.Id.StartsWith(only, StringComparison.Ordinal));
        }

        var miniLm = Environment.GetEnvironmentVariable("SKMEMORY_EVAL_MINILM") == "1";
        using var generator = miniLm
            ? (Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>)await MiniLmEmbeddingGenerator.CreateAsync(cancellationToken: Ct)
            : new TestEmbeddingGenerator();
        using var temp = await EvalSuiteFixtures.TempStore.OpenAsync(generator, Ct);
        var clock = Stopwatch.StartNew();
        var result = await EvalRunner.RunAsync(
            suite,
            temp.Store,
            new EvalRunOptions { Configuration = new EvalConfiguration("offline", "rules", miniLm ? "all-MiniLM-L6-v2" : TestEmbeddingGenerator.ModelId), Backend = "embedded (SQLite)" },
            new Progress<string>(line => Console.Error.WriteLine(line)),
            Ct);
        var text = EvalSuiteFixtures.Table(result) + "\n\nelapsed " + clock.Elapsed + "\n\n" + string.Join('\n', result.Failures.Select(f => f.Metric + " " + f.User + ": " + f.Detail))
            + "\n\n" + string.Join('\n', result.Queries.Where(q => q.User.StartsWith("hard-", StringComparison.Ordinal)).Select(q => q.Task + ": " + string.Join(" | ", q.Returned)))
            + "\n\n" + string.Join('\n', result.Memories.Where(m => m.User.StartsWith("hard-", StringComparison.Ordinal)).Select(m => m.User + "/" + m.Expected + ": " + m.Found + " " + m.Type + " " + m.Status));
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "skmem-eval-suite-run.txt"), text, Ct);
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        foreach (var metric in new[] { EvalMetrics.Recall, EvalMetrics.Precision, EvalMetrics.Forgetting, EvalMetrics.Contamination, EvalMetrics.Leakage, EvalMetrics.DeletionCompleteness, EvalMetrics.RedactionRecall, EvalMetrics.PoisoningInert })
        {
            Assert.NotNull(result.Overall(metric));
        }
    }
}
