using System.Globalization;
using SkMemory.Governance.Retention;

namespace SkMemory.Tests.Retention;

/// <summary>The numbers live in two places, docs/retention.md and docs/retention.policy.json; this keeps them equal.</summary>
public sealed class RetentionDocsTests
{
    private const string Start = "<!-- retention-table:start -->";
    private const string End = "<!-- retention-table:end -->";

    [Fact]
    public void DocsTable_AgreesWithTheDefaultPolicyFile()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "retention.md"));
        var table = docs[(docs.IndexOf(Start, StringComparison.Ordinal) + Start.Length)..docs.IndexOf(End, StringComparison.Ordinal)];
        var rows = table.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Skip(2) // header and separator
            .Select(line => string.Join(" | ", line.Trim('|').Split('|', StringSplitOptions.TrimEntries)))
            .ToList();

        Assert.Equal(ExpectedRows(MemoryRetentionPolicy.CreateDefault()), rows);
    }

    [Fact]
    public void ShippedPolicyFile_IsTheEmbeddedDefault()
    {
        var file = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "retention.policy.json"));

        Assert.Equal(file.ReplaceLineEndings(), MemoryRetentionPolicy.GetDefaultJson().ReplaceLineEndings());
    }

    private static List<string> ExpectedRows(MemoryRetentionPolicy policy)
    {
        var rows = policy.Rules.Select(r => Row(r.Name, r.Type, r.Scope is { } s ? MemoryJson.EnumName(s) : "any", r, r.PurgeAfterDays is { } p ? Days(p) : "default")).ToList();
        rows.Add(Row("default", "any other", "any", policy.Default, policy.Default.PurgeAfterDays is { } d ? Days(d) : "keep"));
        rows.Add($"consent_revoked | any | revoked scope | - | revocation (or lapse) | {Never(policy.ConsentRevokedPurgeAfterDays)}");
        rows.Add($"failed_extractions | ingestion job input | - | - | failure | {Never(policy.FailedExtractionsPurgeAfterDays)}");
        return rows;
    }

    private static string Row(string name, string type, string scope, MemoryRetentionRule rule, string purge) =>
        $"{name} | {type} | {scope} | {(rule.ExpireAfterDays is { } days ? Days(days) : "keep")} | {(rule.ExpireAfterDays is null ? "-" : rule.Anchor.ToString())} | {purge}";

    private static string Days(int days) => days.ToString(CultureInfo.InvariantCulture);

    private static string Never(int? days) => days is { } d ? Days(d) : "never";

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SkMemory.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("SkMemory.sln not found above the test's folder.");
    }
}
