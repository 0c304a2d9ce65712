namespace SkMemory.Storage;

/// <content>Adoption: memories that exist only in a replica (Mem0) enter the canonical log.</content>
public abstract partial class EventSourcedMemoryStore
{
    /// <summary>
    /// Appends each record whose id the store does not hold yet as one <see cref="MemoryEventType.Created"/> event at
    /// version 1, keeping every other field (ids, timestamps, provenance, status) as the replica holds it; ids already
    /// present are skipped. Records meet the same rules as imported ones, and the batch is one transaction.
    /// </summary>
    /// <returns>The records adopted, as stored.</returns>
    internal async Task<IReadOnlyList<MemoryRecord>> AdoptAsync(string tenant, IReadOnlyList<MemoryRecord> records, MemoryActor actor, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        MemoryRequestValidator.Tenant(tenant);
        MemoryRequestValidator.Actor(actor);
        var adopted = new List<MemoryRecord>(records.Count);
        foreach (var record in records)
        {
            if (record.Tenant != tenant)
            {
                throw new MemoryValidationException("tenant", $"memory {record.Id} belongs to tenant '{record.Tenant}', not '{tenant}'");
            }

            var type = MemoryRequestValidator.Type(record.Type, Options.Types);
            MemoryRequestValidator.Record(record, type, Options.MaxValueBytes);
        }

        var tx = await BeginTransactionAsync(tenant, cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            foreach (var record in records)
            {
                if (await tx.GetAsync(tenant, record.Id, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                // The replica holds the latest state only, so the log starts the memory's stream there.
                var state = record with { Version = 1 };
                await AppendAsync(tx, MemoryEventType.Created, state, actor, reason, Now(), cancellationToken).ConfigureAwait(false);
                adopted.Add(state);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (adopted.Count > 0)
        {
            await EmbedImportedAsync(cancellationToken).ConfigureAwait(false);
        }

        return adopted;
    }

    /// <summary>Lists the tenants that have events in this store.</summary>
    internal Task<IReadOnlyList<string>> GetTenantsAsync(CancellationToken cancellationToken) => ListTenantsAsync(cancellationToken);

    /// <summary>Gets the retrieval options searches rank with.</summary>
    internal MemoryRetrievalOptions Retrieval => Options.Retrieval;
}
