using SkMemory.Redaction;
using SkMemory.Storage.Postgres;

namespace SkMemory.Postgres.Tests;

/// <summary>The token vault and redaction on a real Postgres server: tokenize, reuse, reveal and its audit, encryption at rest, delete.</summary>
public sealed class PostgresTokenVaultTests(PostgresFixture fixture)
{
    private const string Tenant = "acme";
    private const string Card = "4539 1488 0343 6467";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tokenized_write_reveals_for_a_caller_with_the_role_and_every_reveal_is_recorded()
    {
        using var store = await fixture.OpenStoreAsync(cancellationToken: Ct);
        var redacting = new MemoryStoreBuilder(store).UseRedaction().Build();

        var first = await redacting.WriteAsync(Write($"Pays with card {Card}", "ana"), Ct);
        var second = await redacting.WriteAsync(Write($"Backup card {Card}", "ben"), Ct);

        var token = Assert.Single(MemoryVaultToken.FindAll(first.Record.Value.Text));
        Assert.Matches(@"^Pays with card \[\[tok:credit_card:[0-9a-z]{26}\]\]$", first.Record.Value.Text);
        Assert.Equal(token, Assert.Single(MemoryVaultToken.FindAll(second.Record.Value.Text)));

        var revealer = new MemoryTokenRevealer(store);
        var caller = new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.User("auditor"), Roles = [MemoryRoles.VaultReveal] };
        Assert.Equal(Card, await revealer.RevealAsync(caller, Tenant, token, "chargeback #42", Ct));
        Assert.Equal(Card, await revealer.RevealAsync(caller, Tenant, token, "chargeback #42, second look", Ct));

        var vault = (IMemoryTokenVault)store.GetService(typeof(IMemoryTokenVault))!;
        var reveals = await vault.GetRevealsAsync(Tenant, token, Ct);
        Assert.Equal(["chargeback #42", "chargeback #42, second look"], reveals.Select(r => r.Reason));
        Assert.All(reveals, r => Assert.Equal(caller.Actor, r.Actor));
        var entry = (await vault.GetAsync(Tenant, token, Ct))!;
        Assert.Equal("credit_card", entry.Kind);
        Assert.Equal("ana", entry.Subject);
        Assert.Null(await vault.GetAsync("globex", token, Ct)); // tenants do not share tokens
    }

    [Fact]
    public async Task Reveal_without_the_role_is_denied_recorded_in_the_audit_log_and_not_in_the_reveals()
    {
        using var store = await fixture.OpenStoreAsync(cancellationToken: Ct);
        var token = MemoryVaultToken.FindAll((await new MemoryStoreBuilder(store).UseRedaction().Build().WriteAsync(Write($"card {Card}", "ana"), Ct)).Record.Value.Text)[0];
        var caller = new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.Agent("helper") };

        var ex = await Assert.ThrowsAsync<MemoryAccessDeniedException>(() => new MemoryTokenRevealer(store).RevealAsync(caller, Tenant, token, "curious", Ct));

        Assert.Equal(MemoryAccessDenialReason.MissingRole, ex.Denial.Reason);
        var audit = (IMemoryAuditLog)store.GetService(typeof(IMemoryAuditLog))!;
        Assert.Contains(await audit.GetDenialsAsync(Tenant, cancellationToken: Ct), d => d.Operation == "vault_reveal" && d.Actor == caller.Actor);
        var vault = (IMemoryTokenVault)store.GetService(typeof(IMemoryTokenVault))!;
        Assert.Empty(await vault.GetRevealsAsync(Tenant, token, Ct));
    }

    [Fact]
    public async Task With_a_key_the_value_is_encrypted_at_rest()
    {
        var schema = fixture.NewSchema();
        using var store = await fixture.OpenStoreAsync(schema: schema, cancellationToken: Ct);
        var options = new MemoryRedactionOptions { VaultKey = Enumerable.Range(10, 32).Select(i => (byte)i).ToArray() };
        var redacting = new MemoryStoreBuilder(store).UseRedaction(options).Build();

        var token = MemoryVaultToken.FindAll((await redacting.WriteAsync(Write("reach me at ana.garcia@example.com", "ana"), Ct)).Record.Value.Text)[0];
        var again = MemoryVaultToken.FindAll((await redacting.WriteAsync(Write("ana.garcia@example.com is her address", "ana"), Ct)).Record.Value.Text)[0];

        Assert.Equal(token, again);
        var raw = (string)(await fixture.QueryAsync($"SELECT value FROM {schema}.memory_vault WHERE tenant = @tenant AND token = @token", ("tenant", Tenant), ("token", token)))[0][0]!;
        Assert.StartsWith("aesgcm1:", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("ana.garcia", raw, StringComparison.Ordinal);
        var caller = new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.User("dpo"), Roles = [MemoryRoles.Admin] };
        Assert.Equal("ana.garcia@example.com", await new MemoryTokenRevealer(store, options).RevealAsync(caller, Tenant, token, "subject access request", Ct));
    }

    [Fact]
    public async Task Concurrent_writers_of_one_value_get_one_token_and_delete_removes_it()
    {
        using var store = await fixture.OpenStoreAsync(cancellationToken: Ct);
        var vault = (IMemoryTokenVault)store.GetService(typeof(IMemoryTokenVault))!;

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => vault.TokenizeAsync(Tenant, "iban", "ana", "GB82WEST12345698765432", Ct), Ct)));

        var token = Assert.Single(tokens.Distinct(StringComparer.Ordinal));
        Assert.True(MemoryVaultToken.IsToken(token));
        Assert.True(await vault.DeleteAsync(Tenant, token, Ct));
        Assert.False(await vault.DeleteAsync(Tenant, token, Ct));
        Assert.Null(await vault.GetAsync(Tenant, token, Ct));
        var ex = await Assert.ThrowsAsync<MemoryException>(() => new MemoryTokenRevealer(store).RevealAsync(
            new MemoryCaller { Tenant = Tenant, Actor = MemoryActor.User("dpo"), Roles = [MemoryRoles.VaultReveal] }, Tenant, token, "check", Ct));
        Assert.Equal(MemoryErrorCode.NotFound, ex.Code);
        await Assert.ThrowsAsync<MemoryValidationException>(() => vault.GetAsync(Tenant, "[[tok:iban:short]]", Ct));
    }

    private static MemoryWriteRequest Write(string text, string subject) => new()
    {
        Tenant = Tenant,
        Type = MemoryTypes.Fact,
        Subject = subject,
        Actor = MemoryActor.User(subject),
        Value = text,
    };
}
