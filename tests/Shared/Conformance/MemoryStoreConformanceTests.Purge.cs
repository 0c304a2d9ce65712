using System.Security.Cryptography;
using System.Text;
using SkMemory.Governance;

namespace SkMemory.Tests.Conformance;

/// <summary>Expiry, legal holds, purge (verifiable deletion) and its attestation.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task ExpireAsync_ActiveMemory_LeavesReadsAndSearchAndRecordsAnEvent()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var kept = await CreateAsync(store, tenant, "Ana drinks oat milk in her coffee");
        var record = await CreateAsync(store, tenant, "Ana drinks almond milk at breakfast");
        Clock.Advance(TimeSpan.FromMinutes(5));

        var expired = await store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = "retention: 30 days", Actor = MemoryActor.System, ExpectedVersion = 1 }, Ct);

        Assert.Equal(MemoryStatus.Expired, expired.Status);
        Assert.Equal(2, expired.Version);
        Assert.NotNull(expired.ValidTo);
        Assert.Equal(record.Value, expired.Value);
        Assert.Equal(expired, await store.GetAsync(tenant, record.Id, Ct));
        var history = await store.GetHistoryAsync(tenant, record.Id, Ct);
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Expired], history.Select(e => e.EventType));
        Assert.Equal("retention: 30 days", history[^1].Reason);
        Assert.Equal(MemoryActor.System, history[^1].Actor);

        var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct);
        Assert.Equal([kept.Id], page.Items.Select(r => r.Id));
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "almond milk breakfast", Mode = mode }, Ct);
            Assert.DoesNotContain(hits, h => h.Record.Id == record.Id);
        }

        Assert.Contains(await ReadAllAsync(store, AllStatuses(tenant)), r => r.Id == record.Id && r.Status == MemoryStatus.Expired);
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
    }

    [Fact]
    public virtual async Task ExpireAsync_StaleVersionOrNotActive_IsRefused()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's locker code is 4411");
        var request = new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = "retention", Actor = MemoryActor.System };

        var stale = await Assert.ThrowsAsync<MemoryConcurrencyException>(() => store.ExpireAsync(request with { ExpectedVersion = 7 }, Ct));
        Assert.Equal(MemoryErrorCode.VersionConflict, stale.Code);
        await store.ExpireAsync(request, Ct);
        var again = await Assert.ThrowsAsync<MemoryConflictException>(() => store.ExpireAsync(request, Ct));
        Assert.Equal(MemoryErrorCode.InvalidState, again.Code);
        var missing = await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.ExpireAsync(request with { Id = Guid.NewGuid() }, Ct));
        Assert.Equal(MemoryErrorCode.NotFound, missing.Code);
        await AssertRejectedAsync(store, "reason", () => store.ExpireAsync(request with { Reason = " " }, Ct));
        Assert.Equal(2, (await store.GetHistoryAsync(tenant, record.Id, Ct)).Count);
    }

    [Fact]
    public virtual async Task ExpireAsync_UnderLegalHold_IsRefusedUntilReleased()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var byId = await CreateAsync(store, tenant, "Ana signed the lease on May 2", subject: "ana");
        var bySubject = await CreateAsync(store, tenant, "Bob signed the lease on May 3", subject: "bob");
        await PlaceHoldAsync(store, tenant, "hold-1", memoryId: byId.Id);
        await PlaceHoldAsync(store, tenant, "hold-2", subject: "bob");
        await PlaceHoldAsync(store, tenant, "hold-released", subject: "ana", released: true);

        foreach (var record in new[] { byId, bySubject })
        {
            var error = await Assert.ThrowsAsync<MemoryException>(() => store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = "retention", Actor = MemoryActor.System }, Ct));
            Assert.Equal(MemoryErrorCode.LegalHold, error.Code);
            Assert.Contains("hold", error.Message, StringComparison.Ordinal);
            Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, record.Id, Ct))!.Status);
        }

        await QuerySqlAsync(store, "UPDATE {s}memory_legal_holds SET released_at = @at WHERE tenant = @tenant AND id = @id", ("at", Clock.GetUtcNow()), ("tenant", tenant), ("id", "hold-1"));
        var expired = await store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = byId.Id, Reason = "retention", Actor = MemoryActor.System }, Ct);
        Assert.Equal(MemoryStatus.Expired, expired.Status);
    }

    [Fact]
    public virtual async Task PurgeAsync_OneMemory_RemovesContentEverywhereAndTheChainStillVerifies()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var kept = await CreateAsync(store, tenant, "Ana drinks oat milk in her coffee");
        var record = await CreateAsync(store, Note(tenant, "Ana's passport number is X1234567") with
        {
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1"], QuotedSpans = ["my passport is X1234567"] },
            Metadata = new Dictionary<string, string> { ["source"] = "passport scan" },
        });
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana's passport number is X7654321 (renewed)" }, Ct);
        var before = await store.GetHistoryAsync(tenant, record.Id, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "GDPR erasure request #12", Actor = MemoryActor.User("dpo") }, Ct);

        Assert.Equal(tenant, attestation.Tenant);
        Assert.Equal([record.Id], attestation.MemoryIds);
        Assert.Empty(attestation.DerivedIds);
        Assert.Equal(before.Select(e => e.PayloadHash), attestation.PayloadHashes);
        Assert.Equal(new MemoryDeletionCounts { Records = 1, EventPayloads = 2, Embeddings = 1, FullTextRows = 1 }, attestation.Counts);
        Assert.Equal("GDPR erasure request #12", attestation.Reason);
        Assert.Equal(MemoryActor.User("dpo"), attestation.Actor);
        Assert.Null(attestation.Signature);
        Assert.Null(attestation.Algorithm);

        var tombstone = await store.GetAsync(tenant, record.Id, Ct);
        Assert.NotNull(tombstone);
        Assert.Equal(MemoryStatus.Deleted, tombstone.Status);
        Assert.Equal(string.Empty, tombstone.Value.Text);
        Assert.Null(tombstone.Value.Structured);
        Assert.Empty(tombstone.Metadata);
        Assert.False(tombstone.Provenance.HasEvidence);
        Assert.Equal("GDPR erasure request #12", tombstone.DeletionReason);
        Assert.Equal((record.Id, record.Subject, record.Type, record.CreatedAt), (tombstone.Id, tombstone.Subject, tombstone.Type, tombstone.CreatedAt));
        Assert.Equal(3, tombstone.Version);

        var history = await store.GetHistoryAsync(tenant, record.Id, Ct);
        Assert.Equal([MemoryEventType.Created, MemoryEventType.Updated, MemoryEventType.Deleted], history.Select(e => e.EventType));
        Assert.All(history.Take(2), e => Assert.Null(e.Payload));
        Assert.Equal(before.Select(e => (e.Hash, e.PayloadHash)), history.Take(2).Select(e => (e.Hash, e.PayloadHash)));
        Assert.Equal(tombstone, history[^1].ReadRecord());
        Assert.DoesNotContain("X7654321", history[^1].Payload!, StringComparison.Ordinal);
        Assert.Equal($"{history[^1].Sequence}:{history[^1].Hash}", attestation.ChainHead);

        Assert.Equal([kept.Id], (await store.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct)).Items.Select(r => r.Id));
        Assert.DoesNotContain(await ReadAllAsync(store, AllStatuses(tenant)), r => r.Value.Text.Contains("passport", StringComparison.Ordinal));
        foreach (var mode in new[] { MemorySearchMode.Hybrid, MemorySearchMode.Text, MemorySearchMode.Vector })
        {
            var hits = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "passport number renewed", Mode = mode }, Ct);
            Assert.DoesNotContain(hits, h => h.Record.Id == record.Id);

            // Asking for deleted memories too may find the tombstone next to a hit, never its content.
            var any = await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "passport number renewed", Mode = mode, Statuses = Enum.GetValues<MemoryStatus>() }, Ct);
            Assert.All(any, h => Assert.DoesNotContain("passport", h.Record.Value.Text, StringComparison.Ordinal));
            Assert.DoesNotContain(any, h => h.Record.Id == record.Id && h.Breakdown.LexicalRank is not null);
        }

        Assert.Empty(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", record.Id)));
        Assert.NotEmpty(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", kept.Id)));
        var stored = await QuerySqlAsync(store, "SELECT attestation FROM {s}memory_attestations WHERE tenant = @tenant AND id = @id", ("tenant", tenant), ("id", attestation.Id.ToString("D")));
        Assert.Equal(attestation, MemoryAttestationJson.Deserialize((string)Assert.Single(stored)[0]!), AttestationComparer.Instance);
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
        var verification = await MemoryAttestationVerifier.VerifyAsync(attestation, store, publicKeyPem: null, Ct);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
        Assert.True(verification.StoreChecked);
        Assert.False(verification.SignatureChecked);
        Assert.Equal(MemoryStatus.Active, (await store.GetAsync(tenant, kept.Id, Ct))!.Status);
    }

    [Fact]
    public virtual async Task PurgeAsync_Subject_PurgesEveryStatusAndLeavesOtherSubjects()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var ana = await CreateAsync(store, tenant, "Ana lives in Lisbon", subject: "ana");
        var active = await CreateAsync(store, tenant, "Bob lives in Porto", subject: "bob");
        var old = await CreateAsync(store, tenant, "Bob works at Contoso", subject: "bob");
        var next = (await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = old.Id, Actor = MemoryActor.User("bob"), Value = "Bob works at Fabrikam" }, Ct)).Current;
        var deleted = await CreateAsync(store, tenant, "Bob's cat is called Miso", subject: "bob");
        await store.DeleteAsync(new MemoryDeleteRequest { Tenant = tenant, Id = deleted.Id, Reason = "wrong", Actor = MemoryActor.User("bob") }, Ct);
        var expired = await CreateAsync(store, tenant, "Bob was in Madrid last week", subject: "bob");
        await store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = expired.Id, Reason = "retention", Actor = MemoryActor.System }, Ct);
        await CreateAsync(store, tenant, "Bob lives in Porto", subject: "bobby");

        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Subject = "bob", Reason = "account closed", Actor = MemoryActor.System }, Ct);

        Guid[] bob = [active.Id, old.Id, next.Id, deleted.Id, expired.Id];
        Assert.Equal(bob.Order(), attestation.MemoryIds);
        Assert.Equal(5, attestation.Counts.Records);
        Assert.Equal(8, attestation.Counts.EventPayloads);
        foreach (var id in bob)
        {
            var tombstone = (await store.GetAsync(tenant, id, Ct))!;
            Assert.Equal((MemoryStatus.Deleted, string.Empty, "account closed"), (tombstone.Status, tombstone.Value.Text, tombstone.DeletionReason));
            Assert.All((await store.GetHistoryAsync(tenant, id, Ct)).SkipLast(1), e => Assert.Null(e.Payload));
        }

        Assert.Equal("Ana lives in Lisbon", (await store.GetAsync(tenant, ana.Id, Ct))!.Value.Text);
        var survivors = await ReadAllAsync(store, new MemoryQuery { Tenant = tenant });
        Assert.Equal(["ana", "bobby"], survivors.Select(r => r.Subject).Order(StringComparer.Ordinal));
        Assert.Single(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "Porto", Mode = MemorySearchMode.Text }, Ct));
        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
        Assert.True((await MemoryAttestationVerifier.VerifyAsync(attestation, store, null, Ct)).IsValid);
    }

    [Fact]
    public virtual async Task PurgeAsync_VaultTokens_DeletesTokensNoSurvivingMemoryHolds()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var only = VaultToken("email", 'a');
        var shared = VaultToken("phone", 'b');
        var subjectRow = VaultToken("iban", 'c');
        var unrelated = VaultToken("email", 'd');
        var purged = await CreateAsync(store, tenant, $"Bob's email is {only} and his phone {shared}", subject: "bob");
        var survivor = await CreateAsync(store, tenant, $"Call Bob at {shared}", subject: "carol");
        await CreateAsync(store, tenant, $"Dan's email is {unrelated}", subject: "dan");
        foreach (var (token, subject) in new[] { (only, "bob"), (shared, "bob"), (subjectRow, "bob"), (unrelated, "dan") })
        {
            await QuerySqlAsync(
                store,
                "INSERT INTO {s}memory_vault (tenant, token, kind, subject, value, created_at) VALUES (@tenant, @token, 'email', @subject, 'secret', @at)",
                ("tenant", tenant), ("token", token), ("subject", subject), ("at", Clock.GetUtcNow()));
        }

        var first = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [purged.Id], Reason = "erasure", Actor = MemoryActor.System }, Ct);

        Assert.Equal(1, first.Counts.VaultTokens);
        Assert.Equal([Sha256(only)], first.VaultTokenHashes);
        Assert.Equal(new[] { shared, subjectRow, unrelated }.Order(StringComparer.Ordinal), await VaultTokensAsync(store, tenant));
        Assert.Contains(shared, (await store.GetAsync(tenant, survivor.Id, Ct))!.Value.Text, StringComparison.Ordinal);

        // A subject purge also deletes the subject's own vault rows, and the shared token once its last holder goes.
        var second = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Subject = "carol", Reason = "erasure", Actor = MemoryActor.System }, Ct);
        Assert.Equal([Sha256(shared)], second.VaultTokenHashes);
        var third = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Subject = "bob", Reason = "erasure", Actor = MemoryActor.System }, Ct);
        Assert.Empty(third.MemoryIds);
        Assert.Empty(third.VaultTokenHashes);
        Assert.Equal(new[] { subjectRow, unrelated }.Order(StringComparer.Ordinal), await VaultTokensAsync(store, tenant));
        await CreateAsync(store, tenant, "Bob has a new address", subject: "bob");
        var fourth = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Subject = "bob", Reason = "erasure", Actor = MemoryActor.System }, Ct);
        Assert.Equal([Sha256(subjectRow)], fourth.VaultTokenHashes);
        Assert.Equal([unrelated], await VaultTokensAsync(store, tenant));
        foreach (var attestation in new[] { first, second, third, fourth })
        {
            var verification = await MemoryAttestationVerifier.VerifyAsync(attestation, store, null, Ct);
            Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
        }
    }

    [Fact]
    public virtual async Task PurgeAsync_VersionDerivedOnlyFromThePurgedOne_IsPurgedWithIt()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m1"], QuotedSpans = ["I moved to Berlin"] };
        var source = await CreateAsync(store, Note(tenant, "Ana lives in Berlin") with { Provenance = evidence });
        var derived = (await store.SupersedeAsync(new MemorySupersedeRequest { Tenant = tenant, Id = source.Id, Actor = MemoryActor.Agent("extractor"), Value = "Ana lives in Berlin, Germany" }, Ct)).Current;
        var ownEvidence = (await store.SupersedeAsync(new MemorySupersedeRequest
        {
            Tenant = tenant,
            Id = derived.Id,
            Actor = MemoryActor.User("ana"),
            Value = "Ana lives in Hamburg",
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m9"] },
        }, Ct)).Current;
        var otherSource = await CreateAsync(store, Note(tenant, "Ana's dog is Rex") with { Provenance = evidence });
        var correction = (await store.SupersedeAsync(new MemorySupersedeRequest
        {
            Tenant = tenant,
            Id = otherSource.Id,
            Actor = MemoryActor.User("ana"),
            Value = "Ana's dog is Max",
            Provenance = MemoryProvenance.Manual,
        }, Ct)).Current;

        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [source.Id, otherSource.Id], Reason = "wrong person", Actor = MemoryActor.User("dpo") }, Ct);

        Assert.Equal(new[] { source.Id, derived.Id, otherSource.Id }.Order(), attestation.MemoryIds);
        Assert.Equal([derived.Id], attestation.DerivedIds);
        Assert.Equal(1, attestation.Counts.DerivedMemories);
        Assert.Equal(string.Empty, (await store.GetAsync(tenant, derived.Id, Ct))!.Value.Text);
        Assert.Equal("Ana lives in Hamburg", (await store.GetAsync(tenant, ownEvidence.Id, Ct))!.Value.Text);
        Assert.Equal("Ana's dog is Max", (await store.GetAsync(tenant, correction.Id, Ct))!.Value.Text);
        Assert.True((await MemoryAttestationVerifier.VerifyAsync(attestation, store, null, Ct)).IsValid);
    }

    [Fact]
    public virtual async Task PurgeAsync_UnderLegalHold_IsRefusedAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var free = await CreateAsync(store, tenant, "Ana owes Bob 20 euros", subject: "ana");
        var held = await CreateAsync(store, tenant, "Ana signed the contract", subject: "ana");
        await PlaceHoldAsync(store, tenant, "matter-42", memoryId: held.Id);
        var before = await ExportBytesAsync(store, tenant);

        var error = await Assert.ThrowsAsync<MemoryException>(() => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [free.Id, held.Id], Reason = "erasure", Actor = MemoryActor.System }, Ct));
        Assert.Equal(MemoryErrorCode.LegalHold, error.Code);
        Assert.Contains("matter-42", error.Message, StringComparison.Ordinal);
        var bySubject = await Assert.ThrowsAsync<MemoryException>(() => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Subject = "ana", Reason = "erasure", Actor = MemoryActor.System }, Ct));
        Assert.Equal(MemoryErrorCode.LegalHold, bySubject.Code);

        Assert.Equal(Lines(before.Bytes).Skip(1), Lines((await ExportBytesAsync(store, tenant)).Bytes).Skip(1));
        Assert.NotEmpty(await QuerySqlAsync(store, "SELECT model FROM {s}memory_embeddings WHERE memory_id = @id", ("id", free.Id)));
        Assert.Empty(await QuerySqlAsync(store, "SELECT id FROM {s}memory_attestations WHERE tenant = @tenant", ("tenant", tenant)));
        Assert.Contains(await store.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "owes Bob", Mode = MemorySearchMode.Text }, Ct), h => h.Record.Id == free.Id);
    }

    [Fact]
    public virtual async Task PurgeAsync_Twice_SecondChangesNothingAndAttestsNothing()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's PIN is 9876");
        var first = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "erasure", Actor = MemoryActor.System }, Ct);
        var events = (await ExportedEventsAsync(store, tenant)).Count;

        var second = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "erasure again", Actor = MemoryActor.System }, Ct);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Empty(second.MemoryIds);
        Assert.Empty(second.PayloadHashes);
        Assert.Equal(new MemoryDeletionCounts(), second.Counts);
        Assert.Equal(first.ChainHead, second.ChainHead);
        Assert.Equal(events, (await ExportedEventsAsync(store, tenant)).Count);
        Assert.Equal("erasure", (await store.GetAsync(tenant, record.Id, Ct))!.DeletionReason);
        Assert.True((await MemoryAttestationVerifier.VerifyAsync(first, store, null, Ct)).IsValid);
        var missing = await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [Guid.NewGuid()], Reason = "erasure", Actor = MemoryActor.System }, Ct));
        Assert.Equal(MemoryErrorCode.NotFound, missing.Code);
        await AssertRejectedAsync(store, "ids", () => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Subject = "ana", Reason = "x", Actor = MemoryActor.System }, Ct));
        await AssertRejectedAsync(store, "ids", () => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Reason = "x", Actor = MemoryActor.System }, Ct));
        await AssertRejectedAsync(store, "ids", () => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [], Reason = "x", Actor = MemoryActor.System }, Ct));
        await AssertRejectedAsync(store, "reason", () => store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "", Actor = MemoryActor.System }, Ct));
    }

    [Fact]
    public virtual async Task PurgeAsync_PurgedTenant_ExportImportRoundTripsAndVerifies()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's salary is 70k");
        await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = record.Id, ExpectedVersion = 1, Actor = MemoryActor.User("ana"), Value = "Ana's salary is 75k" }, Ct);
        var kept = await CreateAsync(store, tenant, "Ana likes jazz");
        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "erasure", Actor = MemoryActor.System }, Ct);
        await CreateAsync(store, tenant, "Ana plays the piano");
        var (bytes, exported) = await ExportBytesAsync(store, tenant);
        Assert.DoesNotContain("salary", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var target = await NewStoreAsync();
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            var imported = await target.ImportAsync(stream, cancellationToken: Ct);
            Assert.Equal((exported.Events, exported.Objects), (imported.Events, imported.Objects));
        }

        Assert.True((await target.VerifyAsync(tenant, Ct)).IsValid);
        Assert.Equal(Lines(bytes).Skip(1), Lines((await ExportBytesAsync(target, tenant)).Bytes).Skip(1));
        Assert.Equal(await store.GetAsync(tenant, record.Id, Ct), await target.GetAsync(tenant, record.Id, Ct));
        Assert.Equal(await ReadAllAsync(store, AllStatuses(tenant)), await ReadAllAsync(target, AllStatuses(tenant)));
        Assert.Single(await target.SearchAsync(new MemorySearchRequest { Tenant = tenant, Text = "jazz", Mode = MemorySearchMode.Vector, Top = 1 }, Ct), h => h.Record.Id == kept.Id);
        var verification = await MemoryAttestationVerifier.VerifyAsync(attestation, target, null, Ct);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
    }

    [Fact]
    public virtual async Task PurgeAsync_WithSigningKey_SignatureVerifiesAndAnyTamperingFails()
    {
        using var signer = MemoryAttestationSigner.Create();
        using var otherKey = MemoryAttestationSigner.Create();
        var store = await NewStoreAsync(o => o.AttestationSigner = signer);
        var tenant = NewTenant();
        var record = await CreateAsync(store, tenant, "Ana's blood type is O-");
        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "erasure", Actor = MemoryActor.System }, Ct);

        Assert.Equal("ES256", attestation.Algorithm);
        Assert.Equal(signer.KeyId, attestation.KeyId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(PemBody(signer.ExportPublicKeyPem())))), signer.KeyId);
        Assert.Null(MemoryAttestationVerifier.CheckSignature(attestation, signer.ExportPublicKeyPem()));
        var roundTripped = MemoryAttestationJson.Deserialize(MemoryAttestationJson.Serialize(attestation, indented: true));
        Assert.Null(MemoryAttestationVerifier.CheckSignature(roundTripped, signer.ExportPublicKeyPem()));
        var verified = await MemoryAttestationVerifier.VerifyAsync(attestation, store, signer.ExportPublicKeyPem(), Ct);
        Assert.True(verified.IsValid && verified.SignatureValid && verified.StoreChecked, string.Join("; ", verified.Problems));

        var wrongKey = await MemoryAttestationVerifier.VerifyAsync(attestation, null, otherKey.ExportPublicKeyPem(), Ct);
        Assert.True(wrongKey.SignatureFailed);
        Assert.Contains("not by the public key given", Assert.Single(wrongKey.Problems), StringComparison.Ordinal);
        var forgedKeyId = attestation with { KeyId = otherKey.KeyId };
        Assert.NotNull(MemoryAttestationVerifier.CheckSignature(forgedKeyId, otherKey.ExportPublicKeyPem()));
        MemoryDeletionAttestation[] tampered =
        [
            attestation with { Reason = "routine cleanup" },
            attestation with { Tenant = NewTenant() },
            attestation with { Actor = MemoryActor.User("mallory") },
            attestation with { PurgedAt = attestation.PurgedAt.AddSeconds(1) },
            attestation with { MemoryIds = [Guid.NewGuid()] },
            attestation with { DerivedIds = [record.Id] },
            attestation with { PayloadHashes = [new string('0', 64)] },
            attestation with { VaultTokenHashes = [new string('1', 64)] },
            attestation with { Counts = attestation.Counts with { Embeddings = 0 } },
            attestation with { ChainHead = "1:" + new string('2', 64) },
            attestation with { Id = Guid.NewGuid() },
            attestation with { Signature = Convert.ToBase64String(new byte[64]) },
            attestation with { Signature = null },
        ];
        foreach (var forged in tampered)
        {
            var problem = MemoryAttestationVerifier.CheckSignature(forged, signer.ExportPublicKeyPem());
            Assert.NotNull(problem);
        }
    }

    [Fact]
    public virtual async Task PurgeAsync_LeftoverContent_IsFoundByTheVerifier()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var token = VaultToken("email", 'e');
        var record = await CreateAsync(store, tenant, $"Ana's email is {token}");
        var other = await CreateAsync(store, tenant, "Ana likes tea");
        await QuerySqlAsync(
            store,
            "INSERT INTO {s}memory_vault (tenant, token, kind, subject, value, created_at) VALUES (@tenant, @token, 'email', 'ana', 'ana@example.com', @at)",
            ("tenant", tenant), ("token", token), ("at", Clock.GetUtcNow()));
        var created = (await store.GetHistoryAsync(tenant, record.Id, Ct))[0];
        var attestation = await store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [record.Id], Reason = "erasure", Actor = MemoryActor.System }, Ct);
        Assert.True((await MemoryAttestationVerifier.VerifyAsync(attestation, store, null, Ct)).IsValid);

        // The payload put back verifies against its hash, so only the purge check can tell it should be gone.
        await TamperEventPayloadAsync(store, tenant, created.Sequence, created.Payload!, Ct);
        await QuerySqlAsync(store, "UPDATE {s}memory_embeddings SET memory_id = @purged WHERE memory_id = @other", ("purged", record.Id), ("other", other.Id));
        await QuerySqlAsync(store, "UPDATE {s}memory_objects SET \"text\" = 'Ana''s email is ana@example.com' WHERE id = @id", ("id", record.Id));
        await QuerySqlAsync(
            store,
            "INSERT INTO {s}memory_vault (tenant, token, kind, subject, value, created_at) VALUES (@tenant, @token, 'email', 'ana', 'ana@example.com', @at)",
            ("tenant", tenant), ("token", token), ("at", Clock.GetUtcNow()));

        Assert.True((await store.VerifyAsync(tenant, Ct)).IsValid);
        var verification = await MemoryAttestationVerifier.VerifyAsync(attestation, store, null, Ct);
        Assert.False(verification.IsValid);
        Assert.Contains(verification.Problems, p => p.Contains($"event {created.Sequence} (created) of memory {record.Id} still has its payload", StringComparison.Ordinal));
        Assert.Contains(verification.Problems, p => p.Contains($"memory {record.Id} still has embeddings", StringComparison.Ordinal));
        Assert.Contains(verification.Problems, p => p.Contains($"memory {record.Id} still has text", StringComparison.Ordinal));
        Assert.Contains(verification.Problems, p => p.Contains("the vault still holds a deleted token", StringComparison.Ordinal));

        var elsewhere = await NewStoreAsync();
        var wrongStore = await MemoryAttestationVerifier.VerifyAsync(attestation, elsewhere, null, Ct);
        Assert.Contains(wrongStore.Problems, p => p.Contains("is not in tenant", StringComparison.Ordinal));
    }

    /// <summary>Places a legal hold by writing its row (the hold store is another component).</summary>
    private async Task PlaceHoldAsync(IMemoryStore store, string tenant, string id, Guid? memoryId = null, string? subject = null, bool released = false) =>
        await QuerySqlAsync(
            store,
            """
            INSERT INTO {s}memory_legal_holds (tenant, id, subject, memory_id, reason, placed_by_kind, placed_by_id, placed_at, released_at)
            VALUES (@tenant, @id, @subject, @memory_id, 'matter 42', 'user', 'counsel', @placed_at, @released_at)
            """,
            ("tenant", tenant),
            ("id", id),
            ("subject", subject),
            ("memory_id", memoryId),
            ("placed_at", Clock.GetUtcNow()),
            ("released_at", released ? Clock.GetUtcNow() : null));

    private static string VaultToken(string kind, char fill) => $"[[tok:{kind}:{new string(fill, 26)}]]";

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string PemBody(string pem) =>
        string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));

    private async Task<List<string>> VaultTokensAsync(IMemoryStore store, string tenant) =>
        (await QuerySqlAsync(store, "SELECT token FROM {s}memory_vault WHERE tenant = @tenant ORDER BY token", ("tenant", tenant))).Select(r => (string)r[0]!).ToList();

    /// <summary>Compares attestations by their JSON (records holding lists compare lists by reference).</summary>
    private sealed class AttestationComparer : IEqualityComparer<MemoryDeletionAttestation>
    {
        public static readonly AttestationComparer Instance = new();

        public bool Equals(MemoryDeletionAttestation? x, MemoryDeletionAttestation? y) =>
            x is not null && y is not null && MemoryAttestationJson.Serialize(x) == MemoryAttestationJson.Serialize(y);

        public int GetHashCode(MemoryDeletionAttestation obj) => MemoryAttestationJson.Serialize(obj).GetHashCode(StringComparison.Ordinal);
    }
}
