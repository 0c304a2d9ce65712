using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The CLI under the access policy: --as identities, denials with exit code 9, the read audit, lineage.</summary>
public sealed class AccessCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task As_another_user_sees_only_its_own_and_public_memories_and_is_denied_the_rest_with_exit_9()
    {
        var anas = await _cli.RememberAsync("Ana prefers oat milk", "ana", "--actor", "user:ana");
        await _cli.RememberAsync("Bo prefers black coffee", "bo", "--actor", "user:bo");
        await _cli.RememberAsync("The office closes at six", "office", "--scope", "public");

        var list = (await _cli.RunAsync("list", "--as", "user:bo")).ShouldSucceed();
        Assert.Contains("Bo prefers black coffee", list.Out, StringComparison.Ordinal);
        Assert.Contains("The office closes at six", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("oat milk", list.Out, StringComparison.Ordinal);

        var recall = (await _cli.RunAsync("recall", "what milk is preferred", "--subject", "ana", "--as", "user:bo", "--mode", "text")).ShouldSucceed();
        Assert.DoesNotContain("oat milk", recall.Out, StringComparison.Ordinal);

        var show = (await _cli.RunAsync("show", anas.ToString(), "--as", "user:bo")).ShouldFail(9);
        Assert.Contains("personal memory of subject 'ana'", show.Error, StringComparison.Ordinal);
        Assert.Contains("--as", show.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("history", anas.ToString(), "--as", "user:bo")).ShouldFail(9);
        (await _cli.RunAsync("remember", "Ana hates oat milk", "--subject", "ana", "--as", "user:bo")).ShouldFail(9);
        (await _cli.RunAsync("export", "--as", "user:bo")).ShouldFail(9);

        // An agent acting for Ana reads hers; a member of a team with the writer role writes there.
        Assert.Contains("oat milk", (await _cli.RunAsync("show", anas.ToString(), "--as", "agent:concierge", "--acting-for", "ana")).ShouldSucceed().Out, StringComparison.Ordinal);
        (await _cli.RunAsync("remember", "Deploys happen on Tuesdays", "--subject", "eng", "--scope", "team:eng", "--as", "user:cy", "--team", "eng")).ShouldFail(9);
        (await _cli.RunAsync("remember", "Deploys happen on Tuesdays", "--subject", "eng", "--scope", "team:eng", "--as", "user:cy", "--team", "eng", "--role", "memory.team_writer")).ShouldSucceed();

        // Every refusal is in the audit, for an auditor to list.
        var denials = (await _cli.RunAsync("denials", "--json")).ShouldSucceed().Json().GetProperty("denials");
        Assert.Equal(5, denials.GetArrayLength());
        Assert.Equal("missing_role", denials[0].GetProperty("reason").GetString());
        Assert.Contains("memory.team_writer", denials[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        (await _cli.RunAsync("denials", "--as", "user:bo")).ShouldFail(9);
    }

    [Fact]
    public async Task Lineage_shows_the_writes_and_every_read_with_reader_task_and_score()
    {
        var id = await _cli.RememberAsync("Ana prefers oat milk", "ana", "--actor", "user:ana");
        (await _cli.RunAsync("recall", "oat milk", "--subject", "ana", "--as", "agent:barista", "--acting-for", "ana", "--task", "order a coffee", "--mode", "text")).ShouldSucceed();
        (await _cli.RunAsync("show", id.ToString(), "--as", "user:ana")).ShouldSucceed();

        var lineage = (await _cli.RunAsync("lineage", id.ToString())).ShouldSucceed().Out;
        Assert.Contains("writes (1)", lineage, StringComparison.Ordinal);
        Assert.Contains("created", lineage, StringComparison.Ordinal);
        Assert.Contains("reads (2)", lineage, StringComparison.Ordinal);
        Assert.Contains("agent:barista", lineage, StringComparison.Ordinal);
        Assert.Contains("order a coffee", lineage, StringComparison.Ordinal);

        var json = (await _cli.RunAsync("lineage", id.ToString(), "--json")).ShouldSucceed().Json().GetProperty("lineage");
        var reads = json.GetProperty("reads");
        Assert.Equal("search", reads[0].GetProperty("operation").GetString());
        Assert.True(reads[0].GetProperty("score").GetDouble() > 0);
        Assert.Equal("get", reads[1].GetProperty("operation").GetString());
        Assert.Equal("user", reads[1].GetProperty("reader").GetProperty("kind").GetString());

        // The subject may see its own lineage; another user may not.
        (await _cli.RunAsync("lineage", id.ToString(), "--as", "user:ana")).ShouldSucceed();
        (await _cli.RunAsync("lineage", id.ToString(), "--as", "user:bo")).ShouldFail(9);
    }

    [Fact]
    public async Task Identity_options_without_as_are_a_usage_error()
    {
        var result = (await _cli.RunAsync("list", "--role", "memory.admin")).ShouldFail(2);
        Assert.Contains("--as", result.Error, StringComparison.Ordinal);
    }
}
