using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The CLI redacts what it writes: secrets redacted, personal data tokenized and revealed only with the role, policy files honoured.</summary>
public sealed class RedactionCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Remember_redacts_secrets_and_tokenizes_personal_data_and_reveal_needs_the_role()
    {
        var id = await _cli.RememberAsync("Ana's email is ana.silva@example.org and her deploy key is ghp_4f9Kq2LmZx81TnB7wYcR3dVhJ0sPaE6uGiOk", "ana");

        var listed = (await _cli.RunAsync("list", "--json")).ShouldSucceed().Json().GetProperty("items")[0];
        Assert.Equal(id, listed.GetProperty("id").GetGuid());
        var text = listed.GetProperty("value").GetProperty("text").GetString()!;
        Assert.DoesNotContain("ana.silva@example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_4f9Kq2LmZx81TnB7wYcR3dVhJ0sPaE6uGiOk", text, StringComparison.Ordinal);
        Assert.Contains("[redacted:api_key]", text, StringComparison.Ordinal);
        var token = System.Text.RegularExpressions.Regex.Match(text, @"\[\[tok:email:[0-9a-z]{26}\]\]").Value;
        Assert.NotEmpty(token);

        // Nothing stored holds the raw values: not the record, not the event log.
        Assert.Equal(0, await CliRunner.ExecuteSqlAsync(_cli.StorePath, "UPDATE memory_events SET reason = reason WHERE payload LIKE '%ana.silva@example.org%' OR payload LIKE '%ghp_4f9K%'"));

        Assert.Equal("ana.silva@example.org", (await _cli.RunAsync("reveal", token, "--reason", "support ticket 4711")).ShouldSucceed().Out.Trim());
        var denied = (await _cli.RunAsync("reveal", token, "--reason", "curious", "--as", "user:bo")).ShouldFail(9);
        Assert.Contains(MemoryRoles.VaultReveal, denied.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("reveal", token, "--reason", "fraud review", "--as", "user:cy", "--role", MemoryRoles.VaultReveal)).ShouldSucceed();
    }

    [Fact]
    public async Task A_policy_file_that_blocks_refuses_the_write_and_stores_nothing_and_a_bad_file_is_a_usage_error()
    {
        var policy = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(policy, """{ "kinds": { "credit_card": "block" } }""", TestContext.Current.CancellationToken);
        var blocked = (await _cli.RunAsync("remember", "Ana's card is 4111 1111 1111 1111", "--subject", "ana", "--redaction-policy", policy)).ShouldFail(9);
        Assert.Contains("credit_card", blocked.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await _cli.RunAsync("list", "--redaction-policy", policy)).ShouldSucceed().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length + 1);

        await File.WriteAllTextAsync(policy, """{ "kinds": { "credit_card": "hide" } }""", TestContext.Current.CancellationToken);
        var bad = (await _cli.RunAsync("remember", "Ana likes tea", "--subject", "ana", "--redaction-policy", policy)).ShouldFail(2);
        Assert.Contains("'hide' is not an action", bad.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("list", "--redaction-policy", _cli.NewFilePath(".json"))).ShouldFail(2);
    }
}
