using System.CommandLine;
using System.Globalization;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem forget &lt;id&gt; --reason "..."</c>: deletes a memory; the reason is kept in the record and the log. With
/// <c>--purge</c> (for one memory, or every memory of <c>--subject</c>) the content is removed everywhere it lives and
/// a signed deletion attestation is printed.
/// </summary>
internal static class ForgetCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string?>("id") { Description = "The memory id (omit with --subject --purge).", Arity = ArgumentArity.ZeroOrOne };
        var reason = new Option<string>("--reason", "-r") { Description = "Why it is forgotten (required; kept in the audit log and the attestation).", Required = true, HelpName = "text" };
        var expectedVersion = new Option<long?>("--expected-version") { Description = "Only delete if the memory is still at this version.", HelpName = "version" };
        var actor = new Option<string?>("--actor") { Description = "Who is deleting, kind:id (default: user:$USER).", HelpName = "kind:id" };
        var purge = new Option<bool>("--purge") { Description = "Remove the content everywhere (record, history payloads, embeddings, full text, vault tokens, derived memories) and print a signed attestation." };
        var subject = new Option<string?>("--subject") { Description = "With --purge: purge every memory of this subject.", HelpName = "subject" };
        var attestationOut = new Option<string?>("--attestation-out") { Description = "With --purge: also write the attestation to this file.", HelpName = "file" };
        var signingKey = new Option<string?>("--signing-key") { Description = $"With --purge: the PEM private key (P-256) that signs the attestation (default: ${AttestationKeys.Variable}, else {AttestationKeys.PrivateKeyFileName} in the data directory, created on first use).", HelpName = "pem" };
        var command = new Command("forget", "Delete a memory, with a reason. It stays in history and in exports, unless --purge removes its content everywhere.")
        {
            id, reason, expectedVersion, actor, purge, subject, attestationOut, signingKey,
        };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var idText = parseResult.GetValue(id);
            var who = parseResult.GetValue(actor) is { } actorText ? ValueParsers.Actor(actorText) : ValueParsers.DefaultActor();
            if (parseResult.GetValue(purge))
            {
                return PreparePurge(context, parseResult, idText, who, reason, expectedVersion, subject, attestationOut, signingKey);
            }

            foreach (var purgeOnly in new[] { subject.Name, attestationOut.Name, signingKey.Name })
            {
                if (parseResult.GetResult(command.Options.First(o => o.Name == purgeOnly)) is not null)
                {
                    throw CliException.Invalid(purgeOnly.TrimStart('-'), $"{purgeOnly} applies only with --purge", $"add --purge to remove the content everywhere, or drop {purgeOnly}");
                }
            }

            if (idText is null)
            {
                throw CliException.Invalid("id", "the memory id is required", "give the id of the memory to forget (see 'skmem list')");
            }

            var request = new MemoryDeleteRequest
            {
                Tenant = context.Tenant,
                Id = ValueParsers.Id(idText),
                Reason = parseResult.GetValue(reason)!,
                ExpectedVersion = parseResult.GetValue(expectedVersion),
                Actor = who,
            };
            return async store =>
            {
                var record = await store.DeleteAsync(request, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WriteString("id", record.Id);
                        w.WriteString("status", MemoryJson.EnumName(record.Status));
                        w.WriteNumber("version", record.Version);
                        JsonOutput.WriteRecord(w, "record", record);
                    });
                }
                else
                {
                    context.Out.WriteLine($"forgot {record.Id} (now {MemoryJson.EnumName(record.Status)}, version {record.Version.ToString(CultureInfo.InvariantCulture)}): {record.DeletionReason}");
                }

                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static StoreOperation PreparePurge(
        CliContext context,
        System.CommandLine.ParseResult parseResult,
        string? idText,
        MemoryActor who,
        Option<string> reason,
        Option<long?> expectedVersion,
        Option<string?> subject,
        Option<string?> attestationOut,
        Option<string?> signingKey)
    {
        var subjectText = parseResult.GetValue(subject);
        if ((idText is null) == (subjectText is null))
        {
            throw CliException.Invalid("id", "name either a memory id or --subject to purge, not both and not neither", "skmem forget <id> --purge --reason ..., or skmem forget --subject <subject> --purge --reason ...");
        }

        if (parseResult.GetValue(expectedVersion) is not null)
        {
            throw CliException.Invalid("expected-version", "--expected-version does not apply to --purge", "drop --expected-version: a purge removes every version of the content");
        }

        var request = new MemoryPurgeRequest
        {
            Tenant = context.Tenant,
            Ids = idText is null ? null : [ValueParsers.Id(idText)],
            Subject = subjectText,
            Reason = parseResult.GetValue(reason)!,
            Actor = who,
        };
        var outPath = parseResult.GetValue(attestationOut);

        // The key is chosen before the store opens, so the store signs with it (StoreOpener reads AttestationKeys.Current).
        var target = StoreOpener.Resolve(context.StoreSpec, context.Schema);
        var (signer, privateKeyPath, publicKeyPath, created) = AttestationKeys.LoadOrCreate(parseResult.GetValue(signingKey), target);
        AttestationKeys.Use(signer);
        return async store =>
        {
            using var ownedSigner = signer;
            if (created)
            {
                context.Error.WriteLine($"created the attestation signing key {privateKeyPath} (owner-only; keep it private and back it up)");
            }

            var attestation = await store.PurgeAsync(request, context.CancellationToken).ConfigureAwait(false);
            var json = MemoryAttestationJson.Serialize(attestation, indented: true);
            if (outPath is not null)
            {
                await File.WriteAllTextAsync(outPath, json + Environment.NewLine, context.CancellationToken).ConfigureAwait(false);
            }

            if (context.Json)
            {
                context.Out.WriteLine(MemoryAttestationJson.Serialize(attestation));
                context.Error.WriteLine($"public key: {publicKeyPath}");
                return ExitCodes.Ok;
            }

            var counts = attestation.Counts;
            context.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"purged {HumanFormat.Count(counts.Records, "memory", "memories")} ({counts.DerivedMemories} derived): {HumanFormat.Count(counts.EventPayloads, "event payload")}, {HumanFormat.Count(counts.Embeddings, "embedding")}, {HumanFormat.Count(counts.FullTextRows, "full-text entry", "full-text entries")}, {HumanFormat.Count(counts.VaultTokens, "vault token")}"));
            context.Out.WriteLine($"attestation {attestation.Id} signed {attestation.Algorithm} by key {attestation.KeyId}");
            context.Out.WriteLine($"public key: {publicKeyPath}");
            if (outPath is not null)
            {
                context.Out.WriteLine($"written to {Path.GetFullPath(outPath)}; check it with 'skmem verify --attestation {outPath}'");
            }

            context.Out.WriteLine(json);
            return ExitCodes.Ok;
        };
    }
}
