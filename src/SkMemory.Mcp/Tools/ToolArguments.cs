using System.ComponentModel;
using System.Text.Json;

namespace SkMemory.Mcp.Tools;

// The arguments of each tool, read from the call's JSON with McpJsonContext (snake_case, unknown properties refused,
// required ones enforced). [Description] and [DefaultValue] go into the input schemas the tools publish.

/// <summary>Where a tool reads or writes: required by every tool.</summary>
internal sealed record ScopeArgs
{
    [Description("The tenant. Defaults to the API key's tenant; any other tenant is refused.")]
    public string? Tenant { get; init; }

    [Description("Who or what the memories are about (a user id). Required for writes; narrows reads.")]
    public string? Subject { get; init; }

    [Description("personal (about one subject), team (shared with a team; needs team) or public (tenant-wide).")]
    [DefaultValue("personal")]
    public MemoryScopeKind Kind { get; init; } = MemoryScopeKind.Personal;

    [Description("The team, required when kind is team and not allowed otherwise.")]
    public string? Team { get; init; }

    [Description("Narrows to one agent's memories.")]
    public string? Agent { get; init; }

    [Description("Narrows to one session's memories.")]
    public string? Session { get; init; }
}

/// <summary>The evidence a write or an update cites.</summary>
internal sealed record EvidenceArgs
{
    [Description("Where the memory came from: message, tool, document, manual (stated directly, no evidence needed), import or derived.")]
    [DefaultValue("message")]
    public MemorySourceKind SourceKind { get; init; } = MemorySourceKind.Message;

    [Description("Ids of the conversation messages the memory was observed in.")]
    public IReadOnlyList<string>? MessageIds { get; init; }

    [Description("Ids of the tool calls the memory came from.")]
    public IReadOnlyList<string>? ToolCallIds { get; init; }

    [Description("Content hashes (sha256:...) of the files the memory came from.")]
    public IReadOnlyList<string>? FileHashes { get; init; }

    [Description("Exact spans of source text that support the memory.")]
    public IReadOnlyList<string>? QuotedSpans { get; init; }

    [Description("When the evidence was observed (ISO 8601).")]
    public DateTimeOffset? ObservedAt { get; init; }
}

internal sealed record ReadArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("Only memories of these types (preference, identifier, asset, skill, constraint, fact, event, or a custom type).")]
    public IReadOnlyList<string>? Types { get; init; }

    [Description("Only memories in these statuses; active only when omitted.")]
    public IReadOnlyList<MemoryStatus>? Statuses { get; init; }

    [Description("How many memories per page, 1..200.")]
    [DefaultValue(50)]
    public int PageSize { get; init; } = 50;

    [Description("The next_cursor of the previous page; omit for the first page.")]
    public string? Cursor { get; init; }
}

internal sealed record WriteArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("The memory as one self-contained sentence naming the subject (\"Ana prefers oat milk\"), never \"I\".")]
    public required string Text { get; init; }

    [Description("The memory type: preference, identifier, asset, skill, constraint, fact, event, or a type the store registered.")]
    public required string Type { get; init; }

    [Description("An optional structured value (JSON), validated against the type's schema when it has one.")]
    public JsonElement? Structured { get; init; }

    [Description("Where the memory came from. Cite at least one message id, tool call id, file hash or quoted span, unless source_kind is manual.")]
    public required EvidenceArgs Evidence { get; init; }

    [Description("How sure you are that it is true, 0..1.")]
    [DefaultValue(1.0)]
    public double? Confidence { get; init; }

    [Description("How important it is to recall, 0..1.")]
    [DefaultValue(0.5)]
    public double? Salience { get; init; }

    [Description("Time to live as an ISO 8601 duration (P30D, PT12H); never expires when omitted.")]
    public string? Ttl { get; init; }

    [Description("String metadata, filterable by exact match.")]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    [Description("A key that makes the write idempotent: repeating it returns the first record.")]
    public string? IdempotencyKey { get; init; }

    [Description("Why the memory is written; recorded on the event.")]
    public string? Reason { get; init; }
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
    public required ScopeArgs Scope { get; init; }

    [Description("The memory to change (uuid). Required unless policy is auto.")]
    public Guid? Id { get; init; }

    [Description("The new value as one self-contained sentence naming the subject.")]
    public required string Text { get; init; }

    [Description("The memory type; with an id it must match the memory's type. Required for auto without an id.")]
    public string? Type { get; init; }

    [Description("An optional new structured value (JSON).")]
    public JsonElement? Structured { get; init; }

    [Description("The version you read. If the memory changed since, nothing is written and the decision is conflict, with the current version and value.")]
    public long? ExpectedVersion { get; init; }

    [Description("fail: change in place; supersede: replace with a new version; merge: add corroborating evidence; auto: let the store decide add/merge/supersede/no-op.")]
    [DefaultValue("fail")]
    public UpdatePolicy Policy { get; init; } = UpdatePolicy.Fail;

    [Description("The evidence for the new value (required for merge and auto unless source_kind is manual).")]
    public EvidenceArgs? Evidence { get; init; }

    [Description("How sure you are of the new value, 0..1.")]
    public double? Confidence { get; init; }

    [Description("Why the memory changes; recorded on the event.")]
    public string? Reason { get; init; }
}

internal sealed record SearchArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("What to recall, in natural language (usually the user's latest message).")]
    public required string Query { get; init; }

    [Description("How many memories to retrieve before packing, 1..50.")]
    [DefaultValue(10)]
    public int Top { get; init; } = 10;

    [Description("The packet's hard token budget (16..100000); the server default when omitted.")]
    public int? TokenBudget { get; init; }

    [Description("Only memories of these types.")]
    public IReadOnlyList<string>? Types { get; init; }

    [Description("hybrid (meaning and words, fused), vector or text.")]
    [DefaultValue("hybrid")]
    public MemorySearchMode Mode { get; init; } = MemorySearchMode.Hybrid;

    [Description("The task you are doing, recorded in the read audit with every memory injected.")]
    public string? Task { get; init; }
}

internal sealed record ForgetArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("The memory to delete (uuid).")]
    public required Guid Id { get; init; }

    [Description("Why it is deleted (kept in the log), for example \"user asked to forget it\".")]
    public required string Reason { get; init; }

    [Description("The version you read; a stale version deletes nothing.")]
    public long? ExpectedVersion { get; init; }
}

internal sealed record IdArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("The memory id (uuid).")]
    public required Guid Id { get; init; }
}

internal sealed record IngestMessageArgs
{
    [Description("The message id, unique in the conversation; memories cite it as evidence.")]
    public required string Id { get; init; }

    [Description("user, assistant, system or tool. Only user turns state facts about people.")]
    public required MemoryMessageRole Role { get; init; }

    [Description("The message text.")]
    public required string Content { get; init; }

    [Description("Who said it (a name); the role when omitted.")]
    public string? Speaker { get; init; }

    [Description("When it was said (ISO 8601); relative dates are grounded against it. Now when omitted.")]
    public DateTimeOffset? CreatedAt { get; init; }
}

internal sealed record IngestToolOutputArgs
{
    [Description("The tool call id; memories cite it as evidence.")]
    public required string ToolCallId { get; init; }

    [Description("The tool's name.")]
    public required string ToolName { get; init; }

    [Description("The output text (JSON or prose).")]
    public required string Content { get; init; }

    [Description("When the tool returned it (ISO 8601).")]
    public DateTimeOffset? CreatedAt { get; init; }
}

internal sealed record IngestDocumentArgs
{
    [Description("The document's name or path.")]
    public required string Name { get; init; }

    [Description("The document's text.")]
    public required string Content { get; init; }

    [Description("True for content from outside the subject (a web page): it is not promoted to memory about them.")]
    [DefaultValue(false)]
    public bool External { get; init; }

    [Description("When it was read (ISO 8601).")]
    public DateTimeOffset? CreatedAt { get; init; }
}

internal sealed record IngestArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("Conversation turns, oldest first.")]
    public IReadOnlyList<IngestMessageArgs>? Messages { get; init; }

    [Description("Tool outputs.")]
    public IReadOnlyList<IngestToolOutputArgs>? ToolOutputs { get; init; }

    [Description("Documents.")]
    public IReadOnlyList<IngestDocumentArgs>? Documents { get; init; }
}

internal sealed record JobArgs
{
    public required ScopeArgs Scope { get; init; }

    [Description("The job id (ing_...) that ingest returned.")]
    public required string JobId { get; init; }
}
