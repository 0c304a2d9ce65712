using SkMemory.Governance.Review;

namespace SkMemory.Tests.Conformance;

/// <summary>Writes held for review: nothing is stored until a reviewer approves; a rejection writes nothing.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public virtual async Task Review_HeldWrite_IsNotStored_UntilApproved_AsItsOriginalActor()
    {
        var canonical = await NewStoreAsync();
        var tenant = NewTenant();
        var store = (ReviewingMemoryStore)new MemoryStoreBuilder(canonical)
            .UseReview(new MemoryReviewPolicy { HoldTypes = [MemoryTypes.Preference], HoldActorKinds = [MemoryActorKind.Agent] })
            .Build();
        var reviews = Assert.IsAssignableFrom<IMemoryReviewStore>(store.GetService(typeof(IMemoryReviewStore)));

        var held = await store.WriteAsync(Note(tenant, "Ana prefers window seats", type: MemoryTypes.Preference) with { Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m-1"] } }, Ct);
        var passed = await store.WriteAsync(Note(tenant, "Ana lives in Porto"), Ct);

        Assert.Equal(MemoryWriteOutcome.HeldForReview, held.Outcome);
        Assert.Equal(0, held.Record.Version);
        Assert.Equal(MemoryWriteOutcome.Created, passed.Outcome);
        Assert.Equal([passed.Record.Id], (await canonical.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct)).Items.Select(r => r.Id));
        var item = Assert.Single(await reviews.ListAsync(tenant, MemoryReviewState.Pending, Ct));
        Assert.Equal((held.Record.Id, "type 'preference' is held for review", "Ana prefers window seats", "m-1"), (item.Id, item.Rule, item.Request.Value.Text, item.Request.Provenance.MessageIds[0]));

        var reviewer = MemoryActor.User("lead");
        var approved = await store.ApproveAsync(tenant, item.Id, reviewer, "checked with Ana", Ct);

        Assert.Equal(MemoryWriteOutcome.Created, approved.Outcome);
        Assert.Equal(("Ana prefers window seats", "ana"), (approved.Record.Value.Text, approved.Record.Actor.Id));
        var created = Assert.Single(await canonical.GetHistoryAsync(tenant, approved.Record.Id, Ct));
        Assert.Equal("approved by user:lead: checked with Ana", created.Reason);
        var decided = Assert.IsType<MemoryReviewItem>(await reviews.GetAsync(tenant, item.Id, Ct));
        Assert.Equal((MemoryReviewState.Approved, reviewer, "checked with Ana", approved.Record.Id), (decided.State, decided.DecidedBy, decided.DecisionReason, decided.MemoryId));
        Assert.Empty(await reviews.ListAsync(tenant, MemoryReviewState.Pending, Ct));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.ApproveAsync(tenant, item.Id, reviewer, "again", Ct));
    }

    [Fact]
    public virtual async Task Review_RejectedWrite_WritesNothing_AndKeepsTheDecision()
    {
        var canonical = await NewStoreAsync();
        var tenant = NewTenant();
        var store = (ReviewingMemoryStore)new MemoryStoreBuilder(canonical).UseReview(new MemoryReviewPolicy { HoldBelowConfidence = 0.5 }).Build();
        var reviews = (IMemoryReviewStore)store.GetService(typeof(IMemoryReviewStore))!;

        var held = await store.WriteAsync(Note(tenant, "Ana might like jazz") with { Confidence = 0.3 }, Ct);
        Assert.Equal(MemoryWriteOutcome.HeldForReview, held.Outcome);

        await Assert.ThrowsAsync<MemoryValidationException>(() => store.RejectAsync(tenant, held.Record.Id, MemoryActor.User("lead"), " ", Ct));
        await store.RejectAsync(tenant, held.Record.Id, MemoryActor.User("lead"), "a guess, not a fact", Ct);

        Assert.Empty((await canonical.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct)).Items);
        var item = (await reviews.GetAsync(tenant, held.Record.Id, Ct))!;
        Assert.Equal((MemoryReviewState.Rejected, "a guess, not a fact", (Guid?)null), (item.State, item.DecisionReason, item.MemoryId));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => store.ApproveAsync(tenant, held.Record.Id, MemoryActor.User("lead"), "changed my mind", Ct));
        Assert.Null(await reviews.GetAsync(NewTenant(), held.Record.Id, Ct));
        Assert.Empty((await canonical.ReadAsync(new MemoryQuery { Tenant = tenant }, Ct)).Items);
    }

    [Fact]
    public virtual async Task Review_Approval_AfterTheSubjectRevokedConsent_IsRefused_AndTwoApprovalsWriteOnce()
    {
        var canonical = await NewStoreAsync();
        var tenant = NewTenant();
        var store = (ReviewingMemoryStore)new MemoryStoreBuilder(canonical).UseReview(new MemoryReviewPolicy { HoldTypes = [MemoryTypes.Fact] }).Build();
        var consents = (IMemoryConsentStore)store.GetService(typeof(IMemoryConsentStore))!;
        var forAna = await store.WriteAsync(Note(tenant, "Ana takes the 8:10 train"), Ct);
        var forBo = await store.WriteAsync(Note(tenant, "Bo takes the 9:40 train", subject: "bo"), Ct);
        await consents.SetAsync(new MemoryConsent { Tenant = tenant, Subject = "ana", Scope = MemoryScopeKind.Personal, State = MemoryConsentState.Revoked, Purpose = "assistant memory", ChangedAt = Clock.GetUtcNow(), ChangedBy = MemoryActor.User("ana") }, Ct);

        var refused = await Assert.ThrowsAsync<MemoryException>(() => store.ApproveAsync(tenant, forAna.Record.Id, MemoryActor.User("lead"), "looks right", Ct));
        Assert.Equal(MemoryErrorCode.ConsentRequired, refused.Code);
        Assert.Empty((await canonical.ReadAsync(new MemoryQuery { Tenant = tenant, Subject = "ana" }, Ct)).Items);

        var approvals = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ApproveOrNullAsync()));
        Assert.Single((await canonical.ReadAsync(new MemoryQuery { Tenant = tenant, Subject = "bo" }, Ct)).Items);
        Assert.Contains(approvals, a => a is not null);

        async Task<MemoryWriteResult?> ApproveOrNullAsync()
        {
            try
            {
                return await store.ApproveAsync(tenant, forBo.Record.Id, MemoryActor.User("lead"), "checked", Ct);
            }
            catch (MemoryNotFoundException)
            {
                return null; // another approval decided it first
            }
        }
    }
}
