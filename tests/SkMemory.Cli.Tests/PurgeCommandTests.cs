using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary><c>skmem forget --purge</c> and <c>skmem verify --attestation</c>, in-process, on a temp SQLite file.</summary>
public sealed class PurgeCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Forget_purge_prints_a_signed_attestation_that_verify_accepts()
    {
        var id = await _cli.RememberAsync("Ana's passport number is X1234567");
        var keep = await _cli.RememberAsync("Ana works in the Lisbon office");
        var file = _cli.NewFilePath(".json");

        var purged = (await _cli.RunAsync("forget", id.ToString(), "--purge", "--reason", "GDPR erasure #12", "--attestation-out", file)).ShouldSucceed();

        Assert.Contains("purged 1 memory (0 derived)", purged.Out, StringComparison.Ordinal);
        var keyPath = Path.Combine(_cli.Folder, "attestation-key.pem");
        Assert.Contains($"public key: {Path.Combine(_cli.Folder, "attestation-key.pub.pem")}", purged.Out, StringComparison.Ordinal);
        Assert.Contains($"created the attestation signing key {keyPath}", purged.Error, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        var attestation = JsonNode.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken))!;
        Assert.Equal("ES256", (string?)attestation["algorithm"]);
        Assert.Equal(id.ToString(), (string?)attestation["memory_ids"]![0]);
        Assert.Equal("GDPR erasure #12", (string?)attestation["reason"]);
        Assert.Contains((string)attestation["signature"]!, purged.Out.Replace("\\u002B", "+", StringComparison.Ordinal), StringComparison.Ordinal);

        // Not even the file's free pages, the full-text index segments or the write-ahead log keep the text.
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _cli.StorePath, _cli.StorePath + "-wal" }.Where(File.Exists))
        {
            var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
            Assert.True(bytes.AsSpan().IndexOf("X1234567"u8) < 0, $"{path} still holds the purged text");
        }

        var verified = (await _cli.RunAsync("verify", "--attestation", file)).ShouldSucceed();
        (await _cli.RunAsync("verify", "--attestation", file, "--as", "user:bo")).ShouldFail(ExitCodes.Denied);
        (await _cli.RunAsync("verify", "--attestation", file, "--as", "user:eve", "--role", MemoryRoles.Auditor)).ShouldSucceed();
        Assert.StartsWith("attestation verified", verified.Out, StringComparison.Ordinal);
        Assert.Contains("no row holds the purged content", verified.Out, StringComparison.Ordinal);
        (await _cli.RunAsync("verify")).ShouldSucceed();

        var list = (await _cli.RunAsync("list")).ShouldSucceed();
        Assert.DoesNotContain("passport", list.Out, StringComparison.Ordinal);
        Assert.Contains(keep.ToString(), list.Out, StringComparison.Ordinal);
        var recall = (await _cli.RunAsync("recall", "passport number", "--subject", "ana", "--mode", "text")).ShouldSucceed();
        Assert.DoesNotContain(id.ToString(), recall.Out, StringComparison.Ordinal);
        var show = (await _cli.RunAsync("show", id.ToString())).ShouldSucceed();
        Assert.Contains("status          deleted", show.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("X1234567", show.Out, StringComparison.Ordinal);

        // A second purge signs with the same key, created once.
        var second = await _cli.RememberAsync("Ana's old passport was Y7654321");
        var again = (await _cli.RunAsync("forget", second.ToString(), "--purge", "--reason", "erasure")).ShouldSucceed();
        Assert.DoesNotContain("created the attestation signing key", again.Error, StringComparison.Ordinal);
        Assert.Contains((string)attestation["key_id"]!, again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_tampered_attestation_fails_with_the_verify_exit_code()
    {
        var id = await _cli.RememberAsync("Bob's salary is 70k", "bob");
        var file = _cli.NewFilePath(".json");
        (await _cli.RunAsync("forget", id.ToString(), "--purge", "--reason", "erasure", "--attestation-out", file)).ShouldSucceed();
        var attestation = JsonNode.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken))!;
        attestation["reason"] = "routine cleanup";
        var tampered = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(tampered, attestation.ToJsonString(), TestContext.Current.CancellationToken);

        var failed = (await _cli.RunAsync("verify", "--attestation", tampered)).ShouldFail(ExitCodes.VerifyFailed);

        Assert.Contains("error: the attestation's signature does not hold", failed.Error, StringComparison.Ordinal);
        Assert.Contains("a field was changed after signing", failed.Error, StringComparison.Ordinal);
        var json = (await _cli.RunAsync("verify", "--attestation", tampered, "--json")).ShouldFail(ExitCodes.VerifyFailed).Json();
        Assert.False(json.GetProperty("signature_valid").GetBoolean());
        Assert.False(json.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Verify_finds_content_put_back_after_the_purge()
    {
        var id = await _cli.RememberAsync("Carol's PIN is 9876", "carol");
        var file = _cli.NewFilePath(".json");
        (await _cli.RunAsync("forget", id.ToString(), "--purge", "--reason", "erasure", "--attestation-out", file)).ShouldSucceed();
        (await _cli.RunAsync("verify", "--attestation", file)).ShouldSucceed();

        Assert.Equal(1, await CliRunner.ExecuteSqlAsync(_cli.StorePath, $"UPDATE memory_objects SET text = 'Carol''s PIN is 9876' WHERE id = '{id}'"));

        var failed = (await _cli.RunAsync("verify", "--attestation", file)).ShouldFail(ExitCodes.VerifyFailed);
        Assert.Contains($"error: the store still holds content the attestation says was purged: memory {id} still has text", failed.Error, StringComparison.Ordinal);
        Assert.Contains("attestation does not hold", failed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_subject_purge_with_an_explicit_key_signs_with_it_and_a_wrong_public_key_fails()
    {
        await _cli.RememberAsync("Dan lives in Porto", "dan");
        await _cli.RememberAsync("Dan has a cat", "dan");
        var other = await _cli.RememberAsync("Eve lives in Faro", "eve");
        using var signer = MemoryAttestationSigner.Create();
        using var stranger = MemoryAttestationSigner.Create();
        var keyFile = _cli.NewFilePath(".pem");
        var publicFile = _cli.NewFilePath(".pem");
        var strangerFile = _cli.NewFilePath(".pem");
        await File.WriteAllTextAsync(keyFile, signer.ExportPrivateKeyPem(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(publicFile, signer.ExportPublicKeyPem(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(strangerFile, stranger.ExportPublicKeyPem(), TestContext.Current.CancellationToken);

        var purged = (await _cli.RunAsync("forget", "--subject", "dan", "--purge", "--reason", "account closed", "--signing-key", keyFile, "--json")).ShouldSucceed();

        var attestation = purged.Json();
        Assert.Equal(signer.KeyId, attestation.GetProperty("key_id").GetString());
        Assert.Equal(2, attestation.GetProperty("memory_ids").GetArrayLength());
        Assert.False(File.Exists(Path.Combine(_cli.Folder, "attestation-key.pem")));
        var file = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(file, purged.Out, TestContext.Current.CancellationToken);
        (await _cli.RunAsync("verify", "--attestation", file, "--public-key", publicFile)).ShouldSucceed();
        var wrongKey = (await _cli.RunAsync("verify", "--attestation", file, "--public-key", strangerFile)).ShouldFail(ExitCodes.VerifyFailed);
        Assert.Contains("not by the public key given", wrongKey.Error, StringComparison.Ordinal);
        Assert.Contains("Eve lives in Faro", (await _cli.RunAsync("show", other.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_options_are_checked_before_anything_changes()
    {
        var id = await _cli.RememberAsync("Fay likes tea", "fay");

        (await _cli.RunAsync("forget", id.ToString(), "--subject", "fay", "--reason", "x")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("forget", id.ToString(), "--subject", "fay", "--purge", "--reason", "x")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("forget", "--purge", "--reason", "x")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("forget", id.ToString(), "--purge", "--expected-version", "1", "--reason", "x")).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("forget", id.ToString(), "--purge", "--reason", "x", "--signing-key", _cli.NewFilePath(".pem"))).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("verify", "--attestation", _cli.NewFilePath(".json"))).ShouldFail(ExitCodes.Usage);
        (await _cli.RunAsync("verify", "--public-key", _cli.NewFilePath(".pem"))).ShouldFail(ExitCodes.Usage);

        Assert.Contains("Fay likes tea", (await _cli.RunAsync("show", id.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cli.Folder, "attestation-key.pem")));
    }
}
