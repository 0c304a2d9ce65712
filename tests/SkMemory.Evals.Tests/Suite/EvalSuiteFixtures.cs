namespace SkMemory.Evals.Tests.Suite;

/// <summary>Helpers of the suite tests: the repository's dataset folder.</summary>
internal static class EvalSuiteFixtures
{
    /// <summary>Gets the repository's <c>evals/datasets</c> folder (found from the test binary upwards).</summary>
    public static string DatasetFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SkMemory.sln")))
                {
                    return Path.Combine(dir.FullName, "evals", "datasets");
                }
            }

            throw new InvalidOperationException("The repository root (with SkMemory.sln) is not above the test binary.");
        }
    }
}
