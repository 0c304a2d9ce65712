using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Retrieval;
using SkMemory.Storage;

namespace SkMemory.Mem0;

/// <summary>
/// The provider contract on Mem0 (hosted Platform or self-hosted server), with every change mirrored to a canonical
/// SkMemory store (embedded SQLite or Postgres).
/// </summary>
/// <remarks>
/// <para>
/// The canonical mirror goes first: it validates, checks versions (Mem0 has no optimistic concurrency), assigns ids and
/// appends the event, so a change Mem0 cannot take is still durable and a change the mirror refuses never reaches Mem0.
/// The change is then pushed to Mem0 (verbatim, <c>infer=false</c>, the typed record in metadata) and the link
/// (<see cref="IMemoryExternalLinks"/>, system <c>mem0</c>) records the Mem0 id and the version it holds. A failed push
/// raises <see cref="Mem0SyncException"/> and leaves the memory marked; <see cref="ReconcileAsync"/> repairs both
/// directions.
/// </para>
/// <para>
/// Search runs in Mem0 (its extraction-free hybrid retrieval over the pushed text); the candidates are then narrowed by
/// the canonical filter (status, validity, expiry, scope, access and consent) and keep Mem0's order and score. Reads,
/// history, export, import, verify and deletion proofs are served by the mirror, so they never depend on the vendor.
/// </para>
/// </remarks>
public sealed partial class Mem0MemoryStore : DelegatingMemoryStore
{
    /// <summary>The <see cref="MemoryExternalLink.System"/> name of Mem0 links.</summary>
    public const string SystemName = "mem0";

    private static readonly MemoryStatus[] AllStatuses = Enum.GetValues<MemoryStatus>();
    private readonly EventSourcedMemoryStore _mirror;
    private readonly Mem0Client _client;
    private readonly Mem0MemoryStoreOptions _options;
    private readonly IMemoryExternalLinks _links;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="Mem0MemoryStore"/> class.</summary>
    /// <param name="client">The Mem0 client.</param>
    /// <param name="mirror">The canonical store every change is mirrored to (SQLite or Postgres).</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock of link timestamps; the mirror's own clock stamps memories.</param>
    public Mem0MemoryStore(Mem0Client client, EventSourcedMemoryStore mirror, Mem0MemoryStoreOptions? options = null, ILogger<Mem0MemoryStore>? logger = null, TimeProvider? timeProvider = null)
        : base(mirror)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new Mem0MemoryStoreOptions();
        _options.Validate();
        _mirror = mirror;
        _client = client;
        _links = mirror.GetService(typeof(IMemoryExternalLinks)) as IMemoryExternalLinks
            ?? throw new ArgumentException("The mirror keeps no external links (IMemoryExternalLinks); use a SQLite or Postgres store at schema 5 or later.", nameof(mirror));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the Mem0 client.</summary>
    public Mem0Client Client => _client;

    /// <summary>Gets the canonical mirror.</summary>
    public IMemoryStore Mirror => _mirror;

    /// <inheritdoc />
    public override async Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default)
    {
        var result = await _mirror.WriteAsync(request, cancellationToken).ConfigureAwait(false);

        // A replay or duplicate pushes too, so retrying a write whose push failed completes it.
        await PushAsync(result.Record, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> UpdateAsync(MemoryUpdateRequest request, CancellationToken cancellationToken = default)
    {
        var record = await _mirror.UpdateAsync(request, cancellationToken).ConfigureAwait(false);
        await PushAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public override async Task<MemorySupersedeResult> SupersedeAsync(MemorySupersedeRequest request, CancellationToken cancellationToken = default)
    {
        var result = await _mirror.SupersedeAsync(request, cancellationToken).ConfigureAwait(false);
        await PushAsync(result.Current, cancellationToken).ConfigureAwait(false);
        await PushAsync(result.Previous, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> MergeAsync(MemoryMergeRequest request, CancellationToken cancellationToken = default)
    {
        var record = await _mirror.MergeAsync(request, cancellationToken).ConfigureAwait(false);
        await PushAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> UnmergeAsync(MemoryUnmergeRequest request, CancellationToken cancellationToken = default)
    {
        var record = await _mirror.UnmergeAsync(request, cancellationToken).ConfigureAwait(false);
        await PushAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> DeleteAsync(MemoryDeleteRequest request, CancellationToken cancellationToken = default)
    {
        var record = await _mirror.DeleteAsync(request, cancellationToken).ConfigureAwait(false);
        await PushAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default)
    {
        var record = await _mirror.ExpireAsync(request, cancellationToken).ConfigureAwait(false);
        await PushAsync(record, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public override async Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default)
    {
        // The attestation comes from the canonical log; the Mem0 copies go after it, and any that remain are found by reconcile.
        var attestation = await _mirror.PurgeAsync(request, cancellationToken).ConfigureAwait(false);
        Exception? failure = null;
        var removed = new List<Guid>();
        var remaining = 0;
        foreach (var id in attestation.MemoryIds.Concat(attestation.DerivedIds).Distinct())
        {
            try
            {
                await DeleteCopyAsync(attestation.Tenant, id, cancellationToken).ConfigureAwait(false);
                removed.Add(id);
            }
            catch (MemoryException ex)
            {
                failure ??= ex;
                remaining++;
                await _links.SetFailedAsync(SystemName, attestation.Tenant, id, ex.Message, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }

        await _links.RemoveAsync(SystemName, attestation.Tenant, removed, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            LogPurgeCopiesRemain(attestation.Tenant, remaining, failure.Message);
        }

        return attestation;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A hybrid search is Mem0's: Mem0 retrieves, the mirror narrows the candidates by the filter, then ranks them as every
    /// SkMemory store does, Mem0's score as the relevance, with neighbors, decay, salience, confidence and the reranker.
    /// Mem0 has no text-only or vector-only retrieval, so <see cref="MemorySearchMode.Text"/> and
    /// <see cref="MemorySearchMode.Vector"/> searches are answered by the mirror's own full-text and vector index.
    /// </remarks>
    public override async Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
    {
        _mirror.ValidateSearch(request);
        if (request.Mode != MemorySearchMode.Hybrid)
        {
            // Mem0 has one retrieval, its hybrid one; a text-only or vector-only search is answered by the mirror's own index.
            return await _mirror.SearchAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (request.Ids is not null)
        {
            throw new MemoryException(MemoryErrorCode.NotSupported, "Searching within a list of ids is not supported by the Mem0 backend; read those ids with ReadAsync instead.");
        }

        var entities = Mem0RecordCodec.Entities(request, _client.Flavor);
        if (entities.IsEmpty)
        {
            throw new MemoryException(
                MemoryErrorCode.NotSupported,
                "The self-hosted Mem0 server searches only within a user, agent or run: set the search's subject, agent or session "
                + "(the Platform scopes by tenant through app_id and needs none of them).");
        }

        var retrieval = _mirror.Retrieval;
        var wanted = Math.Max(
            Math.Max(_options.MinSearchCandidates, request.Top * _options.SearchCandidateMultiplier),
            retrieval.Reranker is null ? 0 : Math.Max(request.Top * retrieval.RerankWindowMultiplier, retrieval.RerankWindow));
        var candidates = await _client.SearchAsync(
            new Mem0SearchRequest
            {
                Query = request.Text,
                Entities = entities,
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [Mem0RecordCodec.TenantKey] = request.Tenant },
                TopK = Math.Min(MemoryFilter.MaxIds, wanted),
                Threshold = _options.SearchThreshold,
                ShowExpired = request.IncludeExpired || request.ValidAt is not null,
            },
            cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return [];
        }

        var ids = await ResolveIdsAsync(request.Tenant, candidates, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return [];
        }

        // Every other rule of the filter (status, validity, expiry, scope, access, consent) is the mirror's own.
        var page = await _mirror.ReadAsync(ToQuery(request, ids.Values.Distinct().ToList()), cancellationToken).ConfigureAwait(false);
        var allowed = page.Items.Select(r => r.Id).ToHashSet();
        var hits = new Dictionary<Guid, FusedHit>();
        foreach (var candidate in candidates)
        {
            if (ids.TryGetValue(candidate.Id, out var id) && allowed.Contains(id) && !hits.ContainsKey(id))
            {
                var score = Math.Clamp(candidate.Score ?? 0, 0, 1);
                hits[id] = new FusedHit(score, score, hits.Count + 1, null, null);
            }
        }

        return await _mirror.RankAsync(request, hits, SystemName, queryEmbedding: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemoryTransferResult> ImportAsync(Stream source, MemoryImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await _mirror.ImportAsync(source, options, cancellationToken).ConfigureAwait(false);
        foreach (var tenant in result.Tenants)
        {
            var pushed = await ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant, Pull = false }, cancellationToken).ConfigureAwait(false);
            if (pushed.Failures.Count > 0)
            {
                throw new MemoryException(
                    MemoryErrorCode.Unavailable,
                    $"The import is stored in the canonical log, but {pushed.Failures.Count} memories of tenant '{tenant}' did not reach Mem0 (first: {pushed.Failures[0].Error}). Run 'skmem reconcile' to finish.");
            }
        }

        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(Mem0Client))
        {
            return _client;
        }

        if (serviceKey is null && serviceType == typeof(MemoryStoreMetadata))
        {
            // The embedding model named is the mirror's, which serves text and vector searches; Mem0 embeds with its own.
            var mirror = _mirror.GetService(typeof(MemoryStoreMetadata)) as MemoryStoreMetadata;
            return new MemoryStoreMetadata(SystemName, mirror?.Location, mirror?.EmbeddingModel);
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _options.OwnsDependencies)
        {
            _client.Dispose();
            base.Dispose(disposing);
        }
    }

    private static MemoryQuery ToQuery(MemoryFilter filter, List<Guid> ids) => new()
    {
        Tenant = filter.Tenant,
        Subject = filter.Subject,
        ScopeKinds = filter.ScopeKinds,
        Team = filter.Team,
        Agent = filter.Agent,
        Session = filter.Session,
        Types = filter.Types,
        Statuses = filter.Statuses,
        CreatedFrom = filter.CreatedFrom,
        CreatedTo = filter.CreatedTo,
        UpdatedFrom = filter.UpdatedFrom,
        UpdatedTo = filter.UpdatedTo,
        ValidAt = filter.ValidAt,
        Metadata = filter.Metadata,
        Access = filter.Access,
        IncludeExpired = filter.IncludeExpired,
        Ids = ids,
        PageSize = Math.Max(1, ids.Count),
    };

    /// <summary>Maps Mem0 ids to canonical ids: through the links, else through the record a memory carries.</summary>
    private async Task<Dictionary<string, Guid>> ResolveIdsAsync(string tenant, IReadOnlyList<Mem0Memory> candidates, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var link in await _links.FindAsync(SystemName, candidates.Select(c => c.Id).ToList(), cancellationToken).ConfigureAwait(false))
        {
            if (link.Tenant == tenant && link.ExternalId is { } external)
            {
                ids[external] = link.MemoryId;
            }
        }

        foreach (var candidate in candidates)
        {
            if (!ids.ContainsKey(candidate.Id) && Mem0RecordCodec.Decode(candidate) is { } carried && carried.Tenant == tenant)
            {
                // Pushed, but the link was never recorded (the process stopped between the two): reconcile relinks it.
                ids[candidate.Id] = carried.Id;
            }
        }

        return ids;
    }

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "Pushed memory {MemoryId} version {Version} to Mem0 ({Action}, Mem0 id {Mem0Id})")]
    private partial void LogPushed(Guid memoryId, long version, string action, string? mem0Id);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Memory {MemoryId} version {Version} is in the canonical log but not in Mem0: {Error}. Run 'skmem reconcile'.")]
    private partial void LogPushFailed(Guid memoryId, long version, string error);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Purge in tenant {Tenant}: {Count} Mem0 copies could not be deleted yet ({Error}); 'skmem reconcile' deletes them.")]
    private partial void LogPurgeCopiesRemain(string tenant, int count, string error);
}
