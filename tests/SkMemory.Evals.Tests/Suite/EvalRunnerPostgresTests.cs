using SkMemory.Postgres.Tests;
using SkMemory.Tests;

namespace SkMemory.Evals.Tests.Suite;

/// <summary>The runner on the Postgres store (a throwaway cluster): the same hand-computed values as on SQLite.</summary>
public sealed class EvalRunnerPostgresTests(PostgresFixture postgres)
{
    [Fact]
    public async Task RunAsync_HandWrittenUsersOnPostgres_GivesHandComputedValues()
    {
        using var generator = new TestEmbeddingGenerator();
        using var store = await postgres.OpenStoreAsync(o => o.EmbeddingGenerator = generator, cancellationToken: TestContext.Current.CancellationToken);

        await EvalRunnerTests.RunAndCheckAsync(store, "postgres");
    }
}
