using SkMemory.Redaction;

namespace SkMemory.Tests.Redaction;

/// <summary>The policy: precedence of overrides, and a policy file whose errors name the bad field.</summary>
public sealed class MemoryRedactionPolicyTests
{
    private const string Json =
        """
        {
          // comments are allowed
          "default_action": "tag",
          "min_confidence": 0.5,
          "kinds": { "email": "redact", "private_key": "block" },
          "types": { "identifier": { "email": "tokenize" } },
          "tenants": {
            "acme": { "kinds": { "email": "tag" }, "types": { "identifier": { "email": "block" } } }
          }
        }
        """;

    [Fact]
    public void The_most_specific_override_wins()
    {
        var policy = MemoryRedactionPolicy.Parse(Json);

        Assert.Equal(MemoryRedactionAction.Redact, policy.Resolve("email", "other", "fact"));
        Assert.Equal(MemoryRedactionAction.Tokenize, policy.Resolve("email", "other", "identifier"));
        Assert.Equal(MemoryRedactionAction.Tag, policy.Resolve("email", "acme", "fact"));
        Assert.Equal(MemoryRedactionAction.Block, policy.Resolve("email", "acme", "identifier"));
        Assert.Equal(MemoryRedactionAction.Block, policy.Resolve("private_key", "acme", null));
        Assert.Equal(MemoryRedactionAction.Tokenize, policy.Resolve("phone", "acme", null)); // built-in default for the kind
        Assert.Equal(MemoryRedactionAction.Tag, policy.Resolve("person_name", "acme", null)); // default_action
        Assert.Equal(0.5, policy.MinimumConfidence);
    }

    [Fact]
    public void The_default_policy_redacts_secrets_and_tokenizes_personal_data()
    {
        var policy = MemoryRedactionPolicy.Default;

        Assert.Equal(MemoryRedactionAction.Redact, policy.Resolve(MemoryRedactionKinds.ApiKey, "t", null));
        Assert.Equal(MemoryRedactionAction.Redact, policy.Resolve(MemoryRedactionKinds.HighEntropy, "t", null));
        Assert.Equal(MemoryRedactionAction.Tokenize, policy.Resolve(MemoryRedactionKinds.CreditCard, "t", null));
        Assert.Equal(MemoryRedactionAction.Tokenize, policy.Resolve(MemoryRedactionKinds.Email, "t", null));
    }

    [Theory]
    [InlineData("""{ "kinds": { "email": "hide" } }""", "kinds.email", "'hide' is not an action")]
    [InlineData("""{ "kinds": { "Email!": "redact" } }""", "kinds.Email!", "is not a kind name")]
    [InlineData("""{ "tenants": { "acme": { "types": { "fact": { "phone": 3 } } } } }""", "tenants.acme.types.fact.phone", "must be a string")]
    [InlineData("""{ "tenants": { "acme": { "actions": {} } } }""", "tenants.acme.actions", "is not a tenant policy field")]
    [InlineData("""{ "default": "redact" }""", "default", "is not a policy field")]
    [InlineData("""{ "min_confidence": 2 }""", "min_confidence", "from 0 to 1")]
    [InlineData("""{ "kinds": [] }""", "kinds", "must be a JSON object")]
    [InlineData("""{ "kinds": { """, "policy", "is not valid JSON")]
    public void A_bad_policy_names_the_field(string json, string field, string problem)
    {
        var ex = Assert.Throws<MemoryValidationException>(() => MemoryRedactionPolicy.Parse(json));

        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_file_loads_and_its_errors_name_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"skmemory-policy-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, Json, TestContext.Current.CancellationToken);
            Assert.Equal(MemoryRedactionAction.Block, (await MemoryRedactionPolicy.LoadAsync(path, TestContext.Current.CancellationToken)).Resolve("email", "acme", "identifier"));

            await File.WriteAllTextAsync(path, """{ "kinds": { "email": "hide" } }""", TestContext.Current.CancellationToken);
            var ex = await Assert.ThrowsAsync<MemoryValidationException>(() => MemoryRedactionPolicy.LoadAsync(path, TestContext.Current.CancellationToken));
            Assert.Equal("kinds.email", ex.Field);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
