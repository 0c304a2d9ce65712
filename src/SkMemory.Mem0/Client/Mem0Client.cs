using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Refit;
using SkMemory.Mem0.Wire;

namespace SkMemory.Mem0;

/// <summary>
/// One client for both of Mem0's REST APIs (hosted Platform and self-hosted server), over Refit, with timeouts and
/// retries with back-off on 408/429/5xx that honour <c>Retry-After</c>. Failures surface as <see cref="Mem0ApiException"/>
/// carrying Mem0's own message.
/// </summary>
public sealed partial class Mem0Client : IDisposable
{
    /// <summary>The Platform's batch endpoints take at most this many memories per call.</summary>
    public const int MaxBatchSize = 1000;

    private const int PlatformMaxPageSize = 200;
    private const int ServerMaxPageSize = 1000;
    private const int MaxTopK = 1000;
    private const int EntityPageSize = 100;

    // Guards against a server whose "next" link never ends.
    private const int MaxEntityPages = 10_000;

    private readonly HttpClient _httpClient;
    private readonly IMem0PlatformApi? _platform;
    private readonly IMem0ServerApi? _server;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _eventPollInterval;
    private readonly TimeSpan _eventPollTimeout;

    /// <summary>Initializes a new instance of the <see cref="Mem0Client"/> class.</summary>
    /// <param name="options">Where to connect and how hard to retry; validated here.</param>
    /// <param name="innerHandler">The transport under the retry and auth handlers (a <see cref="SocketsHttpHandler"/> by default). A handler passed in stays the caller's to dispose.</param>
    /// <param name="loggerFactory">Logs retries and give-ups.</param>
    /// <param name="timeProvider">The clock for back-off, timeouts and event polling.</param>
    public Mem0Client(Mem0ClientOptions options, HttpMessageHandler? innerHandler = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Flavor = options.Flavor;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger<Mem0Client>() ?? NullLogger.Instance;
        _eventPollInterval = options.EventPollInterval;
        _eventPollTimeout = options.EventPollTimeout;

        var ownsTransport = innerHandler is null;
        var transport = innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var auth = new Mem0AuthHandler(options, transport);
        var resilience = new Mem0ResilienceHandler(options, auth, _logger, _timeProvider);

        // The pipeline owns every timeout; HttpClient's own would cut retries short.
        _httpClient = new HttpClient(resilience, disposeHandler: ownsTransport)
        {
            BaseAddress = options.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // Refit.Reflection is not available: RestService.For picks the source-generated stub.
        var settings = new RefitSettings(new SystemTextJsonContentSerializer(Mem0JsonContext.Default.Options));
        if (Flavor == Mem0ApiFlavor.Platform)
        {
            _platform = RestService.For<IMem0PlatformApi>(_httpClient, settings);
        }
        else
        {
            _server = RestService.For<IMem0ServerApi>(_httpClient, settings);
        }
    }

    /// <summary>Gets which API this client speaks.</summary>
    public Mem0ApiFlavor Flavor { get; }

    /// <summary>Checks the key and the address (Platform: <c>GET /v1/ping/</c>; server: an authenticated <c>GET /entities</c>).</summary>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        _platform is not null ? Send(_platform.PingAsync(cancellationToken), cancellationToken) : Send(_server!.ListEntitiesAsync(cancellationToken), cancellationToken);

    /// <summary>Adds memories. With <see cref="Mem0AddRequest.Infer"/> off each message is stored verbatim; an asynchronous Platform add is polled until it finishes.</summary>
    /// <remarks>
    /// The self-hosted server has no <c>timestamp</c> or <c>immutable</c>; they are not sent to it. An add is retried like any
    /// other call (on 408, 429, 5xx and transport failures): Mem0 v3 drops a text whose md5 already exists in the same scope, so a
    /// repeat after a lost response does not store a second copy, though an inferring add may re-extract differently worded facts.
    /// </remarks>
    public async Task<IReadOnlyList<Mem0AddResult>> AddAsync(Mem0AddRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Messages is null || request.Messages.Count == 0)
        {
            throw new MemoryException(MemoryErrorCode.Validation, "A Mem0 add needs at least one message.");
        }

        for (var i = 0; i < request.Messages.Count; i++)
        {
            var m = request.Messages[i];
            if (m is null || string.IsNullOrWhiteSpace(m.Role) || m.Content is null)
            {
                throw new MemoryException(MemoryErrorCode.Validation, $"Message {i} of a Mem0 add needs a role and content.");
            }
        }

        CheckEntities(request.Entities, "add");
        var platform = Flavor == Mem0ApiFlavor.Platform;
        var body = new Mem0WireAddRequest
        {
            Messages = [.. request.Messages],
            UserId = request.Entities.UserId,
            AgentId = request.Entities.AgentId,
            AppId = request.Entities.AppId,
            RunId = request.Entities.RunId,
            Metadata = request.Metadata?.DeepClone().AsObject(),
            Infer = request.Infer,
            ExpirationDate = FormatDate(request.ExpirationDate),
            Timestamp = platform ? request.Timestamp?.ToUnixTimeSeconds() : null,
            Immutable = platform && request.Immutable ? true : null,
        };

        if (!platform)
        {
            var added = await Send(_server!.AddAsync(body, cancellationToken), cancellationToken).ConfigureAwait(false);
            return MapAddResults(added?.Results);
        }

        var response = await Send(_platform!.AddAsync(body, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return [];
        }

        if (response.Results is not null || response.EventId is null || IsStatus(response.Status, "SUCCEEDED"))
        {
            return MapAddResults(response.Results);
        }

        if (IsStatus(response.Status, "FAILED"))
        {
            throw EventFailed(response.EventId, response.Message);
        }

        return await PollEventAsync(response.EventId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Searches memories in a scope, best first.</summary>
    /// <remarks>Every entity id given must match (AND), as must every metadata condition.</remarks>
    public async Task<IReadOnlyList<Mem0Memory>> SearchAsync(Mem0SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Query))
        {
            throw new MemoryException(MemoryErrorCode.Validation, "A Mem0 search needs a non-blank query.");
        }

        CheckEntities(request.Entities, "search");
        if (request.TopK is { } topK && topK is < 1 or > MaxTopK)
        {
            throw new MemoryException(MemoryErrorCode.Validation, $"TopK must be between 1 and {MaxTopK}; it is {topK}.");
        }

        if (request.Threshold is { } threshold && (double.IsNaN(threshold) || threshold is < 0 or > 1))
        {
            throw new MemoryException(MemoryErrorCode.Validation, $"Threshold must be between 0 and 1; it is {threshold.ToString(CultureInfo.InvariantCulture)}.");
        }

        var body = new Mem0WireSearchRequest
        {
            Query = request.Query,
            Filters = BuildFilters(request.Entities, request.Metadata),
            TopK = request.TopK,
            Threshold = request.Threshold,
            ShowExpired = request.ShowExpired ? true : null,
        };
        var results = Flavor == Mem0ApiFlavor.Platform
            ? await Send(_platform!.SearchAsync(body, cancellationToken), cancellationToken).ConfigureAwait(false)
            : await Send(_server!.SearchAsync(body, cancellationToken), cancellationToken).ConfigureAwait(false);
        return MapMemories(results?.Results);
    }

    /// <summary>Gets one memory, or null when Mem0 has no memory with that id.</summary>
    public async Task<Mem0Memory?> GetAsync(string memoryId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memoryId);
        if (_server is not null)
        {
            // The server answers 200 with a JSON null for an unknown id.
            var found = await Send(_server.GetAsync(memoryId, cancellationToken), cancellationToken).ConfigureAwait(false);
            return found is null ? null : MapMemory(found);
        }

        try
        {
            var memory = await Send(_platform!.GetAsync(memoryId, cancellationToken), cancellationToken).ConfigureAwait(false);
            return memory is null ? null : MapMemory(memory);
        }
        catch (Mem0ApiException ex) when (ex.Code == MemoryErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Lists one page of the memories in a scope.</summary>
    /// <remarks>
    /// The self-hosted server has no paging: page 1 returns up to <see cref="Mem0ListRequest.PageSize"/> memories (at most 1000), with
    /// <see cref="Mem0Page.HasMore"/> set when the page came back full; later pages raise <see cref="MemoryErrorCode.NotSupported"/>.
    /// </remarks>
    public async Task<Mem0Page> ListAsync(Mem0ListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckEntities(request.Entities, "list");
        if (request.Page < 1)
        {
            throw new MemoryException(MemoryErrorCode.Validation, $"Page is 1-based; it is {request.Page}.");
        }

        var maxPageSize = Flavor == Mem0ApiFlavor.Platform ? PlatformMaxPageSize : ServerMaxPageSize;
        if (request.PageSize < 1 || request.PageSize > maxPageSize)
        {
            throw new MemoryException(MemoryErrorCode.Validation, $"PageSize must be between 1 and {maxPageSize} on the {Describe(Flavor)}; it is {request.PageSize}.");
        }

        if (_platform is not null)
        {
            var body = new Mem0WireListRequest { Filters = BuildFilters(request.Entities, null), ShowExpired = request.ShowExpired ? true : null };
            Mem0WirePage? page;
            try
            {
                page = await Send(_platform.ListAsync(body, request.Page, request.PageSize, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (Mem0ApiException ex) when (ex.Code == MemoryErrorCode.NotFound && request.Page > 1)
            {
                // The Platform answers 404 "Invalid page." past the last page; for a pager that is simply the end.
                return new Mem0Page([], null, false);
            }

            return new Mem0Page(MapMemories(page?.Results), page?.Count, !string.IsNullOrEmpty(page?.Next));
        }

        if (request.Page > 1)
        {
            throw new MemoryException(
                MemoryErrorCode.NotSupported,
                $"The self-hosted Mem0 server has no paging: it returns one list of at most {ServerMaxPageSize} memories. Ask for page 1 with a larger PageSize (up to {ServerMaxPageSize}), or narrow the scope.");
        }

        var listed = await Send(_server!.ListAsync(
            request.Entities.UserId,
            request.Entities.AgentId,
            request.Entities.RunId,
            request.PageSize,
            request.ShowExpired ? "true" : "false",
            cancellationToken), cancellationToken).ConfigureAwait(false);
        var memories = MapMemories(listed?.Results);
        return new Mem0Page(memories, null, memories.Count >= request.PageSize);
    }

    /// <summary>Updates a memory's text, metadata or expiration date.</summary>
    public Task UpdateAsync(string memoryId, Mem0UpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memoryId);
        ArgumentNullException.ThrowIfNull(request);
        if (request.ExpirationDate is not null && request.ClearExpirationDate)
        {
            throw new MemoryException(MemoryErrorCode.Validation, "Set ExpirationDate or ClearExpirationDate, not both.");
        }

        // A JsonObject body, because clearing the expiration date needs an explicit null that the DTO serializer would drop.
        var body = new JsonObject();
        if (request.Text is not null)
        {
            if (string.IsNullOrWhiteSpace(request.Text))
            {
                throw new MemoryException(MemoryErrorCode.Validation, "A Mem0 update cannot set blank text.");
            }

            body["text"] = request.Text;
        }

        if (request.Metadata is not null)
        {
            body["metadata"] = request.Metadata.DeepClone();
        }

        if (request.ExpirationDate is { } date)
        {
            body["expiration_date"] = FormatDate(date);
        }
        else if (request.ClearExpirationDate)
        {
            body["expiration_date"] = null;
        }

        if (body.Count == 0)
        {
            throw new MemoryException(MemoryErrorCode.Validation, "A Mem0 update needs text, metadata, an expiration date or ClearExpirationDate.");
        }

        return _platform is not null
            ? Send(_platform.UpdateAsync(memoryId, body, cancellationToken), cancellationToken)
            : Send(_server!.UpdateAsync(memoryId, body, cancellationToken), cancellationToken);
    }

    /// <summary>Deletes one memory; a memory Mem0 does not have raises <see cref="Mem0ApiException"/> with <see cref="MemoryErrorCode.NotFound"/>.</summary>
    public Task DeleteAsync(string memoryId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memoryId);
        return _platform is not null
            ? Send(_platform.DeleteAsync(memoryId, cancellationToken), cancellationToken)
            : Send(_server!.DeleteAsync(memoryId, cancellationToken), cancellationToken);
    }

    /// <summary>Deletes every memory of the given entities (at least one id is required).</summary>
    /// <remarks>On the Platform the deletion is asynchronous; on the self-hosted server it needs the admin key.</remarks>
    public Task DeleteAllAsync(Mem0Entities entities, CancellationToken cancellationToken = default)
    {
        CheckEntities(entities, "delete-all");
        return _platform is not null
            ? Send(_platform.DeleteAllAsync(entities.UserId, entities.AgentId, entities.AppId, entities.RunId, cancellationToken), cancellationToken)
            : Send(_server!.DeleteAllAsync(entities.UserId, entities.AgentId, entities.RunId, cancellationToken), cancellationToken);
    }

    /// <summary>Gets a memory's history, oldest first.</summary>
    public async Task<IReadOnlyList<Mem0HistoryEntry>> GetHistoryAsync(string memoryId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memoryId);
        var rows = _platform is not null
            ? await Send(_platform.HistoryAsync(memoryId, cancellationToken), cancellationToken).ConfigureAwait(false)
            : await Send(_server!.HistoryAsync(memoryId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (rows is null)
        {
            return [];
        }

        var entries = new List<Mem0HistoryEntry>(rows.Count);
        foreach (var row in rows)
        {
            if (row?.Id is null)
            {
                continue;
            }

            var evt = row.Event ?? "UPDATE";
            entries.Add(new Mem0HistoryEntry
            {
                Id = row.Id,
                MemoryId = row.MemoryId ?? memoryId,
                OldMemory = row.OldMemory,
                NewMemory = row.NewMemory,
                Event = evt,
                CreatedAt = ParseTimestamp(row.CreatedAt),
                UpdatedAt = ParseTimestamp(row.UpdatedAt),
                IsDeleted = row.IsDeleted ?? string.Equals(evt, "DELETE", StringComparison.OrdinalIgnoreCase),
            });
        }

        return entries;
    }

    /// <summary>Updates up to 1,000 memories in one call (Platform); the self-hosted server has no batch endpoint, so the client updates one by one.</summary>
    /// <remarks>More than 1,000 updates are sent in several Platform calls of at most 1,000 each.</remarks>
    public async Task BatchUpdateAsync(IReadOnlyList<Mem0BatchUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        foreach (var update in updates)
        {
            if (update is null || string.IsNullOrWhiteSpace(update.MemoryId))
            {
                throw new MemoryException(MemoryErrorCode.Validation, "Every batch update needs a memory id.");
            }

            if (update.Text is null && update.Metadata is null)
            {
                throw new MemoryException(MemoryErrorCode.Validation, $"The batch update of memory {update.MemoryId} sets neither text nor metadata.");
            }
        }

        if (updates.Count == 0)
        {
            return;
        }

        if (_server is not null)
        {
            Mem0ClientLog.BatchEmulated(_logger, "update", updates.Count);
            foreach (var update in updates)
            {
                await UpdateAsync(update.MemoryId, new Mem0UpdateRequest { Text = update.Text, Metadata = update.Metadata }, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var chunks = updates.Chunk(MaxBatchSize).ToList();
        if (chunks.Count > 1)
        {
            Mem0ClientLog.BatchChunked(_logger, "update", updates.Count, chunks.Count);
        }

        foreach (var chunk in chunks)
        {
            var body = new Mem0WireBatchRequest<Mem0WireBatchItem>
            {
                Memories = [.. chunk.Select(u => new Mem0WireBatchItem { MemoryId = u.MemoryId, Text = u.Text, Metadata = u.Metadata?.DeepClone().AsObject() })],
            };
            await Send(_platform!.BatchUpdateAsync(body, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes up to 1,000 memories in one call (Platform); one by one on the self-hosted server.</summary>
    /// <remarks>More than 1,000 ids are sent in several Platform calls of at most 1,000 each.</remarks>
    public async Task BatchDeleteAsync(IReadOnlyList<string> memoryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memoryIds);
        if (memoryIds.Any(string.IsNullOrWhiteSpace))
        {
            throw new MemoryException(MemoryErrorCode.Validation, "Every id of a Mem0 batch delete must be non-blank.");
        }

        if (memoryIds.Count == 0)
        {
            return;
        }

        if (_server is not null)
        {
            Mem0ClientLog.BatchEmulated(_logger, "delete", memoryIds.Count);
            foreach (var id in memoryIds)
            {
                await Send(_server.DeleteAsync(id, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var chunks = memoryIds.Chunk(MaxBatchSize).ToList();
        if (chunks.Count > 1)
        {
            Mem0ClientLog.BatchChunked(_logger, "delete", memoryIds.Count, chunks.Count);
        }

        foreach (var chunk in chunks)
        {
            var body = new Mem0WireBatchRequest<Mem0WireBatchItem> { Memories = [.. chunk.Select(id => new Mem0WireBatchItem { MemoryId = id })] };
            await Send(_platform!.BatchDeleteAsync(body, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lists every entity that has memories.</summary>
    /// <remarks>On the Platform the client follows the pages until <c>next</c> is empty.</remarks>
    public async Task<IReadOnlyList<Mem0Entity>> ListEntitiesAsync(CancellationToken cancellationToken = default)
    {
        var entities = new List<Mem0Entity>();
        if (_server is not null)
        {
            AddEntities(await Send(_server.ListEntitiesAsync(cancellationToken), cancellationToken).ConfigureAwait(false), entities);
            return entities;
        }

        for (var page = 1; page <= MaxEntityPages; page++)
        {
            var node = await Send(_platform!.ListEntitiesAsync(page, EntityPageSize, cancellationToken), cancellationToken).ConfigureAwait(false);
            var before = entities.Count;
            AddEntities(node, entities);
            var next = node is JsonObject o ? o["next"] : null;
            if (next is null || (next is JsonValue v && v.TryGetValue(out string? s) && string.IsNullOrEmpty(s)) || entities.Count == before)
            {
                break;
            }
        }

        return entities;
    }

    /// <inheritdoc />
    public void Dispose() => _httpClient.Dispose();
}
