using System.Xml;
using ModelContextProtocol.Protocol;

namespace SkMemory.Mcp.Tools;

/// <summary><c>read_by_scope</c>: pages through the memories of a scope.</summary>
internal sealed class ReadByScopeTool(MemoryToolHost host) : MemoryTool<ReadArgs, ReadResult>(
    host,
    "read_by_scope",
    "Read memories by scope",
    "List the memories of a scope (a subject's personal memories, a team's, or the tenant's public ones), one page at a time in creation order. "
    + "Use it to browse or audit what is stored; use search_by_semantics to recall what is relevant to a question. "
    + "Returns memories (id, type, value.text, version, status, provenance...) and next_cursor: pass it as cursor for the next page; it is absent on the last page.",
    McpJsonContext.Default.ReadArgs,
    McpJsonContext.Default.ReadResult,
    new ToolAnnotations { Title = "Read memories by scope", ReadOnlyHint = true, IdempotentHint = true, DestructiveHint = false, OpenWorldHint = false })
{
    public const int MaxPageSize = 200;

    protected override async Task<ReadResult> RunAsync(ToolCall call, ReadArgs args, CancellationToken cancellationToken)
    {
        if (args.PageSize is < 1 or > MaxPageSize)
        {
            throw new ToolArgumentException($"page_size must be between 1 and {MaxPageSize}; it is {args.PageSize}.");
        }

        var scope = await call.ResolveAsync(args.Scope, "read", write: false, cancellationToken).ConfigureAwait(false);
        var page = await Host.Governed.ReadAsync(
            new MemoryQuery
            {
                Tenant = scope.Tenant,
                Subject = scope.Subject,
                ScopeKinds = [scope.Scope.Kind],
                Team = scope.Scope.Team,
                Agent = scope.Scope.Agent,
                Session = scope.Scope.Session,
                Types = ToolValues.Types(args.Types),
                Statuses = args.Statuses is { Count: > 0 } statuses ? statuses : null,
                PageSize = args.PageSize,
                Cursor = args.Cursor,
            },
            cancellationToken).ConfigureAwait(false);
        return new ReadResult(page.Items, page.NextCursor);
    }
}

/// <summary><c>write_with_provenance</c>: writes one memory with its evidence.</summary>
internal sealed class WriteWithProvenanceTool(MemoryToolHost host) : MemoryTool<WriteArgs, WriteResult>(
    host,
    "write_with_provenance",
    "Write a memory with its evidence",
    "Store one durable memory about a subject: a self-contained sentence naming the subject (\"Ana is allergic to peanuts\"), its type, and the evidence it comes from "
    + "(message ids, tool call ids, file hashes or quoted spans; source_kind manual only for something the user asked you to remember directly). "
    + "Do not store transient states, guesses or secrets. Writing the same content again, or the same idempotency_key, stores nothing new: "
    + "outcome is created, idempotent_replay or duplicate_content, with the record; held_for_review means a review policy holds it until a person approves it (nothing is stored yet).",
    McpJsonContext.Default.WriteArgs,
    McpJsonContext.Default.WriteResult,
    new ToolAnnotations { Title = "Write a memory with its evidence", ReadOnlyHint = false, IdempotentHint = true, DestructiveHint = false, OpenWorldHint = false })
{
    protected override async Task<WriteResult> RunAsync(ToolCall call, WriteArgs args, CancellationToken cancellationToken)
    {
        var evidence = ToolValues.Evidence(args.Evidence, "evidence");
        var ttl = ToolValues.Ttl(args.Ttl);
        var scope = await call.ResolveAsync(args.Scope, "write", write: true, cancellationToken).ConfigureAwait(false);
        var written = await Host.Governed.WriteAsync(
            new MemoryWriteRequest
            {
                Tenant = scope.Tenant,
                Type = args.Type.Trim(),
                Scope = scope.Scope,
                Subject = scope.RequiredSubject,
                Actor = call.Actor,
                Value = new MemoryValue(args.Text, args.Structured),
                Provenance = evidence,
                Confidence = args.Confidence ?? 1,
                Salience = args.Salience ?? 0.5,
                Ttl = ttl,
                Metadata = args.Metadata,
                IdempotencyKey = args.IdempotencyKey,
                Reason = args.Reason ?? "written through MCP",
            },
            cancellationToken).ConfigureAwait(false);
        return new WriteResult(written.Record, written.Outcome);
    }
}

/// <summary>Conversions shared by the tools.</summary>
internal static class ToolValues
{
    public static IReadOnlyList<string>? Types(IReadOnlyList<string>? types) =>
        types is { Count: > 0 } ? [.. types.Select(t => string.IsNullOrWhiteSpace(t) ? throw new ToolArgumentException("types must not contain blank names.") : t.Trim())] : null;

    /// <summary>The evidence as provenance; items are required unless the source kind is manual.</summary>
    public static MemoryProvenance Evidence(EvidenceArgs evidence, string field)
    {
        var provenance = new MemoryProvenance
        {
            SourceKind = evidence.SourceKind,
            MessageIds = evidence.MessageIds ?? [],
            ToolCallIds = evidence.ToolCallIds ?? [],
            FileHashes = evidence.FileHashes ?? [],
            QuotedSpans = evidence.QuotedSpans ?? [],
            ObservedAt = evidence.ObservedAt,
        };
        if (!provenance.HasEvidence && evidence.SourceKind != MemorySourceKind.Manual)
        {
            throw new ToolArgumentException(
                $"{field} cites nothing: give message_ids, tool_call_ids, file_hashes or quoted_spans, or set {field}.source_kind to manual for something stated directly.");
        }

        return provenance;
    }

    public static TimeSpan? Ttl(string? ttl)
    {
        if (ttl is null)
        {
            return null;
        }

        TimeSpan value;
        try
        {
            value = XmlConvert.ToTimeSpan(ttl.Trim());
        }
        catch (FormatException)
        {
            throw new ToolArgumentException($"ttl must be an ISO 8601 duration such as P30D or PT12H; it is \"{ttl}\".");
        }

        return value > TimeSpan.Zero ? value : throw new ToolArgumentException($"ttl must be positive; it is \"{ttl}\".");
    }
}
