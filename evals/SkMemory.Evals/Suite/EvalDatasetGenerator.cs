using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SkMemory.Evals.Suite;

/// <summary>
/// Generates synthetic eval users, deterministically from a seed: each user talks to two or three agents over three or
/// four sessions, states one memory of each of the seven types (several wordings per type, so the extractor is really
/// tested), changes one of them later (a new value that supersedes the old), and, by turn, revokes consent, asks to
/// forget or erase a memory, or has one expire; transient noise, the assistant's guesses, hypotheticals, a secret and
/// (every third user) a poisoning attempt are planted among the turns; tasks ask for what each agent needs.
/// </summary>
/// <remarks>The checked-in <c>evals/datasets/synthetic-v1.jsonl</c> is this generator's output for
/// <see cref="EvalSuiteLoader.SyntheticUsers"/> users and <see cref="EvalSuiteLoader.SyntheticSeed"/>; a test keeps them equal,
/// so the dataset grows by changing the generator and writing the file again.</remarks>
public static partial class EvalDatasetGenerator
{
    // The dataset's shape (EvalJsonContext); apostrophes and arrows stay readable in the file: the relaxed encoder escapes
    // only what JSON requires.
    private static readonly JsonTypeInfo<EvalUser> Writer = (JsonTypeInfo<EvalUser>)new JsonSerializerOptions(EvalJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.GetTypeInfo(typeof(EvalUser));

    private static readonly DateTimeOffset Epoch = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    private static readonly (string Tenant, string[] Agents)[] Tenants =
    [
        ("northwind", ["shopping", "support"]),
        ("contoso", ["travel", "support"]),
        ("fabrikam", ["shopping", "travel"]),
        ("tailspin", ["shopping", "support", "travel"]),
    ];

    /// <summary>Generates users.</summary>
    /// <param name="users">How many users, at least 1.</param>
    /// <param name="seed">The seed; the same seed gives the same users.</param>
    /// <returns>The users, ids <c>u001</c>, <c>u002</c>...</returns>
    public static IReadOnlyList<EvalUser> Generate(int users, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(users, 100_000);

        // System.Random with a seed is the same sequence on every platform and version (the seeded legacy algorithm).
        var random = new Random(seed);
        var list = new List<EvalUser>(users);
        var usedSubjects = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < users; i++)
        {
            list.Add(new UserWriter(random, i, usedSubjects).Write());
        }

        return list;
    }

    /// <summary>Writes generated users as JSON Lines (one user per line, UTF-8, <c>\n</c> line ends).</summary>
    /// <param name="path">The file to write; its folder is created.</param>
    /// <param name="users">How many users.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public static async Task WriteAsync(string path, int users, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = ToJsonLines(Generate(users, seed));
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllTextAsync(path, text, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serializes users as JSON Lines, the dataset's file format.</summary>
    /// <param name="users">The users.</param>
    /// <returns>One JSON object per line, each line ending in <c>\n</c>.</returns>
    public static string ToJsonLines(IEnumerable<EvalUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var builder = new StringBuilder();
        foreach (var user in users)
        {
            builder.Append(JsonSerializer.Serialize(user, Writer)).Append('\n');
        }

        return builder.ToString();
    }

    private static string Inv(FormattableString text) => BenchmarkDocument.Inv(text);

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Picks two different items.</summary>
    private static (T First, T Second) PickTwo<T>(Random random, IReadOnlyList<T> items)
    {
        var first = random.Next(items.Count);
        var second = (first + 1 + random.Next(items.Count - 1)) % items.Count;
        return (items[first], items[second]);
    }
}
