using System.Text;
using SkMemory.Evals.Suite;

namespace SkMemory.Evals.Tests.Suite;

/// <summary>The generator, the checked-in datasets and the loader's checks.</summary>
public sealed class EvalDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("skmem-evalsuite-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Generate_SameSeed_SameUsers()
    {
        var first = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(30, 7));
        var second = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(30, 7));
        var other = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(30, 8));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Generate_CoversEveryTypeChangePlantAndAgent()
    {
        var users = EvalDatasetGenerator.Generate(EvalSuiteLoader.SyntheticUsers, EvalSuiteLoader.SyntheticSeed);

        Assert.True(users.Count >= 100);
        Assert.All(users, u => Assert.Equal(MemoryTypes.BuiltIn.Order(StringComparer.Ordinal), u.Memories.Select(m => m.Type).Distinct().Order(StringComparer.Ordinal)));
        Assert.Equal(
            new[] { EvalChange.ConsentRevoked, EvalChange.Delete, EvalChange.Expire, EvalChange.Purge, EvalChange.Supersede },
            users.SelectMany(u => u.Changes).Select(c => c.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { EvalPlant.Hypothetical, EvalPlant.Poisoning, EvalPlant.Secret, EvalPlant.Speculation, EvalPlant.Transient },
            users.SelectMany(u => u.Plants).Select(p => p.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["contoso", "fabrikam", "northwind", "tailspin"], users.Select(u => u.Tenant).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["checkout", "onboarding", "support", "travel"], users.SelectMany(u => u.Tasks).Select(t => t.Kind).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(users.Count, users.Select(u => u.Subject).Distinct().Count());

        // Every generated user passes the loader's checks.
        foreach (var user in users)
        {
            EvalSuiteLoader.ParseLine(EvalDatasetGenerator.ToJsonLines([user]).TrimEnd('\n'), user.Id);
        }
    }

    /// <summary>The checked-in file is the generator's output; SKMEMORY_WRITE_EVAL_DATASET=1 writes it again after a generator change.</summary>
    [Fact]
    public async Task CheckedInSyntheticFile_EqualsGeneratorOutput()
    {
        var path = Path.Combine(EvalSuiteFixtures.DatasetFolder, EvalSuiteLoader.SyntheticName + ".jsonl");
        if (Environment.GetEnvironmentVariable("SKMEMORY_WRITE_EVAL_DATASET") == "1")
        {
            await EvalDatasetGenerator.WriteAsync(path, EvalSuiteLoader.SyntheticUsers, EvalSuiteLoader.SyntheticSeed, Ct);
            return; // Comparing the file just written with the generator would check nothing.
        }

        var expected = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(EvalSuiteLoader.SyntheticUsers, EvalSuiteLoader.SyntheticSeed));
        var actual = await File.ReadAllTextAsync(path, Ct);
        Assert.True(
            string.Equals(expected, actual, StringComparison.Ordinal),
            $"{path} is not the generator's output; after changing the generator, run this test with SKMEMORY_WRITE_EVAL_DATASET=1 and commit the file.");
    }

    [Fact]
    public async Task LoadBuiltInAsync_LoadsGeneratedUsersAndHardCases()
    {
        var suite = await EvalSuiteLoader.LoadBuiltInAsync(Ct);

        Assert.Equal("synthetic-v1 + hard-cases", suite.Name);
        Assert.True(suite.Users.Count(u => u.Id.StartsWith('u')) >= 100);
        Assert.InRange(suite.Users.Count(u => u.Id.StartsWith("hard-", StringComparison.Ordinal)), 10, 20);
        Assert.Equal(suite.Users.Count, suite.Users.Select(u => u.Id).Distinct().Count());
    }

    [Fact]
    public async Task LoadAsync_HardCasesFile_Loads()
    {
        var suite = await EvalSuiteLoader.LoadAsync([Path.Combine(EvalSuiteFixtures.DatasetFolder, EvalSuiteLoader.HardCasesName + ".jsonl")], Ct);

        Assert.Equal("hard-cases", suite.Name);
        Assert.All(suite.Users, u => Assert.NotEmpty(u.Tasks));
    }

    [Fact]
    public async Task LoadAsync_BrokenJson_NamesFileAndLine()
    {
        var good = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(1, 1));
        var path = await WriteAsync(good + "\n{ \"id\": \"u9\", \"tenant\": \n");

        var error = await Assert.ThrowsAsync<FormatException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.StartsWith(path + ":3", error.Message, StringComparison.Ordinal);
        Assert.Contains("README.md", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingRequiredField_NamesTheField()
    {
        var line = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(1, 1)).Replace("\"tenant\":\"northwind\",", string.Empty, StringComparison.Ordinal);
        var path = await WriteAsync(line);

        var error = await Assert.ThrowsAsync<FormatException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.StartsWith(path + ":1", error.Message, StringComparison.Ordinal);
        Assert.Contains("tenant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_UnknownField_IsRefused()
    {
        var line = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(1, 1)).Replace("\"tenant\":", "\"tennant\":\"x\",\"tenant\":", StringComparison.Ordinal);
        var path = await WriteAsync(line);

        var error = await Assert.ThrowsAsync<FormatException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.StartsWith(path + ":1", error.Message, StringComparison.Ordinal);
        Assert.Contains("tennant", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_TaskNeedsUndefinedMemory_SaysWhatToFix()
    {
        var line = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(1, 1)).Replace("\"needs\":[\"m2\"]", "\"needs\":[\"m99\"]", StringComparison.Ordinal);
        var path = await WriteAsync("\n" + line);

        var error = await Assert.ThrowsAsync<FormatException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.Equal($"{path}:2: user 'u001': task 't1' refers to memory 'm99', which 'memories' does not define.", error.Message);
    }

    [Fact]
    public async Task LoadAsync_EvidenceTurnMissing_SaysWhichMemory()
    {
        var line = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(1, 1)).Replace("\"evidence\":[\"s1-3\"]", "\"evidence\":[\"s1-33\"]", StringComparison.Ordinal);
        var path = await WriteAsync(line);

        var error = await Assert.ThrowsAsync<FormatException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.Equal($"{path}:1: user 'u001': memory 'm1' cites turn 's1-33', which no session has; fix the turn id.", error.Message);
    }

    [Fact]
    public async Task LoadAsync_SameUserTwice_NamesBothLines()
    {
        var line = EvalDatasetGenerator.ToJsonLines(EvalDatasetGenerator.Generate(1, 1));
        var path = await WriteAsync(line + line);

        var error = await Assert.ThrowsAsync<FormatException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.Equal($"{path}:2: user id 'u001' is already used at {path}:1; give every user its own id.", error.Message);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_Throws()
    {
        var path = Path.Combine(Path.GetTempPath(), "skmem-no-such-dataset-" + Guid.NewGuid().ToString("N") + ".jsonl");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => EvalSuiteLoader.LoadAsync([path], Ct));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private async Task<string> WriteAsync(string text)
    {
        var path = Path.Combine(_folder, "skmem-evalsuite-" + Guid.NewGuid().ToString("N") + ".jsonl");
        await File.WriteAllTextAsync(path, text, Encoding.UTF8, Ct);
        return path;
    }
}
