namespace SkMemory.Mem0;

/// <summary>
/// One client for both of Mem0's REST APIs (hosted Platform and self-hosted server), over Refit, with timeouts and
/// retries with back-off on 408/429/5xx that honour <c>Retry-After</c>. Failures surface as <see cref="Mem0ApiException"/>
/// carrying Mem0's own message.
/// </summary>
public sealed partial class Mem0Client : IDisposable
{
    // SKELETON: the implementation lands with the Refit interfaces. Signatures are the contract the store codes against.

    /// <summary>Gets which API this client speaks.</summary>
    public Mem0ApiFlavor Flavor { get; }

    /// <summary>Checks the key and the address (Platform: <c>GET /v1/ping/</c>; server: an authenticated <c>GET /entities</c>).</summary>
    public Task PingAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Adds memories. With <see cref="Mem0AddRequest.Infer"/> off each message is stored verbatim; an asynchronous Platform add is polled until it finishes.</summary>
    public Task<IReadOnlyList<Mem0AddResult>> AddAsync(Mem0AddRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Searches memories in a scope, best first.</summary>
    public Task<IReadOnlyList<Mem0Memory>> SearchAsync(Mem0SearchRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Gets one memory, or null when Mem0 has no memory with that id.</summary>
    public Task<Mem0Memory?> GetAsync(string memoryId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Lists one page of the memories in a scope.</summary>
    public Task<Mem0Page> ListAsync(Mem0ListRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Updates a memory's text, metadata or expiration date.</summary>
    public Task UpdateAsync(string memoryId, Mem0UpdateRequest request, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Deletes one memory; a memory Mem0 does not have raises <see cref="Mem0ApiException"/> with <see cref="MemoryErrorCode.NotFound"/>.</summary>
    public Task DeleteAsync(string memoryId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Deletes every memory of the given entities (at least one id is required).</summary>
    public Task DeleteAllAsync(Mem0Entities entities, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Gets a memory's history, oldest first.</summary>
    public Task<IReadOnlyList<Mem0HistoryEntry>> GetHistoryAsync(string memoryId, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Updates up to 1,000 memories in one call (Platform); the self-hosted server has no batch endpoint, so the client updates one by one.</summary>
    public Task BatchUpdateAsync(IReadOnlyList<Mem0BatchUpdate> updates, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Deletes up to 1,000 memories in one call (Platform); one by one on the self-hosted server.</summary>
    public Task BatchDeleteAsync(IReadOnlyList<string> memoryIds, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Lists every entity that has memories.</summary>
    public Task<IReadOnlyList<Mem0Entity>> ListEntitiesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
