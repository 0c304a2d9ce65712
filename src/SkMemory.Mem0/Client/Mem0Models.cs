using System.Text.Json.Nodes;

namespace SkMemory.Mem0;

/// <summary>The entity ids Mem0 scopes a memory by. <see cref="AppId"/> exists on the Platform only.</summary>
/// <param name="UserId">The user the memory is about.</param>
/// <param name="AgentId">The agent the memory belongs to.</param>
/// <param name="AppId">The application (Platform only; the self-hosted server has no app id).</param>
/// <param name="RunId">The run or session (the Platform names it <c>session_id</c> on some reads).</param>
public sealed record Mem0Entities(string? UserId = null, string? AgentId = null, string? AppId = null, string? RunId = null)
{
    /// <summary>Gets a value indicating whether no id is set (Mem0 refuses most calls then).</summary>
    public bool IsEmpty => UserId is null && AgentId is null && AppId is null && RunId is null;
}

/// <summary>One message sent to Mem0's add endpoint.</summary>
/// <param name="Role">user, assistant or system.</param>
/// <param name="Content">The message text.</param>
public sealed record Mem0Message(string Role, string Content);

/// <summary>An add call: messages Mem0 extracts memories from (or stores verbatim with <see cref="Infer"/> off).</summary>
public sealed record Mem0AddRequest
{
    /// <summary>Gets the messages; at least one.</summary>
    public required IReadOnlyList<Mem0Message> Messages { get; init; }

    /// <summary>Gets the entity ids; at least one must be set.</summary>
    public required Mem0Entities Entities { get; init; }

    /// <summary>Gets free-form metadata stored with every memory the call creates.</summary>
    public JsonObject? Metadata { get; init; }

    /// <summary>Gets a value indicating whether Mem0 extracts facts (true) or stores each message verbatim (false).</summary>
    public bool Infer { get; init; } = true;

    /// <summary>Gets the date after which Mem0 hides the memories (unless asked to show expired ones).</summary>
    public DateOnly? ExpirationDate { get; init; }

    /// <summary>Gets the time to back-date <c>created_at</c> to (Platform only).</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets a value indicating whether Mem0 must never update or consolidate the memories (Platform only).</summary>
    public bool Immutable { get; init; }
}

/// <summary>One memory an add call created (or changed, on older pipelines).</summary>
/// <param name="Id">The Mem0 memory id.</param>
/// <param name="Memory">The stored text.</param>
/// <param name="Event">ADD, UPDATE, DELETE or NOOP.</param>
public sealed record Mem0AddResult(string Id, string Memory, string Event);

/// <summary>A memory as Mem0 returns it from get, list and search.</summary>
public sealed record Mem0Memory
{
    /// <summary>Gets the Mem0 memory id (a UUID).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the memory text.</summary>
    public required string Memory { get; init; }

    /// <summary>Gets the md5 of the text, when Mem0 returns it.</summary>
    public string? Hash { get; init; }

    /// <summary>Gets the entity ids stored on the memory.</summary>
    public Mem0Entities Entities { get; init; } = new();

    /// <summary>Gets the metadata stored with the memory.</summary>
    public JsonObject? Metadata { get; init; }

    /// <summary>Gets the Platform's categories.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Gets the relevance score (search only).</summary>
    public double? Score { get; init; }

    /// <summary>Gets when Mem0 created the memory.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets when Mem0 last updated the memory.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Gets the date after which Mem0 hides the memory.</summary>
    public DateOnly? ExpirationDate { get; init; }
}

/// <summary>A search call.</summary>
public sealed record Mem0SearchRequest
{
    /// <summary>Gets the query text; must not be blank.</summary>
    public required string Query { get; init; }

    /// <summary>Gets the entity ids the search is scoped to; at least one must be set.</summary>
    public required Mem0Entities Entities { get; init; }

    /// <summary>Gets metadata equality conditions added to the filters.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Gets how many results to return.</summary>
    public int? TopK { get; init; }

    /// <summary>Gets the minimum score, 0 to 1.</summary>
    public double? Threshold { get; init; }

    /// <summary>Gets a value indicating whether expired memories are returned too.</summary>
    public bool ShowExpired { get; init; }
}

/// <summary>A list (get all) call, one page at a time.</summary>
public sealed record Mem0ListRequest
{
    /// <summary>Gets the entity ids to list; at least one must be set.</summary>
    public required Mem0Entities Entities { get; init; }

    /// <summary>Gets the 1-based page (Platform). The self-hosted server has no paging: page 1 returns up to <see cref="PageSize"/> memories.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Gets the page size: 1 to 200 on the Platform, up to 1000 on the self-hosted server.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Gets a value indicating whether expired memories are listed too.</summary>
    public bool ShowExpired { get; init; }
}

/// <summary>One page of a list call.</summary>
/// <param name="Results">The memories on this page.</param>
/// <param name="TotalCount">The total number of matching memories, when the API says.</param>
/// <param name="HasMore">Whether a next page exists.</param>
public sealed record Mem0Page(IReadOnlyList<Mem0Memory> Results, int? TotalCount, bool HasMore);

/// <summary>An update call: only what is set is sent.</summary>
public sealed record Mem0UpdateRequest
{
    /// <summary>Gets the new text.</summary>
    public string? Text { get; init; }

    /// <summary>Gets metadata to merge into the memory's metadata (Mem0 merges shallowly).</summary>
    public JsonObject? Metadata { get; init; }

    /// <summary>Gets the new expiration date.</summary>
    public DateOnly? ExpirationDate { get; init; }

    /// <summary>Gets a value indicating whether the expiration date is cleared (sent as an explicit null).</summary>
    public bool ClearExpirationDate { get; init; }
}

/// <summary>One entry of a batch update.</summary>
/// <param name="MemoryId">The Mem0 memory id.</param>
/// <param name="Text">The new text, if any.</param>
/// <param name="Metadata">Metadata to merge, if any.</param>
public sealed record Mem0BatchUpdate(string MemoryId, string? Text = null, JsonObject? Metadata = null);

/// <summary>One row of a memory's history in Mem0.</summary>
public sealed record Mem0HistoryEntry
{
    /// <summary>Gets the history row id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the memory id.</summary>
    public required string MemoryId { get; init; }

    /// <summary>Gets the text before the change.</summary>
    public string? OldMemory { get; init; }

    /// <summary>Gets the text after the change.</summary>
    public string? NewMemory { get; init; }

    /// <summary>Gets ADD, UPDATE or DELETE.</summary>
    public required string Event { get; init; }

    /// <summary>Gets when the row was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets when the row was updated.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Gets a value indicating whether the row records a deletion.</summary>
    public bool IsDeleted { get; init; }
}

/// <summary>An entity (user, agent, app or run) that has memories in Mem0.</summary>
/// <param name="Type">user, agent, app or run.</param>
/// <param name="Name">The entity id as used in memory calls.</param>
/// <param name="TotalMemories">How many memories it has, when the API says.</param>
public sealed record Mem0Entity(string Type, string Name, int? TotalMemories);
