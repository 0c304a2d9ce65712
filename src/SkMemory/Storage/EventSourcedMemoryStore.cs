using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Retrieval;

namespace SkMemory.Storage;

/// <summary>
/// The event-sourced engine every canonical store shares: validation, idempotency, optimistic concurrency, the hash chain,
/// the projection, search fusion, export, import and verification are written once here; a backend supplies storage
/// primitives (a locked transaction, queries, retrievers).
/// </summary>
/// <remarks>Thread-safe. Every change is one backend transaction that appends to the log and updates the projection.</remarks>
public abstract partial class EventSourcedMemoryStore : IMemoryStore
{
    private static readonly string Producer = $"SkMemory {typeof(EventSourcedMemoryStore).Assembly.GetName().Version?.ToString(3) ?? "0.1.0"}";
    private readonly ILogger _logger;
    private volatile EmbeddingIndex? _serving;
    private volatile EmbeddingIndex? _building;

    /// <summary>Initializes a new instance of the <see cref="EventSourcedMemoryStore"/> class.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The logger.</param>
    protected EventSourcedMemoryStore(MemoryStoreOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _logger = logger ?? NullLogger.Instance;
        _serving = options.EmbeddingGenerator is { } generator ? new EmbeddingIndex(generator, options.EmbeddingModel ?? ModelNameOf(generator)) : null;
    }

    /// <summary>Gets the options.</summary>
    protected MemoryStoreOptions Options { get; }

    /// <inheritdoc />
    public string? ServingModel => _serving?.Model;

    /// <inheritdoc />
    public async Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var (type, value) = MemoryRequestValidator.Write(request, Options);

        var contentHash = MemoryRequestValidator.ContentHash(type.Name, request.Scope, request.Subject, value);
        var embeddings = await EmbedForWriteAsync(WriteIndexes(), value.Text, "write", cancellationToken).ConfigureAwait(false);

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        if (request.IdempotencyKey is { } key && await tx.FindByIdempotencyKeyAsync(request.Tenant, key, cancellationToken).ConfigureAwait(false) is { } prior)
        {
            if (!string.Equals(prior.OriginContentHash, contentHash, StringComparison.Ordinal))
            {
                throw new MemoryConflictException(
                    MemoryErrorCode.IdempotencyKeyReused,
                    $"Idempotency key '{key}' was already used in tenant '{request.Tenant}' for different content (memory {prior.Record.Id}). Use a new key for new content.",
                    prior.Record.Id);
            }

            LogWrite(request.Tenant, prior.Record.Id, MemoryWriteOutcome.IdempotentReplay);
            return new MemoryWriteResult(prior.Record, MemoryWriteOutcome.IdempotentReplay);
        }

        if (await tx.FindActiveByContentHashAsync(request.Tenant, contentHash, cancellationToken).ConfigureAwait(false) is { } duplicate)
        {
            LogWrite(request.Tenant, duplicate.Id, MemoryWriteOutcome.DuplicateContent);
            return new MemoryWriteResult(duplicate, MemoryWriteOutcome.DuplicateContent);
        }

        var now = Now();
        var record = MemoryRecordTransitions.Create(request, type, value, contentHash, now);

        await AppendAsync(tx, MemoryEventType.Created, record, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        var complete = await SaveEmbeddingsAsync(tx, record, embeddings, replace: false, cancellationToken).ConfigureAwait(false);

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        NotePendingUnless(complete);
        LogWrite(request.Tenant, record.Id, MemoryWriteOutcome.Created);
        return new MemoryWriteResult(record, MemoryWriteOutcome.Created);
    }

    /// <inheritdoc />
    public Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        cancellationToken.ThrowIfCancellationRequested();
        return LoadAsync(tenant, id, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<MemoryPage> ReadAsync(MemoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        MemoryRequestValidator.Filter(query, Options.Types);
        if (query.PageSize is < 1 or > MemoryQuery.MaxPageSize)
        {
            throw new MemoryValidationException("page_size", $"must be between 1 and {MemoryQuery.MaxPageSize}; it is {query.PageSize}");
        }

        var after = query.Cursor is null ? (Guid?)null : DecodeCursor(query.Cursor);
        cancellationToken.ThrowIfCancellationRequested();
        var rows = await QueryAsync(query.ToFilter(), after, query.PageSize + 1, Now(), cancellationToken).ConfigureAwait(false);
        if (rows.Count <= query.PageSize)
        {
            return new MemoryPage(rows, null);
        }

        var page = rows.Take(query.PageSize).ToList();
        return new MemoryPage(page, EncodeCursor(page[^1].Id));
    }

    /// <inheritdoc />
    public async Task<MemoryRecord> UpdateAsync(MemoryUpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Change(request.Tenant, request.ExpectedVersion, request.Actor, request.Reason, request.Provenance, request.Confidence, request.Salience);

        if (request.DecayPolicy is not null)
        {
            MemoryRequestValidator.DecayPolicy(request.DecayPolicy);
        }

        MemoryRequestValidator.Ttl(request.Ttl);
        MemoryRequestValidator.Metadata(request.Metadata);

        // The type is needed to validate a new value; read it outside the transaction, and check again inside.
        MemoryValue? value = null;
        var embeddings = new WriteEmbeddings([], Failed: false);
        if (request.Value is not null)
        {
            var existing = await LoadAsync(request.Tenant, request.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new MemoryNotFoundException(request.Tenant, request.Id);
            value = MemoryRequestValidator.Value(request.Value, MemoryRequestValidator.Type(existing.Type, Options.Types), Options.MaxValueBytes);
            embeddings = await EmbedForWriteAsync(WriteIndexes(), value.Text, "update", cancellationToken).ConfigureAwait(false);
        }

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, request.ExpectedVersion, "update", cancellationToken).ConfigureAwait(false);
        if (current.Status != MemoryStatus.Active)
        {
            throw InvalidState(current, "update");
        }

        var now = Now();
        var newValue = value ?? current.Value;
        var contentHash = value is null ? current.ContentHash : MemoryRequestValidator.ContentHash(current.Type, current.Scope, current.Subject, newValue);
        if (contentHash != current.ContentHash
            && await tx.FindActiveByContentHashAsync(request.Tenant, contentHash, cancellationToken).ConfigureAwait(false) is { } duplicate
            && duplicate.Id != current.Id)
        {
            throw new MemoryConflictException(MemoryErrorCode.DuplicateContent, $"Memory {duplicate.Id} already holds this content in the same scope and subject; supersede or delete one of them instead.", duplicate.Id);
        }

        var updated = current with
        {
            Value = newValue,
            ContentHash = contentHash,
            Provenance = request.Provenance is null ? current.Provenance : MemoryRecordTransitions.Truncate(request.Provenance),
            Confidence = request.Confidence ?? current.Confidence,
            Salience = request.Salience ?? current.Salience,
            DecayPolicy = request.DecayPolicy ?? current.DecayPolicy,
            Ttl = request.Ttl ?? current.Ttl,
            Metadata = request.Metadata is null ? current.Metadata : MemoryRecordTransitions.Copy(request.Metadata),
            Actor = request.Actor,
            UpdatedAt = now,
            Version = current.Version + 1,
        };

        await AppendAsync(tx, MemoryEventType.Updated, updated, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        var complete = true;
        if (value is not null)
        {
            // Every stored embedding of the old text is stale, whatever its model.
            complete = await SaveEmbeddingsAsync(tx, updated, embeddings, replace: true, cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        NotePendingUnless(complete);
        return updated;
    }

    /// <inheritdoc />
    public async Task<MemorySupersedeResult> SupersedeAsync(MemorySupersedeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Change(request.Tenant, request.ExpectedVersion, request.Actor, request.Reason, request.Provenance, request.Confidence, request.Salience);

        MemoryRequestValidator.Metadata(request.Metadata);
        var existing = await LoadAsync(request.Tenant, request.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryNotFoundException(request.Tenant, request.Id);
        var value = MemoryRequestValidator.Value(request.Value, MemoryRequestValidator.Type(existing.Type, Options.Types), Options.MaxValueBytes);
        var embeddings = await EmbedForWriteAsync(WriteIndexes(), value.Text, "supersede", cancellationToken).ConfigureAwait(false);

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, request.ExpectedVersion, "supersede", cancellationToken).ConfigureAwait(false);
        if (current.Status != MemoryStatus.Active)
        {
            throw InvalidState(current, "supersede");
        }

        var now = Now();
        var validFrom = request.ValidFrom is { } from ? MemoryEventChain.TruncateToMicroseconds(from) : now;
        if (validFrom < current.ValidFrom)
        {
            throw new MemoryValidationException("valid_from", $"the new version cannot start ({validFrom:O}) before the version it replaces ({current.ValidFrom:O})");
        }

        var contentHash = MemoryRequestValidator.ContentHash(current.Type, current.Scope, current.Subject, value);
        if (await tx.FindActiveByContentHashAsync(request.Tenant, contentHash, cancellationToken).ConfigureAwait(false) is { } duplicate && duplicate.Id != current.Id)
        {
            throw new MemoryConflictException(MemoryErrorCode.DuplicateContent, $"Memory {duplicate.Id} already holds this content in the same scope and subject.", duplicate.Id);
        }

        var (previous, next) = MemoryRecordTransitions.Supersede(
            current,
            current with
            {
                Value = value,
                ContentHash = contentHash,
                Provenance = request.Provenance is null ? current.Provenance : MemoryRecordTransitions.Truncate(request.Provenance),
                Confidence = request.Confidence ?? current.Confidence,
                Salience = request.Salience ?? current.Salience,
                Metadata = request.Metadata is null ? current.Metadata : MemoryRecordTransitions.Copy(request.Metadata),
            },
            request.Actor,
            now,
            validFrom);

        // The old version leaves the active set first, so the new one may carry the same normalized content.
        await AppendAsync(tx, MemoryEventType.Superseded, previous, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        await AppendAsync(tx, MemoryEventType.Created, next, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        var complete = await SaveEmbeddingsAsync(tx, next, embeddings, replace: false, cancellationToken).ConfigureAwait(false);

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        NotePendingUnless(complete);
        return new MemorySupersedeResult(previous, next);
    }

    /// <inheritdoc />
    public async Task<MemoryRecord> DeleteAsync(MemoryDeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        MemoryRequestValidator.Tenant(request.Tenant);
        MemoryRequestValidator.Reason(request.Reason, required: true);
        MemoryRequestValidator.Actor(request.Actor);
        MemoryRequestValidator.ExpectedVersion(request.ExpectedVersion);

        var tx = await BeginTransactionAsync(request.Tenant, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var current = await LoadForChangeAsync(tx, request.Tenant, request.Id, request.ExpectedVersion, "delete", cancellationToken).ConfigureAwait(false);
        if (current.Status == MemoryStatus.Deleted)
        {
            throw InvalidState(current, "delete");
        }

        var now = Now();
        var deleted = MemoryRecordTransitions.Delete(current, request.Actor, request.Reason, now);
        await AppendAsync(tx, MemoryEventType.Deleted, deleted, request.Actor, request.Reason, now, cancellationToken).ConfigureAwait(false);
        await tx.DeleteEmbeddingsAsync(deleted.Tenant, deleted.Id, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryEvent>> GetHistoryAsync(string tenant, Guid id, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        var events = new List<MemoryEvent>();
        await foreach (var e in ReadEventsAsync(tenant, id, cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        return events;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
    {
        ValidateSearch(request);
        if (request.Mode == MemorySearchMode.Vector && _serving is null)
        {
            throw new MemoryException(MemoryErrorCode.NotSupported, "Vector search needs an embedding generator: set MemoryStoreOptions.EmbeddingGenerator, or search in text or hybrid mode.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var retrieval = Options.Retrieval;
        var filter = request.ToFilter();
        var now = Now();
        var candidates = Math.Max(request.Top * retrieval.CandidateMultiplier, retrieval.MinCandidates);

        var serving = _serving;
        ReadOnlyMemory<float>? queryEmbedding = null;
        IReadOnlyList<ScoredMemoryId>? vectorHits = null;
        string? degradation = null;
        if (request.Mode != MemorySearchMode.Text && serving is not null)
        {
            try
            {
                queryEmbedding = await GenerateAsync(serving, request.Text, cancellationToken).ConfigureAwait(false);
                OnEmbedderWorked();
            }
#pragma warning disable CA1031 // Whatever the embedder throws, a hybrid search falls back to full text and a vector search says why it cannot run.
            catch (Exception ex) when (IsEmbedderFailure(cancellationToken))
#pragma warning restore CA1031
            {
                var mode = MemoryJson.EnumName(request.Mode);
                OnEmbedderFailed(ex, serving.Model, mode + " search");
                if (request.Mode == MemorySearchMode.Vector)
                {
                    LogSearchDegraded(ex, mode, serving.Model, "the search failed");
                    throw new MemoryException(
                        MemoryErrorCode.Unavailable,
                        $"Vector search could not embed the query: the embedding generator for '{serving.Model}' failed ({ex.Message}). Search in text or hybrid mode meanwhile (hybrid falls back to full text and flags its results).",
                        ex);
                }

                LogSearchDegraded(ex, mode, serving.Model, "ranking by full text alone and flagging the results " + MemorySearchDegradation.EmbedderUnavailable);
                degradation = MemorySearchDegradation.EmbedderUnavailable;
            }

            if (queryEmbedding is { } embedded)
            {
                vectorHits = await SearchVectorAsync(filter, serving.Model, embedded, candidates, now, cancellationToken).ConfigureAwait(false);
            }
        }

        IReadOnlyList<ScoredMemoryId>? textHits = null;
        if (request.Mode != MemorySearchMode.Vector && TextQueryTerms(request.Text) is { Count: > 0 } terms)
        {
            textHits = await SearchTextAsync(filter, terms, candidates, now, cancellationToken).ConfigureAwait(false);
        }

        var fused = MemoryScoring.Fuse(vectorHits, textHits, retrieval);
        var model = vectorHits is { Count: > 0 } ? serving?.Model : null;
        var results = await RankAsync(request, fused, model, queryEmbedding, cancellationToken).ConfigureAwait(false);
        return degradation is null ? results : results.Select(r => r with { Degradation = degradation }).ToList();
    }

    /// <summary>Checks a search request the way <see cref="SearchAsync"/> does, for layers that search elsewhere.</summary>
    /// <exception cref="MemoryValidationException">A field is invalid.</exception>
    internal void ValidateSearch(MemorySearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        MemoryRequestValidator.Filter(request, Options.Types);
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            throw new MemoryValidationException("text", "is required and must not be blank");
        }

        if (request.Top is < 1 or > 100)
        {
            throw new MemoryValidationException("top", $"must be between 1 and 100; it is {request.Top}");
        }
    }

    /// <summary>
    /// Ranks retrieved hits, all of which already passed the request's filter: neighbors, decay, salience and confidence,
    /// then the reranker. Shared by this store's retrievers and by layers whose candidates come from elsewhere (Mem0).
    /// </summary>
    internal async Task<IReadOnlyList<MemorySearchResult>> RankAsync(MemorySearchRequest request, Dictionary<Guid, FusedHit> fused, string? model, ReadOnlyMemory<float>? queryEmbedding, CancellationToken cancellationToken)
    {
        if (fused.Count == 0)
        {
            return [];
        }

        var retrieval = Options.Retrieval;
        var filter = request.ToFilter();
        var now = Now();
        if (retrieval.NeighborWeight > 0)
        {
            var neighbors = await LoadNeighborsAsync(filter, fused.Keys.ToList(), now, cancellationToken).ConfigureAwait(false);
            MemoryScoring.AddNeighbors(fused, neighbors, retrieval.NeighborWeight, retrieval.NeighborSources);
        }

        var records = await LoadManyAsync(request.Tenant, fused.Keys.ToList(), cancellationToken).ConfigureAwait(false);
        var scored = records
            .Select(r => MemoryScoring.Score(r, fused[r.Id], retrieval, now, model))
            .OrderByDescending(s => s.Breakdown.Relevance)
            .ThenBy(s => s.Record.Id)
            .ToList();
        if (retrieval.Reranker is not { } reranker)
        {
            return scored.Take(request.Top).Select(s => new MemorySearchResult(s.Record, s.Breakdown.Final, s.Breakdown)).ToList();
        }

        var window = scored.Take(Math.Max(request.Top * retrieval.RerankWindowMultiplier, retrieval.RerankWindow)).ToList();
        var embeddings = model is not null && queryEmbedding is { } q
            ? await LoadEmbeddingsAsync(request.Tenant, model, q.Length, window.Select(s => s.Record.Id).ToList(), cancellationToken).ConfigureAwait(false)
            : null;
        var rerankRequest = new MemoryRerankRequest
        {
            Query = request.Text,
            Top = request.Top,
            QueryEmbedding = queryEmbedding,
            Candidates = window
                // The cast keeps "no embedding" null: a bare null converts to an empty ReadOnlyMemory through float[].
                .Select(s => new MemoryRerankCandidate(s.Record, s.Breakdown.Relevance, embeddings is not null && embeddings.TryGetValue(s.Record.Id, out var e) ? e : (ReadOnlyMemory<float>?)null))
                .ToList(),
        };
        var picks = await reranker.RerankAsync(rerankRequest, cancellationToken).ConfigureAwait(false);
        return MemoryScoring.ApplyRerank(window, picks, request.Top, reranker.Name);
    }

    /// <inheritdoc />
    public async Task<MemoryTransferResult> ExportAsync(Stream destination, MemoryExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new MemoryExportOptions();
        if (options.Tenant is not null)
        {
            MemoryRequestValidator.Tenant(options.Tenant);
        }

        var tenants = options.Tenant is { } one ? [one] : await ListTenantsAsync(cancellationToken).ConfigureAwait(false);
        var writer = new MemoryExportWriter(destination, options.Progress);
        await using var writerScope = writer.ConfigureAwait(false);
        await writer.WriteHeaderAsync(new MemoryExportHeader(MemoryExportFormat.Name, MemoryExportFormat.Version, MemoryRecord.CurrentSchemaVersion, Options.TimeProvider.GetUtcNow(), options.Tenant, Producer), cancellationToken).ConfigureAwait(false);
        var exported = new List<string>();
        foreach (var tenant in tenants)
        {
            // The objects written are the projection of exactly the events written, so the file is consistent even
            // while writers keep appending.
            var latest = new Dictionary<Guid, string>();
            var order = new List<Guid>();
            await foreach (var e in ReadEventsAsync(tenant, null, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteEventAsync(e, cancellationToken).ConfigureAwait(false);
                if (!latest.ContainsKey(e.MemoryId))
                {
                    order.Add(e.MemoryId);
                }

                if (e.Payload is not null)
                {
                    latest[e.MemoryId] = e.Payload;
                }
            }

            foreach (var id in order)
            {
                if (latest.TryGetValue(id, out var payload))
                {
                    await writer.WriteObjectAsync(payload, cancellationToken).ConfigureAwait(false);
                }
            }

            if (order.Count > 0)
            {
                exported.Add(tenant);
            }
        }

        await writer.WriteEndAsync(cancellationToken).ConfigureAwait(false);
        options.Progress?.Report(new MemoryTransferProgress(writer.EventCount + writer.ObjectCount + 2, writer.EventCount, writer.ObjectCount, writer.EventCount));
        return new MemoryTransferResult(writer.EventCount, writer.ObjectCount, exported);
    }

    /// <inheritdoc />
    public async Task<MemoryTransferResult> ImportAsync(Stream source, MemoryImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new MemoryImportOptions();
        long events = 0;
        long objects = 0;
        long line = 1;
        var tenants = new List<string>();
        var seenTenants = new HashSet<string>(StringComparer.Ordinal);

        // The version a memory reached through events whose payload a purge erased (they project nothing).
        var erasedVersions = new Dictionary<Guid, long>();

        var tx = await BeginTransactionAsync(null, cancellationToken).ConfigureAwait(false);
        await using (tx.ConfigureAwait(false))
        {
            try
            {
                await foreach (var item in MemoryExportReader.ReadAsync(source, cancellationToken).ConfigureAwait(false))
                {
                    line = item.Line;
                    if (item.Event is { } e)
                    {
                        var firstOfTenant = seenTenants.Add(e.Tenant);
                        if (firstOfTenant)
                        {
                            MemoryRequestValidator.Tenant(e.Tenant);
                            tenants.Add(e.Tenant);
                        }

                        var record = await CheckImportedEventAsync(tx, e, firstOfTenant, line, erasedVersions, cancellationToken).ConfigureAwait(false);
                        await tx.AppendAsync(e, record, cancellationToken).ConfigureAwait(false);
                        if (record is null)
                        {
                            erasedVersions[e.MemoryId] = e.StreamVersion;
                        }
                        else
                        {
                            erasedVersions.Remove(e.MemoryId);
                        }

                        events++;
                    }
                    else if (item.Record is { } imported)
                    {
                        var projected = await tx.GetAsync(imported.Tenant, imported.Id, cancellationToken).ConfigureAwait(false);
                        if (projected is null || !projected.Equals(imported))
                        {
                            throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "record", $"object {imported.Id} does not match the state its events produce: the file was edited");
                        }

                        objects++;
                    }

                    if (options.Progress is not null && line % 1000 == 0)
                    {
                        options.Progress.Report(new MemoryTransferProgress(line, events, objects, null));
                    }
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MemoryImportException(MemoryErrorCode.ImportConflict, line, null, $"the store rejected this line: {ex.Message}", ex);
            }
            catch (MemoryConflictException ex) when (ex.Code == MemoryErrorCode.ImportConflict)
            {
                throw new MemoryImportException(MemoryErrorCode.ImportConflict, line, "memory_id", ex.Message, ex);
            }
            catch (MemoryValidationException ex)
            {
                throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, ex.Field, ex.Message, ex);
            }
        }

        // The writers' lock is released: embedding runs beside other writers.
        options.Progress?.Report(new MemoryTransferProgress(line, events, objects, events));
        LogImported(events, objects, tenants.Count);
        await EmbedImportedAsync(cancellationToken).ConfigureAwait(false);
        return new MemoryTransferResult(events, objects, tenants);
    }

    /// <inheritdoc />
    public async Task<ChainVerificationResult> VerifyAsync(string? tenant = null, CancellationToken cancellationToken = default)
    {
        if (tenant is not null)
        {
            MemoryRequestValidator.Tenant(tenant);
        }

        var tenants = tenant is not null ? [tenant] : await ListTenantsAsync(cancellationToken).ConfigureAwait(false);
        long checkedEvents = 0;
        foreach (var name in tenants)
        {
            var expected = ChainHead.Empty;
            await foreach (var e in ReadEventsAsync(name, null, cancellationToken).ConfigureAwait(false))
            {
                checkedEvents++;
                var problem =
                    e.Sequence != expected.Sequence + 1 ? $"expected sequence {expected.Sequence + 1}, found {e.Sequence}: event(s) {expected.Sequence + 1}..{e.Sequence - 1} are missing"
                    : e.PreviousHash != expected.Hash ? "previous_hash does not match the hash of the event before it"
                    : e.Payload is not null && MemoryEventChain.ComputePayloadHash(e.Payload) != e.PayloadHash ? "the payload does not match its payload_hash: the content was altered"
                    : MemoryEventChain.ComputeHash(e) != e.Hash ? "the event's hash does not match its fields: the event was altered"
                    : null;
                if (problem is not null)
                {
                    var brokenAt = e.Sequence != expected.Sequence + 1 ? expected.Sequence + 1 : e.Sequence;
                    return Broken(tenants.Count, checkedEvents, new BrokenChainLink(name, brokenAt, brokenAt == e.Sequence ? e.EventId : null, problem));
                }

                expected = new ChainHead(e.Sequence, e.Hash);
            }

            var recorded = await ReadChainHeadAsync(name, cancellationToken).ConfigureAwait(false) ?? ChainHead.Empty;
            if (recorded != expected)
            {
                return Broken(tenants.Count, checkedEvents, new BrokenChainLink(
                    name,
                    expected.Sequence + 1,
                    null,
                    $"the chain head records sequence {recorded.Sequence}, but the log ends at {expected.Sequence}: events were removed"));
            }
        }

        return new ChainVerificationResult(true, tenants.Count, checkedEvents, null);
    }

    /// <inheritdoc />
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(MemoryStoreMetadata))
        {
            return Metadata;
        }

        if (serviceType == typeof(MemoryTypeRegistry))
        {
            return Options.Types;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        StopCatchUp();
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Gets the store's metadata.</summary>
    protected abstract MemoryStoreMetadata Metadata { get; }

    /// <summary>Releases the backend's resources.</summary>
    /// <param name="disposing">Whether this is called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Begins a write transaction that holds the lock on one tenant's chain, or on every chain when <paramref name="tenant"/> is null.</summary>
    /// <param name="tenant">The tenant, or null to lock all (import).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The transaction.</returns>
    protected abstract Task<MemoryStoreTransaction> BeginTransactionAsync(string? tenant, CancellationToken cancellationToken);

    /// <summary>Loads one record, in any status.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record, or null.</returns>
    protected async Task<MemoryRecord?> LoadAsync(string tenant, Guid id, CancellationToken cancellationToken)
    {
        var records = await LoadManyAsync(tenant, [id], cancellationToken).ConfigureAwait(false);
        return records.Count == 0 ? null : records[0];
    }

    /// <summary>Loads several records of one tenant, in any status; missing ids are skipped.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The records, in any order.</returns>
    protected abstract Task<IReadOnlyList<MemoryRecord>> LoadManyAsync(string tenant, IReadOnlyList<Guid> ids, CancellationToken cancellationToken);

    /// <summary>Reads records matching a filter, in ascending id order, after a cursor id.</summary>
    /// <param name="filter">The validated filter.</param>
    /// <param name="after">Only ids greater than this, when set.</param>
    /// <param name="limit">The most rows to return.</param>
    /// <param name="now">The current time, for expiry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The records.</returns>
    protected abstract Task<IReadOnlyList<MemoryRecord>> QueryAsync(MemoryFilter filter, Guid? after, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Full-text retriever: records matching any of the terms under the filter, best first.</summary>
    /// <param name="filter">The validated filter.</param>
    /// <param name="terms">Lower-case query terms (letters and digits only).</param>
    /// <param name="limit">The most candidates to return.</param>
    /// <param name="now">The current time, for expiry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The candidates, best first.</returns>
    protected abstract Task<IReadOnlyList<ScoredMemoryId>> SearchTextAsync(MemoryFilter filter, IReadOnlyList<string> terms, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Vector retriever: records under the filter nearest to the query embedding of one model, best first (score = cosine similarity).</summary>
    /// <param name="filter">The validated filter.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="query">The query embedding.</param>
    /// <param name="limit">The most candidates to return.</param>
    /// <param name="now">The current time, for expiry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The candidates, best first.</returns>
    protected abstract Task<IReadOnlyList<ScoredMemoryId>> SearchVectorAsync(MemoryFilter filter, string model, ReadOnlyMemory<float> query, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Finds, for each memory, the memories written just before and just after it in the same subject among those that
    /// match the filter (write order is id order).
    /// </summary>
    /// <param name="filter">The validated filter.</param>
    /// <param name="ids">The memories.</param>
    /// <param name="now">The current time, for expiry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>One entry per memory found.</returns>
    protected abstract Task<IReadOnlyList<MemoryNeighbors>> LoadNeighborsAsync(MemoryFilter filter, IReadOnlyList<Guid> ids, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Loads the embeddings of one model for some memories, for rerankers that compare memories with each other.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="dimensions">The embedding dimension.</param>
    /// <param name="ids">The memory ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The embeddings found, by memory id.</returns>
    protected abstract Task<IReadOnlyDictionary<Guid, ReadOnlyMemory<float>>> LoadEmbeddingsAsync(string tenant, string model, int dimensions, IReadOnlyList<Guid> ids, CancellationToken cancellationToken);

    /// <summary>Reads a tenant's events in sequence order, optionally only one memory's.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="memoryId">One memory, or null for the whole chain.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The events.</returns>
    protected abstract IAsyncEnumerable<MemoryEvent> ReadEventsAsync(string tenant, Guid? memoryId, CancellationToken cancellationToken);

    /// <summary>Lists the tenants that have a chain, in ordinal order.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The tenants.</returns>
    protected abstract Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken);

    /// <summary>Reads a tenant's recorded chain head without locking.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The head, or null.</returns>
    protected abstract Task<ChainHead?> ReadChainHeadAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Splits query text into the lower-case word terms the full-text retrievers match.</summary>
    /// <param name="text">The query text.</param>
    /// <returns>Distinct terms, at most 32.</returns>
    protected static IReadOnlyList<string> TextQueryTerms(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return MemoryWords.Split(text).Distinct(StringComparer.Ordinal).Take(32).ToList();
    }

    private static ChainVerificationResult Broken(int tenants, long events, BrokenChainLink link) => new(false, tenants, events, link);

    private static MemoryConflictException InvalidState(MemoryRecord record, string operation) =>
        new(MemoryErrorCode.InvalidState, $"Memory {record.Id} is {MemoryJson.EnumName(record.Status)}; only active memories can be {(operation == "delete" ? "deleted again" : operation + "d")}.", record.Id);

    private static string EncodeCursor(Guid id) => Convert.ToBase64String(Encoding.UTF8.GetBytes("v1|" + id.ToString("D"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Guid DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            if (text.StartsWith("v1|", StringComparison.Ordinal) && Guid.TryParseExact(text.AsSpan(3), "D", out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }

        throw new MemoryValidationException("cursor", "is not a cursor returned by this store; start again without a cursor");
    }

    private async Task<MemoryRecord> LoadForChangeAsync(MemoryStoreTransaction tx, string tenant, Guid id, long? expectedVersion, string operation, CancellationToken cancellationToken)
    {
        var current = await tx.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryNotFoundException(tenant, id);
        if (expectedVersion is { } expected && expected != current.Version)
        {
            LogVersionConflict(tenant, id, operation, expected, current.Version);
            throw new MemoryConcurrencyException(id, expected, current.Version);
        }

        return current;
    }

    private async Task<MemoryRecord?> CheckImportedEventAsync(MemoryStoreTransaction tx, MemoryEvent e, bool firstOfTenant, long line, Dictionary<Guid, long> erasedVersions, CancellationToken cancellationToken)
    {
        var record = e.ReadRecord();
        if (record is not null)
        {
            if (record.Id != e.MemoryId || record.Tenant != e.Tenant || record.Version != e.StreamVersion)
            {
                throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "payload", "the payload's id, tenant or version does not match the event");
            }

            if (!Options.Types.TryGet(record.Type, out var type))
            {
                throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "payload.type", $"memory type \"{record.Type}\" is not registered in this store; register it before importing");
            }

            try
            {
                // An imported memory meets the same rules as a written one, so every store can hold it.
                // A purge's tombstone has no text by design; everything else about it meets the rules.
                MemoryRequestValidator.Record(IsPurged(record) ? record with { Value = "purged" } : record, type, Options.MaxValueBytes);
            }
            catch (MemoryValidationException ex)
            {
                throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "payload." + ex.Field, ex.Message, ex);
            }
        }

        var head = await tx.GetHeadAsync(e.Tenant, cancellationToken).ConfigureAwait(false);
        if (firstOfTenant && head.Sequence > 0 && (e.Sequence != head.Sequence + 1 || e.PreviousHash != head.Hash))
        {
            throw new MemoryImportException(
                MemoryErrorCode.ImportConflict,
                line,
                "sequence",
                $"tenant '{e.Tenant}' already has {head.Sequence} events in this store and this export does not continue its chain; import into an empty store, or export only this store's missing events");
        }

        if (e.Sequence != head.Sequence + 1)
        {
            throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "sequence", $"expected sequence {head.Sequence + 1} for tenant '{e.Tenant}', found {e.Sequence}: events are missing or out of order");
        }

        if (e.PreviousHash != head.Hash)
        {
            throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "previous_hash", "does not match the hash of the tenant's previous event: the chain is broken");
        }

        if (MemoryEventChain.ComputeHash(e) != e.Hash)
        {
            throw new MemoryImportException(MemoryErrorCode.ImportInvalid, line, "hash", "does not match the event's fields: the event was altered");
        }

        // Each event moves its memory one version on: a Created event needs a new id, any other the version before it.
        var current = await tx.GetAsync(e.Tenant, e.MemoryId, cancellationToken).ConfigureAwait(false);
        var currentVersion = erasedVersions.TryGetValue(e.MemoryId, out var erased) ? erased : current?.Version ?? 0;
        var expectedVersion = currentVersion + 1;
        if (e.StreamVersion != expectedVersion)
        {
            throw new MemoryImportException(
                MemoryErrorCode.ImportInvalid,
                line,
                "stream_version",
                $"memory {e.MemoryId} is at version {currentVersion} at this point of the import; the next event must be version {expectedVersion}, not {e.StreamVersion}");
        }

        return record;
    }

    /// <summary>
    /// Embeds what an import brought in, after it committed: outside the writers' lock, batch by batch, through the same
    /// pass a reindex runs. The import stands if this fails; the memories are then pending, and the background catch-up
    /// (or a reindex) fills them in, which the warning says.
    /// </summary>
    private async Task EmbedImportedAsync(CancellationToken cancellationToken)
    {
        foreach (var index in WriteIndexes())
        {
            try
            {
                await FillMissingAsync(index, new MemoryReindexOptions().BatchSize, asWriteIndex: true, saved: null, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The import is committed whatever happens here; the failure is logged with what to do.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogImportEmbeddingFailed(ex, index.Model);
                NotePending();
            }
        }
    }

    private static async Task AppendAsync(MemoryStoreTransaction tx, MemoryEventType type, MemoryRecord state, MemoryActor actor, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var head = await tx.GetHeadAsync(state.Tenant, cancellationToken).ConfigureAwait(false);
        var e = head.Chain(ChainHead.Unchained(type, state, MemoryJson.SerializeRecord(state), actor, reason, now));
        await tx.AppendAsync(e, state, cancellationToken).ConfigureAwait(false);
    }

    private static string ModelNameOf(IEmbeddingGenerator<string, Embedding<float>> generator) =>
        generator.GetService<EmbeddingGeneratorMetadata>() is { } metadata
            ? metadata.DefaultModelId ?? metadata.ProviderName ?? "default"
            : "default";

    /// <summary>
    /// Saves a record's embeddings inside its write transaction. The text was embedded before the lock was taken; a model
    /// that became serving or building since then (a reindex started or switched meanwhile) is embedded here, under the
    /// lock, so no committed memory misses the model searches use.
    /// </summary>
    /// <returns>Whether every model new text goes into has the record's embedding (false leaves the record pending).</returns>
    private async Task<bool> SaveEmbeddingsAsync(MemoryStoreTransaction tx, MemoryRecord record, WriteEmbeddings embeddings, bool replace, CancellationToken cancellationToken)
    {
        if (replace)
        {
            await tx.DeleteEmbeddingsAsync(record.Tenant, record.Id, cancellationToken).ConfigureAwait(false);
        }

        // A model whose generator just failed is not asked again under the lock: the memory is pending for it.
        var late = embeddings.Failed ? [] : WriteIndexes().Where(index => !embeddings.Embeddings.Any(e => e.Model == index.Model)).ToList();
        var lateEmbeddings = late.Count == 0 ? new WriteEmbeddings([], Failed: false) : await EmbedForWriteAsync(late, record.Value.Text, "write", cancellationToken).ConfigureAwait(false);
        foreach (var embedding in embeddings.Embeddings.Concat(lateEmbeddings.Embeddings))
        {
            await tx.SaveEmbeddingAsync(record.Tenant, record.Id, embedding.Model, embedding.Vector, cancellationToken).ConfigureAwait(false);
        }

        return !embeddings.Failed && !lateEmbeddings.Failed;
    }

    /// <summary>After a commit: a record left without an embedding joins the backlog the background catch-up embeds.</summary>
    private void NotePendingUnless(bool complete)
    {
        if (!complete)
        {
            NotePending();
        }
    }

    /// <summary>The indexes new text goes into: the serving model and, while a reindex runs in this process, the model it builds.</summary>
    private List<EmbeddingIndex> WriteIndexes() => new[] { _serving, _building }.OfType<EmbeddingIndex>().ToList();

    private DateTimeOffset Now() => MemoryEventChain.TruncateToMicroseconds(Options.TimeProvider.GetUtcNow());

    [LoggerMessage(1, LogLevel.Debug, "Write in tenant {Tenant}: memory {MemoryId} {Outcome}.")]
    private partial void LogWrite(string tenant, Guid memoryId, MemoryWriteOutcome outcome);

    [LoggerMessage(2, LogLevel.Debug, "Version conflict in tenant {Tenant} on {Operation} of memory {MemoryId}: expected {Expected}, found {Actual}.")]
    private partial void LogVersionConflict(string tenant, Guid memoryId, string operation, long expected, long actual);

    [LoggerMessage(3, LogLevel.Information, "Imported {Events} events and checked {Objects} objects for {Tenants} tenant(s).")]
    private partial void LogImported(long events, long objects, int tenants);

    [LoggerMessage(4, LogLevel.Warning, "The import is committed, but embedding its memories with model {Model} failed; the store retries in the background, or run a reindex with that model (skmem reindex) to embed them now.")]
    private partial void LogImportEmbeddingFailed(Exception exception, string model);
}
