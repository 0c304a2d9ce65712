using SkMemory.Capture;
using SkMemory.Tests;

namespace SkMemory.Postgres.Tests;

/// <summary>Capture end to end on a real Postgres server: offline extraction, the gate, supersede, replay and job status.</summary>
public sealed class PostgresCaptureTests(PostgresFixture fixture)
{
    private static readonly DateTimeOffset SessionOne = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SessionTwo = new(2023, 6, 2, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_two_session_conversation_is_captured_once_with_the_changed_address_superseded()
    {
        using var embeddings = new TestEmbeddingGenerator();
        using var store = await fixture.OpenStoreAsync(options => options.EmbeddingGenerator = embeddings, cancellationToken: Ct);
        var pipeline = new MemoryCapturePipeline(store, new RuleBasedMemoryExtractor());
        var conversation = new MemoryExtractionRequest
        {
            Tenant = "acme",
            Subject = "ana",
            Messages =
            [
                new MemoryMessage { Id = "s1:1", Speaker = "Ana", Text = "My shipping address is Rua Augusta 1, Lisbon.", ObservedAt = SessionOne },
                new MemoryMessage { Id = "s1:2", Speaker = "Ana", Text = "I'm in a hurry today, so keep it short.", ObservedAt = SessionOne.AddMinutes(1) },
                new MemoryMessage { Id = "s2:1", Speaker = "Ana", Text = "My shipping address is now 22 Baker Street, London.", ObservedAt = SessionTwo },
            ],
        };

        var job = await pipeline.IngestAsync(conversation, cancellationToken: Ct);

        Assert.Equal(MemoryIngestionJobState.Completed, job.State);
        Assert.Contains(job.Rejections, r => r.Reason == MemoryRejectionReason.Transient && r.Candidate?.Evidence.MessageIds.SequenceEqual(["s1:2"]) == true);
        Assert.Equal(1, job.Counts.Superseded);
        var addresses = (await store.ReadAsync(new MemoryQuery { Tenant = "acme", Subject = "ana", Types = [MemoryTypes.Asset] }, Ct)).Items;
        var current = Assert.Single(addresses);
        Assert.Contains("22 Baker Street", current.Value.Text, StringComparison.Ordinal);
        Assert.Equal(["s2:1"], current.Provenance.MessageIds);
        var old = await store.GetAsync("acme", current.Supersedes!.Value, Ct);
        Assert.Contains("Rua Augusta 1", old!.Value.Text, StringComparison.Ordinal);
        Assert.Equal(MemoryStatus.Superseded, old.Status);
        Assert.Equal(SessionTwo, old.ValidTo);

        var events = (await store.VerifyAsync("acme", Ct)).EventCount;
        var replay = await pipeline.IngestAsync(conversation, cancellationToken: Ct);
        Assert.Equal(3, replay.Counts.Replayed);
        Assert.Equal(0, replay.Counts.Candidates);
        Assert.Equal(events, (await store.VerifyAsync("acme", Ct)).EventCount);

        var status = await pipeline.GetJobAsync("acme", job.Id, Ct);
        Assert.Equal(job.Counts, status!.Counts);
        Assert.Equal(["extract", "gate", "evolve"], status.Stages.Select(s => s.Name));
    }
}
