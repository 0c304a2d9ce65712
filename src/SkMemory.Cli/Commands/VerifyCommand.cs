using System.CommandLine;
using System.Text.Json;
using SkMemory.Governance;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem verify</c>: recomputes the hash chains and reports the first broken link (exit code 5). With
/// <c>--attestation</c>, checks a purge's attestation instead: its signature, and that no row still holds the content.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CommandRunner runner)
    {
        var attestationFile = new Option<string?>("--attestation") { Description = "Check a purge's attestation file: its signature, and that no row of the store still holds the purged content.", HelpName = "file" };
        var publicKey = new Option<string?>("--public-key") { Description = $"With --attestation: the signer's public key PEM (default: {AttestationKeys.PublicKeyFileName} beside the signing key).", HelpName = "pem" };
        var command = new Command("verify", "Recompute every tenant's hash chain (or only --tenant's) and report the first broken link; or check a purge attestation.")
        {
            attestationFile, publicKey,
        };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            if (parseResult.GetValue(attestationFile) is { } file)
            {
                return PrepareAttestation(context, file, parseResult.GetValue(publicKey));
            }

            if (parseResult.GetValue(publicKey) is not null)
            {
                throw CliException.Invalid("public-key", "--public-key applies only with --attestation", "add --attestation <file>, or drop --public-key");
            }

            return async store =>
            {
                var result = await store.VerifyAsync(context.ExplicitTenant, context.CancellationToken).ConfigureAwait(false);
                if (result.IsValid)
                {
                    context.Out.WriteLine(context.Json
                        ? JsonOutput.Render(w => JsonSerializer.Serialize(w, result, MemoryJsonContext.Default.ChainVerificationResult))
                        : $"chain verified: {HumanFormat.Count(result.EventCount, "event")} in {HumanFormat.Count(result.TenantCount, "tenant")}");
                    return ExitCodes.Ok;
                }

                var link = result.FirstBrokenLink!;
                if (!context.Json)
                {
                    context.Out.WriteLine("chain broken");
                    context.Out.WriteLine($"  tenant    {link.Tenant}");
                    context.Out.WriteLine($"  sequence  {link.Sequence}");
                    context.Out.WriteLine($"  event     {link.EventId?.ToString() ?? "(missing)"}");
                    context.Out.WriteLine($"  problem   {link.Problem}");
                }

                var broken = new CliException(
                    ExitCodes.VerifyFailed,
                    $"the hash chain of tenant '{link.Tenant}' breaks at sequence {link.Sequence}: {link.Problem}",
                    "the log was changed outside SkMemory; restore the tenant from a trusted export ('skmem import' into a new store) and investigate that event");

                // Reported rather than thrown: with --json the error object joins the verification result in one document.
                return ErrorReporter.Report(broken, context, w =>
                {
                    foreach (var property in JsonSerializer.SerializeToElement(result, MemoryJsonContext.Default.ChainVerificationResult).EnumerateObject())
                    {
                        property.WriteTo(w);
                    }
                });
            };
        });
        return command;
    }

    private static StoreOperation PrepareAttestation(CliContext context, string file, string? publicKeyOption)
    {
        MemoryDeletionAttestation attestation;
        try
        {
            attestation = MemoryAttestationJson.Deserialize(File.ReadAllText(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Invalid("attestation", $"cannot read {file}: {ex.Message}", "give the file 'skmem forget --purge --attestation-out' wrote");
        }
        catch (JsonException ex)
        {
            throw CliException.Invalid("attestation", $"{file} is not a deletion attestation: {ex.Message}", "give the JSON file 'skmem forget --purge --attestation-out' wrote, unchanged");
        }

        // The verifier reads below the access policy (tombstones, erased payloads, index rows), so it is an auditor's or
        // operator's check, of a tenant the caller may enter.
        var caller = context.Caller;
        if (!caller.MayEnter(attestation.Tenant) || !(caller.HasRole(MemoryRoles.Auditor) || caller.HasRole(MemoryRoles.Operator)))
        {
            throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot check attestations of tenant '{attestation.Tenant}': that needs the {MemoryRoles.Auditor} or {MemoryRoles.Operator} role in that tenant", "run as an auditor (--role memory.auditor), or drop --as to act as the store owner");
        }

        var target = StoreOpener.Resolve(context.StoreSpec, context.Schema);
        var keyPath = publicKeyOption is not null
            ? Path.GetFullPath(publicKeyOption)
            : AttestationKeys.PublicKeyPathFor(AttestationKeys.PrivateKeyPath(null, target).Path);
        if (!File.Exists(keyPath))
        {
            throw CliException.Invalid("public-key", $"there is no public key at {keyPath}", "give the signer's public key PEM with --public-key (skmem forget --purge prints where it is)");
        }

        var pem = File.ReadAllText(keyPath);
        return async store =>
        {
            MemoryAttestationVerification result;
            try
            {
                result = await MemoryAttestationVerifier.VerifyAsync(attestation, store, pem, context.CancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw CliException.Invalid("public-key", $"{keyPath}: {ex.Message}", "give the 'PUBLIC KEY' PEM file of the signing key");
            }

            if (result.IsValid)
            {
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w => WriteResult(w, attestation, result));
                }
                else
                {
                    context.Out.WriteLine("attestation verified");
                    context.Out.WriteLine($"  attestation  {attestation.Id} (tenant {attestation.Tenant}, {HumanFormat.Count(attestation.MemoryIds.Count, "memory", "memories")})");
                    context.Out.WriteLine($"  signature    valid, {attestation.Algorithm} key {attestation.KeyId}");
                    context.Out.WriteLine("  store        no row holds the purged content; the payload hashes and the chain verify");
                }

                return ExitCodes.Ok;
            }

            if (!context.Json)
            {
                context.Out.WriteLine("attestation does not hold");
                context.Out.WriteLine($"  attestation  {attestation.Id} (tenant {attestation.Tenant})");
                foreach (var problem in result.Problems)
                {
                    context.Out.WriteLine($"  problem      {problem}");
                }
            }

            var failure = result.SignatureFailed
                ? new CliException(
                    ExitCodes.VerifyFailed,
                    $"the attestation's signature does not hold: {result.Problems[0]}",
                    $"check that {file} is the file the purge wrote, unchanged, and that {keyPath} is the public key of the key that signed it")
                : new CliException(
                    ExitCodes.VerifyFailed,
                    $"the store still holds content the attestation says was purged: {result.Problems[0]}",
                    "purge the memories again ('skmem forget <id> --purge') to remove what is left, and find out what restored it");

            // Reported rather than thrown: with --json the error object joins the verification result in one document.
            return ErrorReporter.Report(failure, context, w => WriteResult(w, attestation, result));
        };
    }

    private static void WriteResult(Utf8JsonWriter w, MemoryDeletionAttestation attestation, MemoryAttestationVerification result)
    {
        w.WriteString("attestation_id", attestation.Id);
        w.WriteString("tenant", attestation.Tenant);
        w.WriteBoolean("valid", result.IsValid);
        w.WriteBoolean("signature_valid", result.SignatureValid);
        w.WriteStartArray("problems");
        foreach (var problem in result.Problems)
        {
            w.WriteStringValue(problem);
        }

        w.WriteEndArray();
    }
}
