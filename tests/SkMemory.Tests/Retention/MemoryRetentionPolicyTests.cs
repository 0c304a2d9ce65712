using SkMemory.Governance.Retention;

namespace SkMemory.Tests.Retention;

/// <summary>The policy file: what it accepts, how rules resolve, and one test per kind of error it refuses.</summary>
public sealed class MemoryRetentionPolicyTests
{
    [Fact]
    public void CreateDefault_LoadsTheShippedPolicy()
    {
        var policy = MemoryRetentionPolicy.CreateDefault();

        Assert.Equal("default policy", policy.Source);
        Assert.Equal(365, policy.Resolve(MemoryTypes.Preference, MemoryScopeKind.Personal).ExpireAfterDays);
        Assert.Equal(30, policy.ConsentRevokedPurgeAfterDays);
        Assert.Equal(0, policy.FailedExtractionsPurgeAfterDays);
        Assert.Null(policy.Resolve(MemoryTypes.Skill, MemoryScopeKind.Personal).ExpireAfterDays);
        Assert.Contains("\"version\": 1", MemoryRetentionPolicy.GetDefaultJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_PrefersTheScopeRuleThenTheTypeRuleThenTheDefault()
    {
        var policy = MemoryRetentionPolicy.Parse("""
            {
              "version": 1,
              "rules": [
                { "type": "fact", "expireAfterDays": 30 },
                { "type": "fact", "scope": "team", "expireAfterDays": 60, "anchor": "created", "purgeAfterDays": 5 }
              ],
              "default": { "expireAfterDays": 900, "purgeAfterDays": 7 }
            }
            """);

        var team = policy.Resolve(MemoryTypes.Fact, MemoryScopeKind.Team);
        var personal = policy.Resolve(MemoryTypes.Fact, MemoryScopeKind.Personal);
        var other = policy.Resolve(MemoryTypes.Skill, MemoryScopeKind.Team);

        Assert.Equal(("fact@team", 60, MemoryRetentionAnchorKind.Created, 5), (team.Name, team.ExpireAfterDays!.Value, team.Anchor.Kind, policy.PurgeAfterDaysOf(team)!.Value));
        Assert.Equal(("fact", 30, MemoryRetentionAnchorKind.LastTouch, 7), (personal.Name, personal.ExpireAfterDays!.Value, personal.Anchor.Kind, policy.PurgeAfterDaysOf(personal)!.Value));
        Assert.Same(policy.Default, other);
        Assert.Equal(900, other.ExpireAfterDays);
        Assert.Equal("retention: fact@team 60d after created", team.ExpireReason);
    }

    [Fact]
    public void Parse_MetadataAnchorAndCustomType_AreAcceptedWhenTheTypeIsRegistered()
    {
        var types = new MemoryTypeRegistry().Register(new MemoryTypeDefinition("address", "A postal address."));
        var policy = MemoryRetentionPolicy.Parse("""{ "version": 1, "rules": [ { "type": "address", "expireAfterDays": 90, "anchor": "metadata:shipped_at", "purgeAfterDays": 0 } ] }""", "p.json", types);

        var rule = Assert.Single(policy.Rules);
        Assert.Equal(new MemoryRetentionAnchor(MemoryRetentionAnchorKind.Metadata, "shipped_at"), rule.Anchor);
        Assert.Equal("metadata:shipped_at", rule.Anchor.ToString());
        Assert.Throws<MemoryRetentionPolicyException>(() => MemoryRetentionPolicy.Parse("""{ "version": 1, "rules": [ { "type": "address" } ] }""", "p.json"));
    }

    [Fact]
    public void Parse_UnknownType_NamesTheRuleAndTheKnownTypes()
    {
        var error = Refused("""{ "version": 1, "rules": [ { "type": "fact" }, { "type": "opinion", "expireAfterDays": 3 } ] }""", "rules[1].type");
        Assert.Contains("unknown memory type \"opinion\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("preference", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NegativeDays_AreRefused()
    {
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "expireAfterDays": -1 } ] }""", "rules[0].expireAfterDays", "must not be negative");
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "purgeAfterDays": -30 } ] }""", "rules[0].purgeAfterDays", "must not be negative");
        Refused("""{ "version": 1, "consentRevoked": { "purgeAfterDays": -2 } }""", "consentRevoked.purgeAfterDays", "must not be negative");
    }

    [Fact]
    public void Parse_DaysThatAreNotWholeOrTooMany_AreRefused()
    {
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "expireAfterDays": 1.5 } ] }""", "rules[0].expireAfterDays", "whole number");
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "expireAfterDays": "30" } ] }""", "rules[0].expireAfterDays", "whole number");
        Refused("""{ "version": 1, "default": { "expireAfterDays": 40000 } }""", "default.expireAfterDays", "at most 36500");
    }

    [Fact]
    public void Parse_UnknownAnchor_ListsTheAnchors()
    {
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "expireAfterDays": 3, "anchor": "touched" } ] }""", "rules[0].anchor", "last_touch, created, valid_from, valid_to or metadata:<key>");
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "expireAfterDays": 3, "anchor": "metadata:" } ] }""", "rules[0].anchor", "unknown anchor");
    }

    [Fact]
    public void Parse_DuplicateRule_NamesTheFirst()
    {
        var error = Refused("""{ "version": 1, "rules": [ { "type": "fact", "scope": "team" }, { "type": "event" }, { "type": "fact", "scope": "team", "expireAfterDays": 1 } ] }""", "rules[2]");
        Assert.Contains("duplicate rule for fact@team: rules[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownScope_ListsTheScopes()
    {
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "scope": "galaxy" } ] }""", "rules[0].scope", "use personal, team, public");
    }

    [Fact]
    public void Parse_UnknownField_CatchesTypos()
    {
        Refused("""{ "version": 1, "rules": [ { "type": "fact", "expiresAfterDays": 3 } ] }""", "rules[0].expiresAfterDays", "unknown field");
        Refused("""{ "version": 1, "retention": [] }""", "(root).retention", "unknown field");
    }

    [Fact]
    public void Parse_MissingTypeOrVersionOrMalformedJson_AreRefused()
    {
        Refused("""{ "version": 1, "rules": [ { "expireAfterDays": 3 } ] }""", "rules[0].type", "is required");
        Refused("""{ "rules": [] }""", "version", "must be 1");
        Refused("""{ "version": 2 }""", "version", "must be 1");
        Refused("""{ "version": 1, "rules": [ """, "(file)", "not valid JSON");
        Refused("""[]""", "(root)", "JSON object");
        Refused("""{ "version": 1, "rules": {} }""", "rules", "array");
    }

    [Fact]
    public void Load_MissingFile_NamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");
        var error = Assert.Throws<MemoryRetentionPolicyException>(() => MemoryRetentionPolicy.Load(path));
        Assert.Equal(path, error.PolicySource);
        Assert.StartsWith($"Retention policy {path}: (file): cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValidFile_KeepsItsPathAsTheSource()
    {
        var path = Path.Combine(Path.GetTempPath(), $"retention-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "version": 1, "rules": [ { "type": "preference", "expireAfterDays": 1 } ] }""");
        try
        {
            var policy = MemoryRetentionPolicy.Load(path);
            Assert.Equal(path, policy.Source);
            Assert.Equal(["preference"], policy.RuleTypes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static MemoryRetentionPolicyException Refused(string json, string path, string? problem = null)
    {
        var error = Assert.Throws<MemoryRetentionPolicyException>(() => MemoryRetentionPolicy.Parse(json, "retention.json"));
        Assert.Equal(MemoryErrorCode.Validation, error.Code);
        Assert.Equal(("retention.json", path), (error.PolicySource, error.Path));
        Assert.StartsWith($"Retention policy retention.json: {path}: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Fix the policy file and run again.", error.Message, StringComparison.Ordinal);
        if (problem is not null)
        {
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        }

        return error;
    }
}
