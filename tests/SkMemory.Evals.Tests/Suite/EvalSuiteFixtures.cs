using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory.Evals.Suite;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Evals.Tests.Suite;

/// <summary>Helpers of the suite tests: the repository's dataset folder, and a throwaway SQLite store.</summary>
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

    /// <summary>A throwaway SQLite store in a temp folder, deleted on dispose.</summary>
    public sealed class TempStore : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("skmem-evalsuite-").FullName;

        private TempStore(SqliteMemoryStore store) => Store = store;

        public SqliteMemoryStore Store { get; private set; } = null!;

        public static async Task<TempStore> OpenAsync(IEmbeddingGenerator<string, Embedding<float>> generator, CancellationToken cancellationToken)
        {
            var temp = new TempStore(null!);
            temp.Store = await SqliteMemoryStore.OpenAsync(
                new SqliteMemoryStoreOptions { Path = Path.Combine(temp._folder, "eval.db"), EmbeddingGenerator = generator },
                cancellationToken: cancellationToken);
            return temp;
        }

        public void Dispose()
        {
            Store.Dispose();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}
