using System.ComponentModel;
using System.Text.Json;

namespace SkMemory.Mcp.Tools;

// The arguments of each tool, read from the call's JSON with McpJsonContext (snake_case, unknown properties refused,
// required ones enforced). [Description] and [DefaultValue] go into the input schemas the tools publish.

/// <summary>Where a tool reads or writes: required by every tool.</summary>
internal sealed record ScopeArgs
{
    [Description("The tenant. Defaults to the API key's tenant; any other tenant is refused.")]
    public string? Tenant { get; set; }

    [Description("Who or what the memories are about (a user id). Required for writes; narrows reads.")]
    public string? Subject { get; set; }

    [Description("personal (about one subject), team (shared with a team; needs team) or public (tenant-wide).")]
    [DefaultValue("personal")]
    public MemoryScopeKind Kind { get; set; } = MemoryScopeKind.Personal;

    [Description("The team, required when kind is team and not allowed otherwise.")]
    public string? Team { get; set; }

    [Description("Narrows to one agent's memories.")]
    public string? Agent { get; set; }

    [Description("Narrows to one session's memories.")]
    public string? Session { get; set; }
}

/// <summary>The evidence a write or an update cites.</summary>
internal sealed record EvidenceArgs
{
    [Description("Where the memory came from: message, tool, document, manual (stated directly, no evidence needed), import or derived.")]
    [DefaultValue("message")]
    public MemorySourceKind SourceKind { get; set; } = MemorySourceKind.Message;

    [Description("Ids of the conversation messages the memory was observed in.")]
    public IReadOnlyList<string>? MessageIds { get; set; }

    [Description("Ids of the tool calls the memory came from.")]
    public IReadOnlyList<string>? ToolCallIds { get; set; }

    [Description("Content hashes (sha256:...) of the files the memory came from.")]
    public IReadOnlyList<string>? FileHashes { get; set; }

    [Description("Exact spans of source text that support the memory.")]
    public IReadOnlyList<string>? QuotedSpans { get; set; }

    [Description("When the evidence was observed (ISO 8601).")]
    public DateTimeOffset? ObservedAt { get; set; }
}

internal sealed record ReadArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("Only memories of these types (preference, identifier, asset, skill, constraint, fact, event, or a custom type).")]
    public IReadOnlyList<string>? Types { get; set; }

    [Description("Only memories in these statuses; active only when omitted.")]
    public IReadOnlyList<MemoryStatus>? Statuses { get; set; }

    [Description("How many memories per page, 1..200.")]
    [DefaultValue(50)]
    public int PageSize { get; set; } = 50;

    [Description("The next_cursor of the previous page; omit for the first page.")]
    public string? Cursor { get; set; }
}

internal sealed record WriteArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("The memory as one self-contained sentence naming the subject (\"Ana prefers oat milk\"), never \"I\".")]
    public required string Text { get; set; }

    [Description("The memory type: preference, identifier, asset, skill, constraint, fact, event, or a type the store registered.")]
    public required string Type { get; set; }

    [Description("An optional structured value (JSON), validated against the type's schema when it has one.")]
    public JsonElement? Structured { get; set; }

    [Description("Where the memory came from. Cite at least one message id, tool call id, file hash or quoted span, unless source_kind is manual.")]
    public required EvidenceArgs Evidence { get; set; }

    [Description("How sure you are that it is true, 0..1.")]
    [DefaultValue(1.0)]
    public double? Confidence { get; set; }

    [Description("How important it is to recall, 0..1.")]
    [DefaultValue(0.5)]
    public double? Salience { get; set; }

    [Description("Time to live as an ISO 8601 duration (P30D, PT12H); never expires when omitted.")]
    public string? Ttl { get; set; }

    [Description("String metadata, filterable by exact match.")]
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }

    [Description("A key that makes the write idempotent: repeating it returns the first record.")]
    public string? IdempotencyKey { get; set; }

    [Description("Why the memory is written; recorded on the event.")]
    public string? Reason { get; set; }
}

/// <summary>How update_with_conflict_resolution applies a new value.</summary>
internal enum UpdatePolicy
{
    /// <summary>Change the memory in place; a stale expected_version is reported as a conflict.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("fail")]
    Fail,

    /// <summary>Replace the memory with a new version (the old one stays in history).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("supersede")]
    Supersede,

    /// <summary>The new value corroborates the memory: its evidence is added and confidence may rise.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("merge")]
    Merge,

    /// <summary>Let the store decide add, merge, supersede or no-op against the subject's memories of the type.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("auto")]
    Auto,
}

internal sealed record UpdateArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("The memory to change (uuid). Required unless policy is auto.")]
    public Guid? Id { get; set; }

    [Description("The new value as one self-contained sentence naming the subject.")]
    public required string Text { get; set; }

    [Description("The memory type; with an id it must match the memory's type. Required for auto without an id.")]
    public string? Type { get; set; }

    [Description("An optional new structured value (JSON).")]
    public JsonElement? Structured { get; set; }

    [Description("The version you read. If the memory changed since, nothing is written and the decision is conflict, with the current version and value.")]
    public long? ExpectedVersion { get; set; }

    [Description("fail: change in place; supersede: replace with a new version; merge: add corroborating evidence; auto: let the store decide add/merge/supersede/no-op.")]
    [DefaultValue("fail")]
    public UpdatePolicy Policy { get; set; } = UpdatePolicy.Fail;

    [Description("The evidence for the new value (required for merge and auto unless source_kind is manual).")]
    public EvidenceArgs? Evidence { get; set; }

    [Description("How sure you are of the new value, 0..1.")]
    public double? Confidence { get; set; }

    [Description("Why the memory changes; recorded on the event.")]
    public string? Reason { get; set; }
}

/// <summary>The search modes, by their JSON names.</summary>
internal enum SearchModeArg
{
    /// <summary>Meaning and words, fused.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("hybrid")]
    Hybrid,

    /// <summary>Meaning only (needs an embedding model).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("vector")]
    Vector,

    /// <summary>Words only (full text).</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("text")]
    Text,
}

internal sealed record SearchArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("What to recall, in natural language (usually the user's latest message).")]
    public required string Query { get; set; }

    [Description("How many memories to retrieve before packing, 1..50.")]
    [DefaultValue(10)]
    public int Top { get; set; } = 10;

    [Description("The packet's hard token budget (16..100000); the server default when omitted.")]
    public int? TokenBudget { get; set; }

    [Description("Only memories of these types.")]
    public IReadOnlyList<string>? Types { get; set; }

    [Description("hybrid (meaning and words, fused), vector or text.")]
    [DefaultValue("hybrid")]
    public SearchModeArg Mode { get; set; } = SearchModeArg.Hybrid;

    [Description("The task you are doing, recorded in the read audit with every memory injected.")]
    public string? Task { get; set; }
}

internal sealed record ForgetArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("The memory to delete (uuid).")]
    public required Guid Id { get; set; }

    [Description("Why it is deleted (kept in the log), for example \"user asked to forget it\".")]
    public required string Reason { get; set; }

    [Description("The version you read; a stale version deletes nothing.")]
    public long? ExpectedVersion { get; set; }
}

internal sealed record IdArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("The memory id (uuid).")]
    public required Guid Id { get; set; }
}

internal sealed record IngestMessageArgs
{
    [Description("The message id, unique in the conversation; memories cite it as evidence.")]
    public required string Id { get; set; }

    [Description("user, assistant, system or tool. Only user turns state facts about people.")]
    public required MemoryMessageRole Role { get; set; }

    [Description("The message text.")]
    public required string Content { get; set; }

    [Description("Who said it (a name); the role when omitted.")]
    public string? Speaker { get; set; }

    [Description("When it was said (ISO 8601); relative dates are grounded against it. Now when omitted.")]
    public DateTimeOffset? CreatedAt { get; set; }
}

internal sealed record IngestToolOutputArgs
{
    [Description("The tool call id; memories cite it as evidence.")]
    public required string ToolCallId { get; set; }

    [Description("The tool's name.")]
    public required string ToolName { get; set; }

    [Description("The output text (JSON or prose).")]
    public required string Content { get; set; }

    [Description("When the tool returned it (ISO 8601).")]
    public DateTimeOffset? CreatedAt { get; set; }
}

internal sealed record IngestDocumentArgs
{
    [Description("The document's name or path.")]
    public required string Name { get; set; }

    [Description("The document's text.")]
    public required string Content { get; set; }

    [Description("True for content from outside the subject (a web page): it is not promoted to memory about them.")]
    [DefaultValue(false)]
    public bool External { get; set; }

    [Description("When it was read (ISO 8601).")]
    public DateTimeOffset? CreatedAt { get; set; }
}

internal sealed record IngestArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("Conversation turns, oldest first.")]
    public IReadOnlyList<IngestMessageArgs>? Messages { get; set; }

    [Description("Tool outputs.")]
    public IReadOnlyList<IngestToolOutputArgs>? ToolOutputs { get; set; }

    [Description("Documents.")]
    public IReadOnlyList<IngestDocumentArgs>? Documents { get; set; }
}

internal sealed record JobArgs
{
    public required ScopeArgs Scope { get; set; }

    [Description("The job id (ing_...) that ingest returned.")]
    public required string JobId { get; set; }
}
