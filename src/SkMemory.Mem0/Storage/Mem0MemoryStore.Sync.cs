using SkMemory.Storage;

namespace SkMemory.Mem0;

/// <content>Pushing canonical changes to Mem0, and reconciling the two.</content>
public sealed partial class Mem0MemoryStore
{
    private const int PageSize = 500;

    // Pushes of one memory are serialized (striped by id, so the number of locks stays fixed), and each push sends the
    // memory's latest canonical state: an older version can never land after a newer one from this process.
    private readonly SemaphoreSlim[] _pushLocks = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>
    /// Brings Mem0 and the canonical mirror back into agreement, losing nothing. Pull: every Mem0 memory is matched to its
    /// canonical memory; a copy whose link was never recorded is relinked, a duplicate or a copy of a memory deleted in
    /// the mirror is removed, a linked copy Mem0 no longer holds is marked for the push, and a memory that exists only in
    /// Mem0 (written there by another client, or the mirror is new) is adopted into the mirror. Push: every canonical
    /// memory whose Mem0 copy is missing, stale or failed is pushed (deleted, expired and purged ones leave Mem0).
    /// </summary>
    public async Task<Mem0ReconcileResult> ReconcileAsync(Mem0ReconcileOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new Mem0ReconcileOptions();
        if (options.Tenant is { } only)
        {
            MemoryRequestValidator.Tenant(only);
        }

        var tally = new Tally();
        if (options.Pull)
        {
            await PullAsync(options, tally, cancellationToken).ConfigureAwait(false);
        }

        if (options.Push)
        {
            var tenants = options.Tenant is { } t ? [t] : await _mirror.GetTenantsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var tenant in tenants)
            {
                await PushTenantAsync(tenant, options.Progress, tally, cancellationToken).ConfigureAwait(false);
            }
        }

        return tally.ToResult();
    }

    /// <summary>Pushes a memory's latest canonical state to Mem0 when the copy is missing or stale.</summary>
    /// <exception cref="Mem0SyncException">Mem0 did not take it; the link keeps the error for reconcile.</exception>
    private async Task PushAsync(MemoryRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await PushLockedAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryException ex) when (ex is not Mem0SyncException)
        {
            await _links.SetFailedAsync(SystemName, record.Tenant, record.Id, ex.Message, _timeProvider.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            LogPushFailed(record.Id, record.Version, ex.Message);
            throw new Mem0SyncException(record, ex);
        }
    }

    /// <returns>Whether anything was sent to Mem0.</returns>
    private async Task<bool> PushLockedAsync(MemoryRecord record, CancellationToken cancellationToken)
    {
        var gate = _pushLocks[(record.Id.GetHashCode() & int.MaxValue) % _pushLocks.Length];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var latest = await _mirror.GetAsync(record.Tenant, record.Id, cancellationToken).ConfigureAwait(false) ?? record;
            var link = await _links.GetAsync(SystemName, record.Tenant, record.Id, cancellationToken).ConfigureAwait(false);
            return await PushAsync(latest, link, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> PushAsync(MemoryRecord record, MemoryExternalLink? link, CancellationToken cancellationToken)
    {
        if (link is { LastError: null } && link.SyncedVersion >= record.Version)
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        if (record.Status is MemoryStatus.Deleted or MemoryStatus.Expired)
        {
            // What the canonical store no longer serves leaves the vendor; the tombstone and the proof stay canonical.
            if (link?.ExternalId is { } gone)
            {
                await DeleteRemoteAsync(gone, cancellationToken).ConfigureAwait(false);
            }

            await _links.SetSyncedAsync(SystemName, record.Tenant, record.Id, link?.ExternalId, record.Version, now, cancellationToken).ConfigureAwait(false);
            LogPushed(record.Id, record.Version, "delete", link?.ExternalId);
            return link?.ExternalId is not null;
        }

        if (link?.ExternalId is { } existing)
        {
            var expiration = Mem0RecordCodec.ExpirationDate(record);
            try
            {
                await _client.UpdateAsync(
                    existing,
                    new Mem0UpdateRequest
                    {
                        Text = record.Value.Text,
                        Metadata = Mem0RecordCodec.Metadata(record),
                        ExpirationDate = expiration,
                        ClearExpirationDate = expiration is null,
                    },
                    cancellationToken).ConfigureAwait(false);
                await _links.SetSyncedAsync(SystemName, record.Tenant, record.Id, existing, record.Version, now, cancellationToken).ConfigureAwait(false);
                LogPushed(record.Id, record.Version, "update", existing);
                return true;
            }
            catch (MemoryException ex) when (ex.Code == MemoryErrorCode.NotFound)
            {
                // Someone deleted the copy in Mem0; the canonical memory stands, so it is added again.
            }
        }

        var entities = Mem0RecordCodec.Entities(record, _client.Flavor);
        var added = await _client.AddAsync(
            new Mem0AddRequest
            {
                Messages = [new Mem0Message("user", record.Value.Text)],
                Entities = entities,
                Metadata = Mem0RecordCodec.Metadata(record),
                Infer = false,
                ExpirationDate = Mem0RecordCodec.ExpirationDate(record),
                Timestamp = _client.Flavor == Mem0ApiFlavor.Platform ? record.CreatedAt : null,
            },
            cancellationToken).ConfigureAwait(false);
        var mem0Id = added.FirstOrDefault(a => string.Equals(a.Event, "ADD", StringComparison.OrdinalIgnoreCase))?.Id
            ?? await FindCopyAsync(record, entities, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryException(
                MemoryErrorCode.DuplicateContent,
                $"Mem0 answered the add of memory {record.Id} without storing it (events: [{string.Join(", ", added.Select(a => a.Event))}]): "
                + "Mem0 does that when it judges the text a duplicate of a memory it holds in the same user/agent/run scope.");
        await _links.SetSyncedAsync(SystemName, record.Tenant, record.Id, mem0Id, record.Version, now, cancellationToken).ConfigureAwait(false);
        LogPushed(record.Id, record.Version, "add", mem0Id);
        return true;
    }

    /// <summary>A copy Mem0 already holds of this record (an earlier add whose answer was lost), found by its carried id.</summary>
    private async Task<string?> FindCopyAsync(MemoryRecord record, Mem0Entities entities, CancellationToken cancellationToken)
    {
        var found = await _client.SearchAsync(
            new Mem0SearchRequest
            {
                Query = record.Value.Text,
                Entities = entities,
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [Mem0RecordCodec.IdKey] = record.Id.ToString("D") },
                TopK = 10,
                Threshold = 0,
                ShowExpired = true,
            },
            cancellationToken).ConfigureAwait(false);
        return found.FirstOrDefault(m => Mem0RecordCodec.Decode(m)?.Id == record.Id)?.Id;
    }

    private async Task DeleteCopyAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        if (await _links.GetAsync(SystemName, tenant, id, cancellationToken).ConfigureAwait(false) is { ExternalId: { } external })
        {
            await DeleteRemoteAsync(external, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteRemoteAsync(string mem0Id, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteAsync(mem0Id, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryException ex) when (ex.Code == MemoryErrorCode.NotFound)
        {
            // Already gone: the goal of the delete holds.
        }
    }

    private async Task PushTenantAsync(string tenant, IProgress<Mem0ReconcileProgress>? progress, Tally tally, CancellationToken cancellationToken)
    {
        var links = (await _links.ListAsync(SystemName, tenant, cancellationToken).ConfigureAwait(false)).ToDictionary(l => l.MemoryId);
        string? cursor = null;
        do
        {
            var page = await _mirror.ReadAsync(
                new MemoryQuery { Tenant = tenant, Statuses = AllStatuses, IncludeExpired = true, PageSize = PageSize, Cursor = cursor },
                cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items)
            {
                tally.CheckedInMirror++;
                links.TryGetValue(record.Id, out var link);
                if (link is { LastError: null } && link.SyncedVersion >= record.Version)
                {
                    continue;
                }

                try
                {
                    if (await PushLockedAsync(record, cancellationToken).ConfigureAwait(false))
                    {
                        tally.Pushed++;
                    }
                }
                catch (MemoryException ex)
                {
                    await _links.SetFailedAsync(SystemName, tenant, record.Id, ex.Message, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    tally.Failures.Add(new Mem0ReconcileFailure(tenant, record.Id, link?.ExternalId, ex.Message));
                }

                if (tally.CheckedInMirror % 100 == 0)
                {
                    progress?.Report(new Mem0ReconcileProgress("push", tally.CheckedInMirror, tally.Pushed));
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
        progress?.Report(new Mem0ReconcileProgress("push", tally.CheckedInMirror, tally.Pushed));
    }

    private async Task PullAsync(Mem0ReconcileOptions options, Tally tally, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var complete = true;
        foreach (var scope in await ScopesToListAsync(options.Tenant, cancellationToken).ConfigureAwait(false))
        {
            for (var pageNumber = 1; ; pageNumber++)
            {
                var page = await _client.ListAsync(
                    new Mem0ListRequest { Entities = scope, Page = pageNumber, PageSize = _client.Flavor == Mem0ApiFlavor.Platform ? 200 : 1000, ShowExpired = true },
                    cancellationToken).ConfigureAwait(false);
                var fresh = page.Results.Where(m => seen.Add(m.Id)).ToList();
                await PullPageAsync(fresh, seen, options, tally, cancellationToken).ConfigureAwait(false);
                options.Progress?.Report(new Mem0ReconcileProgress("pull", tally.CheckedInMem0, tally.Adopted + tally.Relinked + tally.RemovedFromMem0));
                if (!page.HasMore)
                {
                    break;
                }

                if (_client.Flavor == Mem0ApiFlavor.OpenSource)
                {
                    complete = false;
                    tally.Warnings.Add($"Mem0 listed the most memories one call returns ({page.Results.Count}) for {Mem0RecordCodec.Describe(scope)}; the self-hosted server has no paging, so memories past that were not checked.");
                    break;
                }
            }
        }

        // A linked copy the complete listing did not show is gone from Mem0: the push adds it again.
        if (complete)
        {
            var tenants = options.Tenant is { } t ? [t] : await _mirror.GetTenantsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var tenant in tenants)
            {
                foreach (var link in await _links.ListAsync(SystemName, tenant, cancellationToken).ConfigureAwait(false))
                {
                    if (link is { ExternalId: { } external, SyncedVersion: > 0 } && !seen.Contains(external)
                        && await _mirror.GetAsync(tenant, link.MemoryId, cancellationToken).ConfigureAwait(false) is { Status: not (MemoryStatus.Deleted or MemoryStatus.Expired) })
                    {
                        await _links.SetSyncedAsync(SystemName, tenant, link.MemoryId, external, 0, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                        tally.MissingInMem0++;
                    }
                }
            }
        }
    }

    /// <summary>The entity scopes whose memories the pull lists: the tenant's app on the Platform, else every entity Mem0 knows.</summary>
    private async Task<IReadOnlyList<Mem0Entities>> ScopesToListAsync(string? tenant, CancellationToken cancellationToken)
    {
        if (_client.Flavor == Mem0ApiFlavor.Platform && tenant is not null)
        {
            return [new Mem0Entities(AppId: Mem0RecordCodec.EntityId(tenant))];
        }

        var entities = await _client.ListEntitiesAsync(cancellationToken).ConfigureAwait(false);
        return entities
            .Select(e => e.Type switch
            {
                "user" => new Mem0Entities(UserId: e.Name),
                "agent" => new Mem0Entities(AgentId: e.Name),
                "app" => new Mem0Entities(AppId: e.Name),
                "run" => new Mem0Entities(RunId: e.Name),
                _ => null,
            })
            .OfType<Mem0Entities>()
            .ToList();
    }

    private async Task PullPageAsync(IReadOnlyList<Mem0Memory> memories, HashSet<string> seen, Mem0ReconcileOptions options, Tally tally, CancellationToken cancellationToken)
    {
        var linked = (await _links.FindAsync(SystemName, memories.Select(m => m.Id).ToList(), cancellationToken).ConfigureAwait(false))
            .Where(l => l.ExternalId is not null)
            .ToDictionary(l => l.ExternalId!, StringComparer.Ordinal);
        var toAdopt = new Dictionary<string, Dictionary<Guid, (Mem0Memory Memory, MemoryRecord Record)>>(StringComparer.Ordinal);
        foreach (var memory in memories)
        {
            tally.CheckedInMem0++;
            MemoryRecord? carried;
            try
            {
                carried = Mem0RecordCodec.Decode(memory);
            }
            catch (MemoryException ex)
            {
                // Whose memory this is cannot be told when a tenant was asked for on the self-hosted server: a warning then.
                if (options.Tenant is null || _client.Flavor == Mem0ApiFlavor.Platform)
                {
                    tally.Failures.Add(new Mem0ReconcileFailure(options.Tenant ?? _options.DefaultTenant, null, memory.Id, ex.Message));
                }
                else
                {
                    tally.Warnings.Add(ex.Message);
                }

                continue;
            }

            var appTenant = Mem0RecordCodec.Name(memory.Entities.AppId);
            var tenant = carried?.Tenant ?? appTenant ?? _options.DefaultTenant;
            if (options.Tenant is { } only && tenant != only)
            {
                continue;
            }

            if (carried is not null && appTenant is not null && carried.Tenant != appTenant)
            {
                tally.Failures.Add(new Mem0ReconcileFailure(tenant, carried.Id, memory.Id, $"Mem0 memory {memory.Id} carries a record of tenant '{carried.Tenant}' but sits in app_id '{appTenant}'; left alone."));
                continue;
            }

            try
            {
                if (linked.TryGetValue(memory.Id, out var link))
                {
                    // The push repairs a stale copy; here only a copy whose memory left the mirror's serving set leaves.
                    var canonical = await _mirror.GetAsync(link.Tenant, link.MemoryId, cancellationToken).ConfigureAwait(false);
                    if (canonical is null || canonical.Status is MemoryStatus.Deleted or MemoryStatus.Expired)
                    {
                        await DeleteRemoteAsync(memory.Id, cancellationToken).ConfigureAwait(false);
                        tally.RemovedFromMem0++;
                    }
                    else if (Mem0RecordCodec.Differs(memory, canonical))
                    {
                        await _links.SetSyncedAsync(SystemName, link.Tenant, link.MemoryId, memory.Id, 0, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                // The canonical memory this copy stands for: the record it carries, else (an adopted memory) its Mem0 id.
                var canonicalId = carried?.Id ?? (Guid.TryParse(memory.Id, out var adoptedId) ? adoptedId : (Guid?)null);
                if (canonicalId is { } id && await _mirror.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false) is { } known)
                {
                    await SettleUnlinkedCopyAsync(memory, known, seen, tally, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!options.Adopt)
                {
                    tally.NotAdopted++;
                    continue;
                }

                var record = carried ?? Mem0RecordCodec.Adopt(memory, tenant, _options.AdoptedType, _timeProvider.GetUtcNow());
                if (!toAdopt.TryGetValue(tenant, out var batch))
                {
                    toAdopt[tenant] = batch = [];
                }

                // Two copies of one record (an add retried after a lost answer): the newest version is adopted, the other removed later.
                if (!batch.TryGetValue(record.Id, out var other) || other.Record.Version < record.Version)
                {
                    batch[record.Id] = (memory, record);
                }
            }
            catch (MemoryException ex)
            {
                tally.Failures.Add(new Mem0ReconcileFailure(tenant, carried?.Id, memory.Id, ex.Message));
            }
        }

        foreach (var (tenant, batch) in toAdopt)
        {
            await AdoptAsync(tenant, [.. batch.Values], tally, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A Mem0 copy of a canonical memory with no link to it: relink it, or remove it when the memory has another copy or left.</summary>
    private async Task SettleUnlinkedCopyAsync(Mem0Memory memory, MemoryRecord known, HashSet<string> seen, Tally tally, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (known.Status is MemoryStatus.Deleted or MemoryStatus.Expired)
        {
            await DeleteRemoteAsync(memory.Id, cancellationToken).ConfigureAwait(false);
            tally.RemovedFromMem0++;
            return;
        }

        var own = await _links.GetAsync(SystemName, known.Tenant, known.Id, cancellationToken).ConfigureAwait(false);
        if (own?.ExternalId is { } other && other != memory.Id
            && (seen.Contains(other) || await _client.GetAsync(other, cancellationToken).ConfigureAwait(false) is not null))
        {
            // A second copy (an add Mem0 took twice, its first link already recorded): one copy is enough.
            await DeleteRemoteAsync(memory.Id, cancellationToken).ConfigureAwait(false);
            tally.RemovedFromMem0++;
            return;
        }

        // Mem0 took the write but the link was never recorded (or its linked copy is gone): link this one; a stale copy is pushed.
        var version = Mem0RecordCodec.Differs(memory, known) ? 0 : known.Version;
        await _links.SetSyncedAsync(SystemName, known.Tenant, known.Id, memory.Id, version, now, cancellationToken).ConfigureAwait(false);
        tally.Relinked++;
    }

    private async Task AdoptAsync(string tenant, List<(Mem0Memory Memory, MemoryRecord Record)> batch, Tally tally, CancellationToken cancellationToken)
    {
        IReadOnlyList<MemoryRecord> adopted;
        try
        {
            adopted = await _mirror.AdoptAsync(tenant, [.. batch.Select(b => b.Record)], new MemoryActor(MemoryActorKind.System, "mem0-reconcile"), "adopted from Mem0", cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryException ex)
        {
            // One bad record must not stop the rest: adopt one by one to name the failures.
            if (batch.Count == 1)
            {
                tally.Failures.Add(new Mem0ReconcileFailure(tenant, batch[0].Record.Id, batch[0].Memory.Id, ex.Message));
                return;
            }

            foreach (var single in batch)
            {
                await AdoptAsync(tenant, [single], tally, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var mem0Ids = batch.ToDictionary(b => b.Record.Id, b => b.Memory.Id);
        foreach (var record in adopted)
        {
            // Version 0: the copy does not carry the record as the mirror now holds it; the push rewrites its metadata.
            await _links.SetSyncedAsync(SystemName, tenant, record.Id, mem0Ids[record.Id], 0, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            tally.Adopted++;
        }
    }

    private sealed class Tally
    {
        public long CheckedInMirror { get; set; }

        public long CheckedInMem0 { get; set; }

        public long Pushed { get; set; }

        public long Adopted { get; set; }

        public long NotAdopted { get; set; }

        public long Relinked { get; set; }

        public long RemovedFromMem0 { get; set; }

        public long MissingInMem0 { get; set; }

        public List<Mem0ReconcileFailure> Failures { get; } = [];

        public List<string> Warnings { get; } = [];

        public Mem0ReconcileResult ToResult() => new()
        {
            CheckedInMirror = CheckedInMirror,
            CheckedInMem0 = CheckedInMem0,
            Pushed = Pushed,
            Adopted = Adopted,
            NotAdopted = NotAdopted,
            Relinked = Relinked,
            RemovedFromMem0 = RemovedFromMem0,
            MissingInMem0 = MissingInMem0,
            Failures = Failures,
            Warnings = Warnings,
        };
    }
}
