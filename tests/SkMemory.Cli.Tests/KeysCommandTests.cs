using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary><c>skmem keys create|list|revoke</c>: the secret once, listings without secrets, revocation, who may manage keys.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Keys_are_created_once_listed_without_secrets_and_revoked()
    {
        var created = (await _cli.RunAsync(
            "keys", "create", "--actor", "agent:planner", "--role", MemoryRoles.TeamWriter, "--team", "core", "--acting-for", "ana",
            "--scope-kind", "personal", "--scope-kind", "team", "--label", "planner bot", "--json")).ShouldSucceed();
        var key = created.Json();
        var id = key.GetProperty("id").GetString()!;
        var secret = key.GetProperty("secret").GetString()!;
        Assert.StartsWith($"skm_{id}_", secret, StringComparison.Ordinal);
        Assert.Equal("agent:planner", key.GetProperty("actor").GetString());
        Assert.Equal(["personal", "team"], key.GetProperty("scope_kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains("only time the secret is shown", created.Error, StringComparison.Ordinal);

        var plain = (await _cli.RunAsync("keys", "create", "--actor", "agent:reader")).ShouldSucceed();
        Assert.StartsWith("skm_", plain.Out.Trim(), StringComparison.Ordinal);
        Assert.Single(plain.Out.Trim().Split('\n'));

        var listed = (await _cli.RunAsync("keys", "list", "--json")).ShouldSucceed();
        Assert.DoesNotContain(secret, listed.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", listed.Out, StringComparison.Ordinal);
        var keys = listed.Json().EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.True(k.GetProperty("live").GetBoolean()));

        (await _cli.RunAsync("keys", "revoke", id)).ShouldSucceed();
        (await _cli.RunAsync("keys", "revoke", id)).ShouldFail(ExitCodes.Conflict);
        (await _cli.RunAsync("keys", "revoke", "000000000000")).ShouldFail(ExitCodes.NotFound);
        var table = (await _cli.RunAsync("keys", "list")).ShouldSucceed();
        Assert.Contains($"{id}  agent:planner  revoked", table.Out, StringComparison.Ordinal);
        Assert.Contains("2 keys in tenant 'default', 1 live", table.Error, StringComparison.Ordinal);

        // Another tenant sees none of them.
        var other = (await _cli.RunAsync("keys", "list", "--json", "--tenant", "acme")).ShouldSucceed();
        Assert.Empty(other.Json().EnumerateArray());
    }

    [Fact]
    public async Task Only_admins_manage_keys_and_no_key_holds_the_store_owner_role()
    {
        (await _cli.RunAsync("keys", "list", "--as", "user:bob")).ShouldFail(ExitCodes.Denied);
        var key = (await _cli.RunAsync("keys", "create", "--actor", "agent:x", "--json")).ShouldSucceed().Json().GetProperty("id").GetString()!;
        (await _cli.RunAsync("keys", "revoke", key, "--as", "user:bob", "--role", MemoryRoles.TeamWriter)).ShouldFail(ExitCodes.Denied);
        (await _cli.RunAsync("keys", "list", "--as", "user:root", "--role", MemoryRoles.Admin)).ShouldSucceed();
        (await _cli.RunAsync("keys", "revoke", key, "--as", "user:root", "--role", MemoryRoles.Admin)).ShouldSucceed();
        (await _cli.RunAsync("keys", "create", "--actor", "agent:x", "--role", MemoryRoles.StoreOwner)).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("keys", "create", "--actor", "agent:x", "--role", "nonsense")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("keys", "create", "--actor", "agent:x", "--scope-kind", "everything")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("keys", "create", "--actor", "planner")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("keys", "create", "--actor", "agent:x", "--as", "user:bob")).ShouldFail(ExitCodes.Usage);
    }
}
