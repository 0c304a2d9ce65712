using ModelContextProtocol.Protocol;
using SkMemory.Capture;

namespace SkMemory.Mcp.Tools;

/// <summary><c>ingest</c>: starts an ingestion job that extracts memories in the background.</summary>
internal sealed class IngestTool(MemoryToolHost host) : MemoryTool<IngestArgs, IngestResult>(
    host,
    "ingest",
    "Ingest a conversation",
    "Hand over conversation messages, tool outputs and documents; the server extracts durable memories about scope.subject in the background "
    + "(transient, speculative and evidence-less statements are rejected with a reason) and adds, merges or supersedes memories. "
    + "Returns job_id at once with state pending; poll get_job until state is completed or failed. Ingesting the same items again creates nothing new.",
    McpJsonContext.Default.IngestArgs,
    McpJsonContext.Default.IngestResult,
    new ToolAnnotations { Title = "Ingest a conversation", ReadOnlyHint = false, IdempotentHint = true, DestructiveHint = false, OpenWorldHint = false })
{
    protected override async Task<IngestResult> RunAsync(ToolCall call, IngestArgs args, CancellationToken cancellationToken)
    {
        var messages = args.Messages ?? [];
        var toolOutputs = args.ToolOutputs ?? [];
        var documents = args.Documents ?? [];
        if (messages.Count + toolOutputs.Count + documents.Count == 0)
        {
            throw new ToolArgumentException("give at least one of messages, tool_outputs or documents.");
        }

        var scope = await call.ResolveAsync(args.Scope, "ingest", write: true, cancellationToken).ConfigureAwait(false);
        var subject = scope.RequiredSubject;

        // The job is stored before any memory is written: refuse up front what the access policy would refuse later.
        await call.CheckWriteAsync(scope, subject, "ingest", cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var input = new MemoryExtractionRequest
        {
            Tenant = scope.Tenant,
            Subject = subject,
            Scope = scope.Scope,
            Messages = [.. messages.Select(m => new MemoryMessage
            {
                Id = m.Id,
                Speaker = m.Speaker ?? (m.Role == MemoryMessageRole.User ? subject : MemoryJson.EnumName(m.Role)),
                Role = m.Role,
                Text = m.Content,
                ObservedAt = m.CreatedAt ?? now,
                Session = scope.Scope.Session,
            })],
            ToolOutputs = [.. toolOutputs.Select(t => new MemoryToolOutput { ToolCallId = t.ToolCallId, ToolName = t.ToolName, Text = t.Content, ObservedAt = t.CreatedAt ?? now })],
            Documents = [.. documents.Select(d => new MemoryDocument { Name = d.Name, Text = d.Content, External = d.External, ObservedAt = d.CreatedAt ?? now })],
        };
        var pipeline = new MemoryCapturePipeline(Host.Governed, new RuleBasedMemoryExtractor(), new MemoryCaptureOptions { Actor = call.Actor }, Host.LoggerFactory);
        var job = await pipeline.IngestAsync(input, defer: true, cancellationToken).ConfigureAwait(false);
        var tenant = scope.Tenant;
        Host.RunInBackground(token => pipeline.RunAsync(tenant, job.Id, token));
        return new IngestResult(job.Id, job.State, job.Counts.Items);
    }
}

/// <summary><c>get_job</c>: an ingestion job's state, counts, decisions and errors.</summary>
internal sealed class GetJobTool(MemoryToolHost host) : MemoryTool<JobArgs, JobResult>(
    host,
    "get_job",
    "Get an ingestion job",
    "Get an ingestion job started by ingest: state (pending, running, completed, failed), counts (items, candidates, accepted, rejected, added, merged, superseded, no_op), "
    + "every decision with its reason and memory id, every rejection with its reason, and errors.",
    McpJsonContext.Default.JobArgs,
    McpJsonContext.Default.JobResult,
    new ToolAnnotations { Title = "Get an ingestion job", ReadOnlyHint = true, IdempotentHint = true, DestructiveHint = false, OpenWorldHint = false })
{
    protected override async Task<JobResult> RunAsync(ToolCall call, JobArgs args, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(args.JobId))
        {
            throw new ToolArgumentException("job_id must not be blank.");
        }

        var scope = await call.ResolveAsync(args.Scope, "get_job", write: false, cancellationToken).ConfigureAwait(false);
        if (!call.Caller.MayEnter(scope.Tenant))
        {
            throw new MemoryException(MemoryErrorCode.AccessDenied, $"{call.Actor} cannot read ingestion jobs of tenant '{scope.Tenant}'.");
        }

        var jobs = Host.Canonical.GetService(typeof(IMemoryIngestionJobStore)) as IMemoryIngestionJobStore
            ?? throw new MemoryException(MemoryErrorCode.NotSupported, "This store keeps no ingestion jobs.");
        var job = await jobs.GetJobAsync(scope.Tenant, args.JobId.Trim(), cancellationToken).ConfigureAwait(false);

        // A job holds its input (the conversation): it is shown only to callers who may act for its subject, as "not found" otherwise.
        if (job is null || !call.MaySee(job))
        {
            throw new MemoryException(MemoryErrorCode.NotFound, $"Tenant '{scope.Tenant}' has no ingestion job '{args.JobId}' this caller may see.");
        }

        return new JobResult(job.Id, job.State, job.CreatedAt, job.UpdatedAt, job.Counts, job.Stages, job.Decisions, job.Rejections, job.Errors);
    }
}
