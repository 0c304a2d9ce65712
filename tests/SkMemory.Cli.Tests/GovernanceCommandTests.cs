using System.Text.Json;
using SkMemory.Postgres.Tests;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary><c>skmem sweep</c>, <c>skmem consent</c> and <c>skmem hold</c> against a real SQLite store, and once against PostgreSQL.</summary>
public sealed class GovernanceCommandTests : IDisposable
{
    // Preferences expire 30 days after they became true and are purged in the same sweep; revoked consent is purged at once.
    private const string Policy = """
        {
          "version": 1,
          "rules": [ { "type": "preference", "expireAfterDays": 30, "anchor": "valid_from", "purgeAfterDays": 0 } ],
          "consentRevoked": { "purgeAfterDays": 0 },
          "failedExtractions": { "purgeAfterDays": 0 }
        }
        """;

    private readonly CliRunner _cli = new();
    private readonly string _policy;
    private readonly PostgresFixture _postgres;

    public GovernanceCommandTests(PostgresFixture postgres)
    {
        _postgres = postgres;
        _policy = _cli.NewFilePath(".json");
        File.WriteAllText(_policy, Policy);
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Sweep_expires_and_purges_by_policy_and_a_second_sweep_reports_zeros()
    {
        var old = await _cli.RememberAsync("Ana prefers window seats", "ana", "--type", "preference", "--valid-from", "2020-01-01");
        var recent = await _cli.RememberAsync("Ana prefers tea", "ana", "--type", "preference");

        var first = (await _cli.RunAsync("sweep", "--tenant", "default", "--policy", _policy, "--json")).ShouldSucceed();
        var second = (await _cli.RunAsync("sweep", "--tenant", "default", "--policy", _policy, "--json")).ShouldSucceed();

        var report = first.Json();
        Assert.Equal(_policy, report.GetProperty("policy").GetString());
        Assert.Equal(["default"], report.GetProperty("tenants").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal((1, 1), (report.GetProperty("totals").GetProperty("expired").GetInt32(), report.GetProperty("totals").GetProperty("purged").GetInt32()));
        var preference = report.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == "preference");
        Assert.Equal(2, preference.GetProperty("examined").GetInt32());
        Assert.Single(report.GetProperty("attestations").EnumerateArray());
        Assert.Contains("sweep: expired 1, purged 1, held 0, errors 0 across 1 tenant", first.Error, StringComparison.Ordinal);

        // The sweep's purge is attested and signed with the CLI's key, like skmem forget --purge.
        Assert.Equal(1, await CliRunner.ExecuteSqlAsync(_cli.StorePath, "UPDATE memory_attestations SET attestation = attestation WHERE attestation LIKE '%\"algorithm\":\"ES256\"%'"));

        var totals = second.Json().GetProperty("totals");
        Assert.Equal((0, 0, 0), (totals.GetProperty("expired").GetInt32(), totals.GetProperty("purged").GetInt32(), totals.GetProperty("errors").GetInt32()));
        Assert.Contains("status          deleted", (await _cli.RunAsync("show", old.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Contains("status          active", (await _cli.RunAsync("show", recent.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_dry_run_prints_the_table_and_changes_nothing()
    {
        var old = await _cli.RememberAsync("Ana prefers aisle seats", "ana", "--type", "preference", "--valid-from", "2020-01-01");

        var dry = (await _cli.RunAsync("sweep", "--policy", _policy, "--dry-run")).ShouldSucceed();

        Assert.Contains("dry run (nothing changed)", dry.Out, StringComparison.Ordinal);
        Assert.Contains("RULE", dry.Out, StringComparison.Ordinal);
        Assert.Contains("EXPIRED", dry.Out, StringComparison.Ordinal);
        Assert.Matches(@"preference\s+1\s+1\s+1\s+0\s+0", dry.Out);
        Assert.Contains("sweep (dry run): would expire 1", dry.Error, StringComparison.Ordinal);
        Assert.Contains("status          active", (await _cli.RunAsync("show", old.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "version": 1, "rules": [ { "type": "preference", "expireAfterDays": -1 } ] }""", "rules[0].expireAfterDays", "negative")]
    [InlineData("""{ "version": 1, "rules": [ { "type": "opinion", "expireAfterDays": 1 } ] }""", "rules[0].type", "unknown memory type")]
    [InlineData("""{ "version": 1, "rules": [ { "type": "fact", "anchor": "touched" } ] }""", "rules[0].anchor", "unknown anchor")]
    public async Task Sweep_with_an_invalid_policy_exits_2_naming_the_file_rule_and_field(string json, string path, string problem)
    {
        var file = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        var id = await _cli.RememberAsync("Ana prefers green tea", "ana", "--type", "preference", "--valid-from", "2020-01-01");

        var result = (await _cli.RunAsync("sweep", "--policy", file)).ShouldFail(ExitCodes.Usage);

        Assert.Contains(file, result.Error, StringComparison.Ordinal);
        Assert.Contains(path, result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.Contains("docs/retention.md", result.Error, StringComparison.Ordinal);
        Assert.Contains("status          active", (await _cli.RunAsync("show", id.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        (await _cli.RunAsync("sweep", "--policy", _cli.NewFilePath(".json"))).ShouldFail(ExitCodes.Usage);
    }

    [Fact]
    public async Task Consent_grant_revoke_show_and_sweep_purges_the_revoked_scope()
    {
        var personal = await _cli.RememberAsync("Ana is allergic to peanuts", "ana");
        var team = await _cli.RememberAsync("Ana leads the eng team", "ana", "--scope", "team:eng");

        var granted = (await _cli.RunAsync("consent", "grant", "--subject", "ana", "--scope", "personal", "--purpose", "personalization", "--expires", "365d", "--json")).ShouldSucceed().Json()[0];
        Assert.Equal(("granted", "personalization", true), (granted.GetProperty("state").GetString(), granted.GetProperty("purpose").GetString(), granted.GetProperty("in_force").GetBoolean()));
        Assert.NotEqual(JsonValueKind.Null, granted.GetProperty("expires_at").ValueKind);

        var revoked = (await _cli.RunAsync("consent", "revoke", "--subject", "ana", "--reason", "asked to be forgotten")).ShouldSucceed();
        Assert.Contains("revoked", revoked.Out, StringComparison.Ordinal);
        var shown = (await _cli.RunAsync("consent", "show", "--subject", "ana", "--json")).ShouldSucceed().Json();
        var current = Assert.Single(shown.EnumerateArray());
        Assert.Equal(("revoked", "personalization", false), (current.GetProperty("state").GetString(), current.GetProperty("purpose").GetString(), current.GetProperty("in_force").GetBoolean()));
        var history = (await _cli.RunAsync("consent", "show", "--subject", "ana", "--history", "--json")).ShouldSucceed().Json();
        Assert.Equal(["granted", "revoked"], history.EnumerateArray().Select(c => c.GetProperty("state").GetString()));
        Assert.Contains("personalization", (await _cli.RunAsync("consent", "show")).ShouldSucceed().Out, StringComparison.Ordinal);

        var sweep = (await _cli.RunAsync("sweep", "--policy", _policy, "--json")).ShouldSucceed().Json();

        // Reads of Ana's personal memories stop at revocation (show is refused); the sweep purged the one there, and only it.
        Assert.Equal(1, ConsentRow(sweep).GetProperty("purged").GetInt32());
        Assert.Single(sweep.GetProperty("attestations").EnumerateArray());
        (await _cli.RunAsync("show", personal.ToString())).ShouldFail(ExitCodes.Denied);
        Assert.Contains("status          active", (await _cli.RunAsync("show", team.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        var again = (await _cli.RunAsync("sweep", "--policy", _policy, "--json")).ShouldSucceed().Json();
        Assert.Equal((0, 0), (ConsentRow(again).GetProperty("examined").GetInt32(), ConsentRow(again).GetProperty("purged").GetInt32()));
    }

    private static JsonElement ConsentRow(JsonElement report) =>
        report.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == "consent_revoked");

    [Fact]
    public async Task Consent_with_an_expiry_in_the_past_or_without_a_purpose_exits_2()
    {
        var past = (await _cli.RunAsync("consent", "grant", "--subject", "ana", "--purpose", "personalization", "--expires", "2020-01-01")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("expires_at", past.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("consent", "grant", "--subject", "ana")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("consent", "show", "--history")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("no consents recorded", (await _cli.RunAsync("consent", "show")).ShouldSucceed().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hold_place_list_release_and_the_sweep_skips_held_memories_until_released()
    {
        var held = await _cli.RememberAsync("Ana prefers the red car", "ana", "--type", "preference", "--valid-from", "2020-01-01");

        (await _cli.RunAsync("hold", "place", "--id", "matter-7", "--subject", "ana", "--reason", "matter 7")).ShouldSucceed();
        var list = (await _cli.RunAsync("hold", "list", "--json")).ShouldSucceed().Json();
        var hold = Assert.Single(list.EnumerateArray());
        Assert.Equal(("matter-7", "ana", true), (hold.GetProperty("id").GetString(), hold.GetProperty("subject").GetString(), hold.GetProperty("active").GetBoolean()));

        var skipped = (await _cli.RunAsync("sweep", "--policy", _policy, "--json")).ShouldSucceed().Json().GetProperty("totals");
        Assert.Equal((0, 1), (skipped.GetProperty("expired").GetInt32(), skipped.GetProperty("held").GetInt32()));
        Assert.Contains("status          active", (await _cli.RunAsync("show", held.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);

        (await _cli.RunAsync("hold", "release", "matter-7")).ShouldSucceed();
        var twice = (await _cli.RunAsync("hold", "release", "matter-7")).ShouldFail(ExitCodes.Conflict);
        Assert.Contains("already released", twice.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("hold", "release", "matter-9")).ShouldFail(ExitCodes.NotFound);
        Assert.Contains("no active legal holds", (await _cli.RunAsync("hold", "list")).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Contains("matter-7", (await _cli.RunAsync("hold", "list", "--all")).ShouldSucceed().Out, StringComparison.Ordinal);

        var swept = (await _cli.RunAsync("sweep", "--policy", _policy, "--json")).ShouldSucceed().Json().GetProperty("totals");
        Assert.Equal((1, 1, 0), (swept.GetProperty("expired").GetInt32(), swept.GetProperty("purged").GetInt32(), swept.GetProperty("held").GetInt32()));
    }

    [Fact]
    public async Task Sweep_holds_and_someone_elses_consent_are_denied_without_the_role()
    {
        var sweep = (await _cli.RunAsync("sweep", "--policy", _policy, "--as", "user:bob")).ShouldFail(ExitCodes.Denied);
        Assert.Contains(MemoryRoles.Operator, sweep.Error, StringComparison.Ordinal);
        (await _cli.RunAsync("hold", "place", "--subject", "ana", "--reason", "matter 9", "--as", "user:bob")).ShouldFail(ExitCodes.Denied);
        (await _cli.RunAsync("consent", "revoke", "--subject", "ana", "--as", "user:bob")).ShouldFail(ExitCodes.Denied);
        (await _cli.RunAsync("consent", "grant", "--subject", "bob", "--purpose", "personalization", "--as", "user:bob")).ShouldSucceed();
        (await _cli.RunAsync("sweep", "--policy", _policy, "--as", "service:janitor", "--role", MemoryRoles.Operator)).ShouldSucceed();
    }

    [Fact]
    public async Task Consent_hold_and_sweep_work_the_same_on_postgres()
    {
        var schema = _postgres.NewSchema();
        Task<CliResult> Run(params string[] args) => CliRunner.RunOnAsync(_postgres.ConnectionString, [.. args, "--schema", schema]);
        var ana = (await Run("remember", "Ana prefers window seats", "--subject", "ana", "--type", "preference", "--valid-from", "2020-01-01", "--json")).ShouldSucceed().Json().GetProperty("id").GetGuid();
        (await Run("remember", "Bob prefers aisle seats", "--subject", "bob", "--type", "preference", "--valid-from", "2020-01-01")).ShouldSucceed();
        (await Run("remember", "Carl is allergic to peanuts", "--subject", "carl")).ShouldSucceed();
        (await Run("hold", "place", "--id", "m1", "--memory", ana.ToString(), "--reason", "matter 1")).ShouldSucceed();
        (await Run("consent", "revoke", "--subject", "carl", "--purpose", "personalization")).ShouldSucceed();

        var first = (await Run("sweep", "--policy", _policy, "--json")).ShouldSucceed().Json().GetProperty("totals");
        var second = (await Run("sweep", "--policy", _policy, "--json")).ShouldSucceed().Json().GetProperty("totals");

        // Bob's preference expired and purged, Carl's memory purged on revocation, Ana's held.
        Assert.Equal((1, 2, 1), (first.GetProperty("expired").GetInt32(), first.GetProperty("purged").GetInt32(), first.GetProperty("held").GetInt32()));
        Assert.Equal((0, 0, 1), (second.GetProperty("expired").GetInt32(), second.GetProperty("purged").GetInt32(), second.GetProperty("held").GetInt32()));
        Assert.Equal(["revoked"], (await Run("consent", "show", "--json")).ShouldSucceed().Json().EnumerateArray().Select(c => c.GetProperty("state").GetString()));
        Assert.True((await Run("verify", "--json")).ShouldSucceed().Json().GetProperty("is_valid").GetBoolean());
    }

    [Fact]
    public async Task Hold_place_needs_exactly_one_of_subject_or_memory()
    {
        (await _cli.RunAsync("hold", "place", "--reason", "matter 8")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("hold", "place", "--subject", "ana", "--memory", Guid.NewGuid().ToString(), "--reason", "matter 8")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("hold", "place", "--subject", "ana")).ShouldFail(ExitCodes.Usage);
    }
}
