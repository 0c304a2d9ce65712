using System.Text.Json.Nodes;
using Refit;

namespace SkMemory.Mem0.Wire;

/// <summary>The hosted Platform API: versioned paths that always end in a slash.</summary>
internal interface IMem0PlatformApi
{
    [Get("/v1/ping/")]
    Task PingAsync(CancellationToken cancellationToken);

    [Post("/v3/memories/add/")]
    Task<Mem0WireAddResponse> AddAsync([Body] Mem0WireAddRequest body, CancellationToken cancellationToken);

    [Get("/v1/event/{eventId}/")]
    Task<Mem0WireEvent> GetEventAsync(string eventId, CancellationToken cancellationToken);

    [Post("/v3/memories/search/")]
    Task<Mem0WireResults<Mem0WireMemory>> SearchAsync([Body] Mem0WireSearchRequest body, CancellationToken cancellationToken);

    [Post("/v3/memories/")]
    Task<Mem0WirePage> ListAsync([Body] Mem0WireListRequest body, [Query] int page, [Query, AliasAs("page_size")] int pageSize, CancellationToken cancellationToken);

    [Get("/v1/memories/{memoryId}/")]
    Task<Mem0WireMemory?> GetAsync(string memoryId, CancellationToken cancellationToken);

    [Put("/v1/memories/{memoryId}/")]
    Task UpdateAsync(string memoryId, [Body] JsonObject body, CancellationToken cancellationToken);

    [Delete("/v1/memories/{memoryId}/")]
    Task DeleteAsync(string memoryId, CancellationToken cancellationToken);

    [Get("/v1/memories/{memoryId}/history/")]
    Task<List<Mem0WireHistory>> HistoryAsync(string memoryId, CancellationToken cancellationToken);

    [Delete("/v1/memories/")]
    Task DeleteAllAsync(
        [Query, AliasAs("user_id")] string? userId,
        [Query, AliasAs("agent_id")] string? agentId,
        [Query, AliasAs("app_id")] string? appId,
        [Query, AliasAs("run_id")] string? runId,
        CancellationToken cancellationToken);

    [Put("/v1/batch/")]
    Task BatchUpdateAsync([Body] Mem0WireBatchRequest<Mem0WireBatchItem> body, CancellationToken cancellationToken);

    // DELETE with a JSON body, as the Platform documents it.
    [Delete("/v1/batch/")]
    Task BatchDeleteAsync([Body] Mem0WireBatchRequest<Mem0WireBatchItem> body, CancellationToken cancellationToken);

    // JsonNode: older API versions answer with a bare array, newer ones with a page envelope.
    [Get("/v1/entities/")]
    Task<JsonNode?> ListEntitiesAsync([Query] int page, [Query, AliasAs("page_size")] int pageSize, CancellationToken cancellationToken);
}
