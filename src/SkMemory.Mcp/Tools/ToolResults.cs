namespace SkMemory.Mcp.Tools;

// The structured results of the tools (serialized snake_case by McpJsonContext).

internal sealed record ReadResult(IReadOnlyList<MemoryRecord> Memories, string? NextCursor);

internal sealed record WriteResult(MemoryRecord Record, MemoryWriteOutcome Outcome);

internal sealed record UpdateResult(string Decision, MemoryRecord Record, string Reason, MemoryRecord? Previous = null, long? CurrentVersion = null);

internal sealed record PacketItemView(Guid Id, int Tokens, int? Rank, double? Score);

internal sealed record PacketView(string Text, int Tokens, int Budget, IReadOnlyList<PacketItemView> Items);

internal sealed record SearchHit(MemoryRecord Record, double Score, MemoryScoreBreakdown Breakdown, string? Degradation = null);

internal sealed record SearchResult(PacketView Packet, IReadOnlyList<SearchHit> Results);

internal sealed record ForgetResult(MemoryRecord Record);

internal sealed record HistoryEventView(Guid EventId, long Sequence, MemoryEventType EventType, long Version, DateTimeOffset OccurredAt, MemoryActor Actor, string? Reason, MemoryRecord? Record);

internal sealed record HistoryResult(Guid Id, IReadOnlyList<HistoryEventView> Events);

internal sealed record LineageWriteView(MemoryEventType EventType, long Version, DateTimeOffset At, MemoryActor Actor, string? Reason, MemoryProvenance? Evidence);

internal sealed record LineageReadView(MemoryActor Reader, string Operation, string? Task, double? Score, bool Injected, DateTimeOffset At);

internal sealed record ExplainResult(MemoryRecord Record, IReadOnlyList<LineageWriteView> Writes, IReadOnlyList<Guid> Supersedes, IReadOnlyList<LineageReadView> Reads);

internal sealed record IngestResult(string JobId, MemoryIngestionJobState State, int Items);

internal sealed record JobResult(
    string JobId,
    MemoryIngestionJobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    MemoryIngestionCounts Counts,
    IReadOnlyList<MemoryIngestionStage> Stages,
    IReadOnlyList<MemoryIngestionDecision> Decisions,
    IReadOnlyList<MemoryCandidateRejection> Rejections,
    IReadOnlyList<string> Errors);

internal sealed record ToolError(string Code, string Message, long? CurrentVersion = null, Guid? ExistingId = null);

internal sealed record ErrorResult(ToolError Error);
