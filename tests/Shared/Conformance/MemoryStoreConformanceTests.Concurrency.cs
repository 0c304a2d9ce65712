namespace SkMemory.Tests.Conformance;

/// <summary>Concurrency: parallel writers lose nothing, optimistic concurrency lets one updater win, paging is stable.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    /// <summary>How many tasks write at once in <see cref="ConcurrentWrites_ManyTasksOnOneSubject_StoreEveryRecordOnce"/>.</summary>
    protected const int ConcurrentWriterTasks = 8;

    /// <summary>How many memories each of those tasks writes.</summary>
    protected const int WritesPerWriterTask = 500;

    /// <summary>How many tasks race to update the same version.</summary>
    protected const int RacingUpdaters = 8;

    [Fact]
    public virtual async Task ConcurrentWrites_ManyTasksOnOneSubject_StoreEveryRecordOnce()
    {
        const int Expected = ConcurrentWriterTasks * WritesPerWriterTask;
        var store = await NewStoreAsync();
        var tenant = NewTenant();

        var writers = Enumerable.Range(0, ConcurrentWriterTasks).Select(w => Task.Run(
            async () =>
            {
                var ids = new List<Guid>(WritesPerWriterTask);
                for (var i = 0; i < WritesPerWriterTask; i++)
                {
                    var result = await store.WriteAsync(Note(tenant, $"writer {w} note {i}"), Ct);
                    Assert.Equal(MemoryWriteOutcome.Created, result.Outcome);
                    ids.Add(result.Record.Id);
                }

                return ids;
            },
            Ct));
        var written = (await Task.WhenAll(writers)).SelectMany(ids => ids).ToList();

        Assert.Equal(Expected, written.Count);
        Assert.Equal(Expected, written.Distinct().Count());
        var stored = await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, Subject = "ana", PageSize = MemoryQuery.MaxPageSize });
        Assert.Equal(Expected, stored.Count);
        Assert.Equal(Expected, stored.Select(r => r.Id).Distinct().Count());
        Assert.Equal(written.ToHashSet(), stored.Select(r => r.Id).ToHashSet());
        Assert.Equal(stored.Select(r => r.Id).Order(), stored.Select(r => r.Id));
        Assert.Equal(Expected, stored.Select(r => r.Value.Text).Distinct(StringComparer.Ordinal).Count());

        var verification = await store.VerifyAsync(tenant, Ct);
        Assert.True(verification.IsValid, $"{verification.FirstBrokenLink}");
        Assert.Equal(Expected, verification.EventCount);
    }

    [Fact]
    public virtual async Task ConcurrentUpdates_SameExpectedVersion_ExactlyOneSucceeds()
    {
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var original = await CreateAsync(store, tenant, "Ana's shift starts at 8");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var racers = Enumerable.Range(0, RacingUpdaters).Select(i => Task.Run(
            async () =>
            {
                await start.Task.WaitAsync(Ct);
                try
                {
                    return (Record: await store.UpdateAsync(new MemoryUpdateRequest { Tenant = tenant, Id = original.Id, ExpectedVersion = 1, Actor = MemoryActor.Agent($"racer-{i}"), Value = $"Ana's shift starts at {9 + i}" }, Ct), Error: (MemoryConcurrencyException?)null);
                }
                catch (MemoryConcurrencyException ex)
                {
                    return (Record: (MemoryRecord?)null, Error: ex);
                }
            },
            Ct)).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(racers);

        var winner = Assert.Single(outcomes, o => o.Record is not null).Record!;
        var losers = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.Equal(RacingUpdaters - 1, losers.Count);
        Assert.All(losers, e =>
        {
            Assert.Equal(1, e.ExpectedVersion);
            Assert.Equal(2, e.ActualVersion);
        });
        Assert.Equal(2, winner.Version);
        var stored = await store.GetAsync(tenant, original.Id, Ct);
        Assert.Equal(winner, stored);
        Assert.Equal(2, stored!.Version);
        Assert.Equal(2, (await store.GetHistoryAsync(tenant, original.Id, Ct)).Count);
        Assert.Equal(2, await EventCountAsync(store));
    }

    [Fact]
    public virtual async Task ReadAsync_PagingDuringConcurrentInserts_ReturnsEveryExistingRecordExactlyOnce()
    {
        const int Existing = 100;
        const int Inserted = 100;
        const int PageSize = 10;
        var store = await NewStoreAsync();
        var tenant = NewTenant();
        var existing = new List<Guid>();
        for (var i = 0; i < Existing; i++)
        {
            existing.Add((await CreateAsync(store, tenant, $"existing note {i}")).Id);
        }

        var inserted = new List<Guid>();
        var firstInsert = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inserter = Task.Run(
            async () =>
            {
                for (var i = 0; i < Inserted; i++)
                {
                    var result = await store.WriteAsync(Note(tenant, $"inserted while paging {i}"), Ct);
                    lock (inserted)
                    {
                        inserted.Add(result.Record.Id);
                    }

                    firstInsert.TrySetResult();
                }
            },
            Ct);

        await firstInsert.Task.WaitAsync(Ct);
        var seen = new List<Guid>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await store.ReadAsync(new MemoryQuery { Tenant = tenant, PageSize = PageSize, Cursor = cursor }, Ct);
            Assert.True(page.Items.Count <= PageSize);
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
            await Task.Yield();
        }
        while (cursor is not null && pages < 1000);
        await inserter;

        Assert.Null(cursor);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(existing, id => Assert.Single(seen, s => s == id));
        var known = existing.Concat(inserted).ToHashSet();
        Assert.All(seen, id => Assert.Contains(id, known));
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(Existing + Inserted, (await ReadAllAsync(store, new MemoryQuery { Tenant = tenant, PageSize = PageSize })).Count);
    }
}
