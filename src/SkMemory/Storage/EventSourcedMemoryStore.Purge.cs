using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace SkMemory.Storage;

/// <summary>Expiry and purge (verifiable deletion).</summary>
public abstract partial class EventSourcedMemoryStore
{
    /// <inheritdoc />
    public async Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Tenant(request.Tenant);
        MemoryRequestValidator.Reason(request.Reason, required: true);
        MemoryRequestValidator.Actor(request.Actor);
        MemoryRequestValidator.ExpectedVersion(request.ExpectedVersion);

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, request.ExpectedVersion, "expire", cancellationToken).ConfigureAwait(false);
        if (current.Status != MemoryStatus.Active)
        {
            throw InvalidState(current, "expire");
        }

        if (await tx.FindActiveLegalHoldAsync(current.Tenant, current.Id, current.Subject, cancellationToken).ConfigureAwait(false) is { } hold)
        {
            throw Held(current, hold, "expired");
        }

        var now = Now();
        var expired = current with
        {
            Status = MemoryStatus.Expired,
            ValidTo = current.ValidTo ?? now,
            Actor = request.Actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };
        await AppendAsync(tx, MemoryEventType.Expired, expired, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);

        // The content stays until a purge; its embeddings are derived data no read may use any more.
        await tx.DeleteEmbeddingsAsync(expired.Tenant, expired.Id, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogExpired(request.Tenant, request.Id);
        return expired;
    }

    /// <inheritdoc />
    /// <remarks>
    /// In one transaction, for each memory named (or each memory of the subject, in any status) and each memory derived
    /// only from them (see <see cref="IsDerivedOnlyFrom"/>): the payload of every event is erased (payload hashes stay, so
    /// the chain verifies), embeddings and the full-text entry are deleted, and a <see cref="MemoryEventType.Deleted"/>
    /// event replaces the record with a tombstone that keeps ids, type, scope, subject, times and hashes but no text,
    /// structured value, evidence or metadata. Vault rows of the tokens the content held are deleted unless a surviving
    /// memory still holds the token. A memory already purged is skipped, so a second purge changes nothing and attests
    /// to nothing more. An active legal hold on any of the memories refuses the whole purge.
    /// </remarks>
    public async Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Tenant(request.Tenant);
        MemoryRequestValidator.Reason(request.Reason, required: true);
        MemoryRequestValidator.Actor(request.Actor);
        if ((request.Ids is null) == (request.Subject is null))
        {
            throw new MemoryValidationException("ids", "name either the memory ids or the subject to purge, not both and not neither");
        }

        if (request.Ids is { Count: 0 })
        {
            throw new MemoryValidationException("ids", "must name at least one memory");
        }

        if (request.Subject is not null)
        {
            MemoryRequestValidator.Subject(request.Subject);
        }

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var targets = new List<MemoryRecord>();
        if (request.Ids is { } ids)
        {
            foreach (var id in ids.Distinct())
            {
                targets.Add(await tx.GetAsync(request.Tenant, id, cancellationToken).ConfigureAwait(false) ?? throw new MemoryNotFoundException(request.Tenant, id));
            }
        }
        else
        {
            targets.AddRange(await tx.ListSubjectAsync(request.Tenant, request.Subject!, cancellationToken).ConfigureAwait(false));
        }

        // The memories derived only from purged ones go with them; a memory already purged was handled by its purge.
        var work = targets.Where(r => !IsPurged(r)).ToList();
        var included = work.Select(r => r.Id).ToHashSet();
        var derived = new List<Guid>();
        for (var i = 0; i < work.Count; i++)
        {
            if (work[i].SupersededBy is { } nextId
                && !included.Contains(nextId)
                && await tx.GetAsync(request.Tenant, nextId, cancellationToken).ConfigureAwait(false) is { } next
                && !IsPurged(next)
                && IsDerivedOnlyFrom(next, work[i]))
            {
                work.Add(next);
                included.Add(next.Id);
                derived.Add(next.Id);
            }
        }

        foreach (var record in work)
        {
            if (await tx.FindActiveLegalHoldAsync(record.Tenant, record.Id, record.Subject, cancellationToken).ConfigureAwait(false) is { } hold)
            {
                throw Held(record, hold, "purged");
            }
        }

        var now = Now();
        var payloadHashes = new List<string>();
        var tokens = new SortedSet<string>(StringComparer.Ordinal);
        int payloads = 0, embeddings = 0, fullText = 0;
        foreach (var record in work.OrderBy(r => r.Id))
        {
            // The writers' lock is held: the committed history read here is the whole history.
            await foreach (var e in ReadEventsAsync(record.Tenant, record.Id, cancellationToken).ConfigureAwait(false))
            {
                if (e.Payload is not null)
                {
                    payloadHashes.Add(e.PayloadHash);
                    AddTokens(tokens, e.Payload);
                }
            }

            AddTokens(tokens, record.Value.Text);
            var removed = await tx.RemoveContentAsync(record.Tenant, record.Id, cancellationToken).ConfigureAwait(false);
            payloads += removed.EventPayloads;
            embeddings += removed.Embeddings;
            fullText += removed.FullTextRows;
            await AppendAsync(tx, MemoryEventType.Deleted, Tombstone(record, request, now), request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        }

        if (request.Subject is not null && work.Count > 0)
        {
            tokens.UnionWith(await tx.ListVaultTokensAsync(request.Tenant, request.Subject, cancellationToken).ConfigureAwait(false));
        }

        var deletedTokens = tokens.Count == 0 ? [] : await tx.DeleteUnreferencedVaultTokensAsync(request.Tenant, tokens, cancellationToken).ConfigureAwait(false);
        var head = await tx.GetHeadAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        var attestation = new MemoryDeletionAttestation
        {
            Id = MonotonicUuidV7.Create(now),
            Tenant = request.Tenant,
            Reason = request.Reason,
            Actor = request.Actor,
            PurgedAt = now,
            MemoryIds = work.Select(r => r.Id).Order().ToList(),
            DerivedIds = derived.Order().ToList(),
            PayloadHashes = payloadHashes,
            VaultTokenHashes = deletedTokens.Select(MemoryEventChain.Sha256Hex).Order(StringComparer.Ordinal).ToList(),
            Counts = new MemoryDeletionCounts
            {
                Records = work.Count,
                EventPayloads = payloads,
                Embeddings = embeddings,
                FullTextRows = fullText,
                VaultTokens = deletedTokens.Count,
                DerivedMemories = derived.Count,
            },
            ChainHead = FormatChainHead(head),
        };
        if (Options.AttestationSigner is { } signer)
        {
            attestation = signer.Sign(attestation);
        }

        await tx.SaveAttestationAsync(attestation, MemoryAttestationJson.Serialize(attestation), cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogPurged(request.Tenant, attestation.Id, work.Count, derived.Count, attestation.Signature is not null);
        return attestation;
    }

    /// <summary>
    /// Checks that nothing in this store still holds content an attestation says was purged: each memory is a tombstone,
    /// no event of theirs has a payload but the tombstone, no projection text, full-text entry, embedding or vault row of
    /// a deleted token is left, every listed payload hash is still in the chain, the chain head the attestation names is
    /// in the log, and the tenant's chain verifies.
    /// </summary>
    /// <param name="attestation">The attestation.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The problems found; empty when the purge holds.</returns>
    internal async Task<IReadOnlyList<string>> CheckPurgeAsync(MemoryDeletionAttestation attestation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        MemoryRequestValidator.Tenant(attestation.Tenant);
        var problems = new List<string>();
        var tenant = attestation.Tenant;
        IReadOnlyList<Guid> withText, withFullText, withEmbeddings;
        IReadOnlyList<string> vaultTokens;
        var tx = await BeginTransactionAsync(tenant, cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            (withText, withFullText, withEmbeddings) = await tx.FindPurgeResidueAsync(tenant, attestation.MemoryIds, cancellationToken).ConfigureAwait(false);
            vaultTokens = attestation.VaultTokenHashes.Count == 0 ? [] : await tx.ListVaultTokensAsync(tenant, null, cancellationToken).ConfigureAwait(false);
        }

        var records = (await LoadManyAsync(tenant, attestation.MemoryIds, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Id);
        var hashesInLog = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in attestation.MemoryIds)
        {
            if (!records.TryGetValue(id, out var record))
            {
                problems.Add($"memory {id} is not in tenant '{tenant}' of this store: check that you verify against the store the purge ran on");
                continue;
            }

            if (!IsTombstone(record))
            {
                problems.Add($"memory {id} still has content (status {MemoryJson.EnumName(record.Status)}): its record is not a purge tombstone");
            }

            await foreach (var e in ReadEventsAsync(tenant, id, cancellationToken).ConfigureAwait(false))
            {
                hashesInLog.Add(e.PayloadHash);
                if (e.Payload is not null && !IsTombstonePayload(e.Payload))
                {
                    problems.Add($"event {e.Sequence} ({MemoryJson.EnumName(e.EventType)}) of memory {id} still has its payload");
                }
            }
        }

        problems.AddRange(withText.Select(id => $"memory {id} still has text in the memory_objects row"));
        problems.AddRange(withFullText.Select(id => $"memory {id} still has a full-text index entry"));
        problems.AddRange(withEmbeddings.Select(id => $"memory {id} still has embeddings"));
        var deletedTokens = attestation.VaultTokenHashes.ToHashSet(StringComparer.Ordinal);
        problems.AddRange(vaultTokens
            .Select(MemoryEventChain.Sha256Hex)
            .Where(deletedTokens.Contains)
            .Select(hash => $"the vault still holds a deleted token (sha-256 {hash})"));
        problems.AddRange(attestation.PayloadHashes
            .Where(hash => !hashesInLog.Contains(hash))
            .Select(hash => $"payload hash {hash} is not on any event of the purged memories: the log lost or changed an event"));

        var head = attestation.ChainHead;
        var headFound = false;
        await foreach (var e in ReadEventsAsync(tenant, null, cancellationToken).ConfigureAwait(false))
        {
            if (FormatChainHead(new ChainHead(e.Sequence, e.Hash)) == head)
            {
                headFound = true;
                break;
            }
        }

        if (!headFound)
        {
            problems.Add($"the chain head after the purge ({head}) is not an event of tenant '{tenant}': the log was rewritten");
        }

        var verification = await VerifyAsync(tenant, cancellationToken).ConfigureAwait(false);
        if (!verification.IsValid && verification.FirstBrokenLink is { } link)
        {
            problems.Add($"the hash chain of tenant '{tenant}' breaks at sequence {link.Sequence}: {link.Problem}");
        }

        return problems;
    }

    private static bool IsTombstone(MemoryRecord record) =>
        IsPurged(record) && record.Value.Structured is null && record.Metadata.Count == 0 && !record.Provenance.HasEvidence;

    private static bool IsTombstonePayload(string payload)
    {
        try
        {
            return IsTombstone(MemoryJson.DeserializeRecord(payload));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether a record is a purge's tombstone: deleted, with no text left.</summary>
    /// <param name="record">The record.</param>
    /// <returns>Whether its content was purged.</returns>
    internal static bool IsPurged(MemoryRecord record) => record.Status == MemoryStatus.Deleted && record.Value.Text.Length == 0;

    /// <summary>Formats a chain head the way attestations record it: <c>sequence:hash</c>.</summary>
    internal static string FormatChainHead(ChainHead head) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{head.Sequence}:{head.Hash}");

    /// <summary>
    /// The derived rule, kept conservative: a memory is derived only from a purged one when it is the version that
    /// superseded it and all its evidence (at least one item) is evidence the purged memory had. A version that brought
    /// its own evidence, or none at all (a person's correction), stands on its own and stays.
    /// </summary>
    private static bool IsDerivedOnlyFrom(MemoryRecord candidate, MemoryRecord purged)
    {
        var evidence = candidate.Provenance;
        var source = purged.Provenance;
        return candidate.Supersedes == purged.Id
            && evidence.HasEvidence
            && evidence.MessageIds.All(i => source.MessageIds.Contains(i, StringComparer.Ordinal))
            && evidence.ToolCallIds.All(i => source.ToolCallIds.Contains(i, StringComparer.Ordinal))
            && evidence.FileHashes.All(i => source.FileHashes.Contains(i, StringComparer.Ordinal))
            && evidence.QuotedSpans.All(i => source.QuotedSpans.Contains(i, StringComparer.Ordinal));
    }

    /// <summary>What is left of a purged record: who, where, when and the hashes, without any content.</summary>
    private static MemoryRecord Tombstone(MemoryRecord record, MemoryPurgeRequest request, DateTimeOffset now) => record with
    {
        Value = new MemoryValue(string.Empty),
        Provenance = new MemoryProvenance { SourceKind = record.Provenance.SourceKind },
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal),
        Status = MemoryStatus.Deleted,
        DeletionReason = request.Reason,
        ValidTo = record.ValidTo ?? now,
        Actor = request.Actor,
        UpdatedAt = now,
        Version = record.Version + 1,
    };

    private static void AddTokens(SortedSet<string> tokens, string text)
    {
        foreach (Match match in VaultToken().Matches(text))
        {
            tokens.Add(match.Value);
        }
    }

    [GeneratedRegex(@"\[\[tok:[a-z0-9_]+:[0-9a-z]{26}\]\]", RegexOptions.CultureInvariant)]
    private static partial Regex VaultToken();

    private static MemoryException Held(MemoryRecord record, string holdId, string operation) =>
        new(MemoryErrorCode.LegalHold, $"Memory {record.Id} is under legal hold '{holdId}'; it cannot be {operation} until the hold is released.");

    [LoggerMessage(301, LogLevel.Debug, "Expired memory {MemoryId} in tenant {Tenant}.")]
    private partial void LogExpired(string tenant, Guid memoryId);

    [LoggerMessage(302, LogLevel.Information, "Purged {Records} memories ({Derived} derived) in tenant {Tenant}; attestation {AttestationId}, signed: {Signed}.")]
    private partial void LogPurged(string tenant, Guid attestationId, int records, int derived, bool signed);
}
