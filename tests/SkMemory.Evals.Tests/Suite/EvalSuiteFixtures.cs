using SkMemory.Tests;

namespace SkMemory.Evals.Tests.Suite;

/// <summary>Helpers of the suite tests: the repository's dataset folder.</summary>
internal static class EvalSuiteFixtures
{
    /// <summary>Gets the repository's <c>evals/datasets</c> folder (found from the test binary upwards).</summary>
    public static string DatasetFolder => Path.Combine(SkmemProcess.RepositoryRoot, "evals", "datasets");
}
