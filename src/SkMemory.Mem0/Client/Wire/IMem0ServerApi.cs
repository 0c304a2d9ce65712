using System.Text.Json.Nodes;
using Refit;

namespace SkMemory.Mem0.Wire;

/// <summary>The self-hosted server (<c>server/main.py</c>): no version prefix and never a trailing slash (the app refuses to redirect slashes).</summary>
internal interface IMem0ServerApi
{
    [Post("/memories")]
    Task<Mem0WireAddResponse> AddAsync([Body] Mem0WireAddRequest body, CancellationToken cancellationToken);

    [Post("/search")]
    Task<Mem0WireResults<Mem0WireMemory>> SearchAsync([Body] Mem0WireSearchRequest body, CancellationToken cancellationToken);

    // Booleans travel as "true"/"false" text: the default formatter would write "True".
    [Get("/memories")]
    Task<Mem0WireResults<Mem0WireMemory>> ListAsync(
        [Query, AliasAs("user_id")] string? userId,
        [Query, AliasAs("agent_id")] string? agentId,
        [Query, AliasAs("run_id")] string? runId,
        [Query, AliasAs("top_k")] int topK,
        [Query, AliasAs("show_expired")] string showExpired,
        CancellationToken cancellationToken);

    // The server answers 200 with a JSON null when it has no such memory.
    [Get("/memories/{memoryId}")]
    Task<Mem0WireMemory?> GetAsync(string memoryId, CancellationToken cancellationToken);

    [Put("/memories/{memoryId}")]
    Task UpdateAsync(string memoryId, [Body] JsonObject body, CancellationToken cancellationToken);

    [Delete("/memories/{memoryId}")]
    Task DeleteAsync(string memoryId, CancellationToken cancellationToken);

    [Get("/memories/{memoryId}/history")]
    Task<List<Mem0WireHistory>> HistoryAsync(string memoryId, CancellationToken cancellationToken);

    [Delete("/memories")]
    Task DeleteAllAsync(
        [Query, AliasAs("user_id")] string? userId,
        [Query, AliasAs("agent_id")] string? agentId,
        [Query, AliasAs("run_id")] string? runId,
        CancellationToken cancellationToken);

    [Get("/entities")]
    Task<JsonNode?> ListEntitiesAsync(CancellationToken cancellationToken);
}
