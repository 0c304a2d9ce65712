using ModelContextProtocol.Protocol;
using SkMemory.Capture;

namespace SkMemory.Mcp.Tools;

/// <summary><c>update_with_conflict_resolution</c>: changes a memory under optimistic concurrency, or lets the store decide.</summary>
internal sealed class UpdateWithConflictResolutionTool(MemoryToolHost host) : MemoryTool<UpdateArgs, UpdateResult>(
    host,
    "update_with_conflict_resolution",
    "Update a memory, resolving conflicts",
    "Change what a memory says. Pass the id and the expected_version you read: if the memory changed since, nothing is written and decision is conflict, "
    + "with the current record (read it, reconcile, retry). policy: fail (default) changes it in place; supersede replaces it with a new version, keeping the old "
    + "one in history (use when a fact changed: a new address, a new preference); merge adds corroborating evidence to it (same fact, new evidence); "
    + "auto (id optional) lets the store compare the value with the subject's memories of that type and decide added, merged, superseded or no_op. "
    + "Returns decision, record, previous (the version before) and reason.",
    McpJsonContext.Default.UpdateArgs,
    McpJsonContext.Default.UpdateResult,
    new ToolAnnotations { Title = "Update a memory, resolving conflicts", ReadOnlyHint = false, IdempotentHint = false, DestructiveHint = false, OpenWorldHint = false })
{
    protected override async Task<UpdateResult> RunAsync(ToolCall call, UpdateArgs args, CancellationToken cancellationToken)
    {
        var policy = args.Policy;
        var evidence = args.Evidence is null ? null : ToolValues.Evidence(args.Evidence, "evidence");
        if (evidence is null && policy is UpdatePolicy.Merge or UpdatePolicy.Auto)
        {
            throw new ToolArgumentException($"evidence is required for policy {(policy == UpdatePolicy.Merge ? "merge" : "auto")}: cite what the value comes from, or set evidence.source_kind to manual.");
        }

        var reason = args.Reason ?? "updated through MCP";
        if (args.Id is not { } id)
        {
            if (policy != UpdatePolicy.Auto)
            {
                throw new ToolArgumentException("id is required unless policy is auto.");
            }

            if (args.ExpectedVersion is not null)
            {
                throw new ToolArgumentException("expected_version needs an id.");
            }

            var type = string.IsNullOrWhiteSpace(args.Type) ? throw new ToolArgumentException("type is required for policy auto without an id.") : args.Type.Trim();
            var target = await call.ResolveAsync(args.Scope, "update", write: true, cancellationToken).ConfigureAwait(false);
            return await AutoAsync(call, target.Tenant, target.Scope, target.RequiredSubject, type, null, args, evidence!, cancellationToken).ConfigureAwait(false);
        }

        var scope = await call.ResolveAsync(args.Scope, "update", write: false, cancellationToken).ConfigureAwait(false);
        var record = await Host.Governed.GetAsync(scope.Tenant, id, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryNotFoundException(scope.Tenant, id);
        await call.CheckRecordAsync(record, "update", cancellationToken).ConfigureAwait(false);
        if (args.Type is { } named && !string.Equals(named.Trim(), record.Type, StringComparison.Ordinal))
        {
            throw new ToolArgumentException($"type is \"{named}\" but memory {id} is a {record.Type}; leave type out or write a new memory.");
        }

        if (args.ExpectedVersion is { } expected && expected != record.Version)
        {
            return Conflict(record, expected);
        }

        var value = new MemoryValue(args.Text, args.Structured);
        var version = args.ExpectedVersion ?? record.Version;
        try
        {
            switch (policy)
            {
                case UpdatePolicy.Supersede:
                    var superseded = await Host.Governed.SupersedeAsync(
                        new MemorySupersedeRequest
                        {
                            Tenant = scope.Tenant,
                            Id = id,
                            ExpectedVersion = version,
                            Actor = call.Actor,
                            Reason = reason,
                            Value = value,
                            Provenance = evidence,
                            Confidence = args.Confidence,
                        },
                        cancellationToken).ConfigureAwait(false);
                    return new UpdateResult("superseded", superseded.Current, reason, superseded.Previous);

                case UpdatePolicy.Merge:
                    var merged = await Host.Governed.MergeAsync(
                        new MemoryMergeRequest
                        {
                            Tenant = scope.Tenant,
                            Id = id,
                            ExpectedVersion = version,
                            Actor = call.Actor,
                            Reason = reason,
                            Evidence = evidence!,
                            Confidence = args.Confidence is { } confidence ? Math.Max(confidence, record.Confidence) : null,
                        },
                        cancellationToken).ConfigureAwait(false);
                    return new UpdateResult("merged", merged, reason, record);

                case UpdatePolicy.Auto:
                    var key = record.Metadata.TryGetValue(MemoryEvolver.KeyMetadata, out var slot) ? slot : null;
                    return await AutoAsync(call, scope.Tenant, record.Scope, record.Subject, record.Type, key, args, evidence!, cancellationToken).ConfigureAwait(false);

                default:
                    var updated = await Host.Governed.UpdateAsync(
                        new MemoryUpdateRequest
                        {
                            Tenant = scope.Tenant,
                            Id = id,
                            ExpectedVersion = version,
                            Actor = call.Actor,
                            Reason = reason,
                            Value = value,
                            Provenance = evidence,
                            Confidence = args.Confidence,
                        },
                        cancellationToken).ConfigureAwait(false);
                    return new UpdateResult("updated", updated, reason, record);
            }
        }
        catch (MemoryConcurrencyException ex)
        {
            // Lost a race between the read above and the change: report the memory as it is now.
            var current = await Host.Governed.GetAsync(scope.Tenant, id, cancellationToken).ConfigureAwait(false) ?? throw new MemoryNotFoundException(scope.Tenant, id);
            return Conflict(current, ex.ExpectedVersion);
        }
    }

    private static UpdateResult Conflict(MemoryRecord current, long expected) =>
        new(
            "conflict",
            current,
            $"memory {current.Id} is at version {current.Version}, not the expected version {expected}; nothing was written: read the current value, reconcile, and retry with expected_version {current.Version}.",
            CurrentVersion: current.Version);

    private async Task<UpdateResult> AutoAsync(ToolCall call, string tenant, MemoryScope scope, string subject, string type, string? key, UpdateArgs args, MemoryProvenance evidence, CancellationToken cancellationToken)
    {
        var evolver = new MemoryEvolver(Host.Governed, new RuleBasedMemoryConflictResolver(), call.Actor, Host.LoggerFactory);
        var candidate = new MemoryCandidate
        {
            Type = type,
            Subject = subject,
            Value = new MemoryValue(args.Text, args.Structured),
            Evidence = evidence,
            Confidence = args.Confidence ?? 1,
            Key = key,
            Extractor = "mcp",
        };
        var outcome = await evolver.EvolveAsync(tenant, scope, candidate, null, cancellationToken).ConfigureAwait(false);
        var decision = outcome.Decision.Action switch
        {
            MemoryEvolveAction.Add => "added",
            MemoryEvolveAction.Merge => "merged",
            MemoryEvolveAction.Supersede => "superseded",
            _ => "no_op",
        };
        return new UpdateResult(decision, outcome.Record, outcome.Decision.Reason, outcome.Previous);
    }
}
