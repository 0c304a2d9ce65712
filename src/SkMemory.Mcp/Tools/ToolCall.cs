namespace SkMemory.Mcp.Tools;

/// <summary>A scope argument after validation: the tenant, the subject if any, and the memory scope.</summary>
internal sealed record ResolvedScope(string Tenant, string? Subject, MemoryScope Scope)
{
    /// <summary>Gets the subject, which writes require (checked by <see cref="ToolCall.ResolveAsync"/>).</summary>
    public string RequiredSubject => Subject ?? throw new ToolArgumentException("scope.subject is required to write.");
}

/// <summary>One tool call: who makes it, and the checks every tool applies before it touches the store.</summary>
internal sealed class ToolCall(MemoryToolHost host, ToolCaller identity)
{
    public MemoryToolHost Host => host;

    public MemoryCaller Caller => identity.Caller;

    public MemoryApiKey? Key => identity.Key;

    public MemoryActor Actor => identity.Caller.Actor;

    /// <summary>
    /// Validates the scope argument: the tenant defaults to the caller's (with an API key, any other is refused and
    /// audited); a team scope names its team and no other names one; writes name their subject; an API key limited to
    /// some scope kinds is refused the others.
    /// </summary>
    public async Task<ResolvedScope> ResolveAsync(ScopeArgs scope, string operation, bool write, CancellationToken cancellationToken)
    {
        var tenant = Optional(scope.Tenant, "scope.tenant") ?? Caller.Tenant;
        var subject = Optional(scope.Subject, "scope.subject");
        var team = Optional(scope.Team, "scope.team");
        var agent = Optional(scope.Agent, "scope.agent");
        var session = Optional(scope.Session, "scope.session");
        if (scope.Kind == MemoryScopeKind.Team && team is null)
        {
            throw new ToolArgumentException("scope.team is required when scope.kind is team.");
        }

        if (scope.Kind != MemoryScopeKind.Team && team is not null)
        {
            throw new ToolArgumentException($"scope.team is only allowed when scope.kind is team (it is {MemoryJson.EnumName(scope.Kind)}).");
        }

        if (write && subject is null)
        {
            throw new ToolArgumentException("scope.subject is required to write: name who or what the memory is about.");
        }

        var memoryScope = new MemoryScope { Kind = scope.Kind, Team = team, Agent = agent, Session = session };
        if (Key is { } key)
        {
            if (!string.Equals(tenant, key.Tenant, StringComparison.Ordinal))
            {
                await DenyAsync(operation, MemoryAccessDenialReason.CrossTenant, $"The API key {key.Id} works in tenant '{key.Tenant}' only and cannot {operation} in tenant '{tenant}'; leave scope.tenant out or use a key of that tenant.", subject, memoryScope, null, cancellationToken).ConfigureAwait(false);
            }

            await CheckKindAsync(scope.Kind, operation, subject, memoryScope, null, cancellationToken).ConfigureAwait(false);
        }

        return new ResolvedScope(tenant, subject, memoryScope);
    }

    /// <summary>Refuses, and audits, a memory whose scope kind the caller's API key does not allow.</summary>
    public Task CheckRecordAsync(MemoryRecord record, string operation, CancellationToken cancellationToken) =>
        Key is null ? Task.CompletedTask : CheckKindAsync(record.Scope.Kind, operation, record.Subject, record.Scope, record.Id, cancellationToken);

    /// <summary>Refuses, and audits, a write the access policy would refuse: the same rules, checked before anything is stored.</summary>
    public async Task CheckWriteAsync(ResolvedScope scope, string subject, string operation, CancellationToken cancellationToken)
    {
        if (Caller.HasRole(MemoryRoles.Admin))
        {
            return;
        }

        var (reason, detail) = scope.Scope.Kind switch
        {
            MemoryScopeKind.Personal when !Caller.ActsFor(subject) =>
                (MemoryAccessDenialReason.NotSubject, $"{Actor} cannot {operation} personal memories of subject '{subject}': only the subject, an agent acting for it, or an administrator can."),
            MemoryScopeKind.Team when !Caller.IsMemberOf(scope.Scope.Team) =>
                (MemoryAccessDenialReason.NotTeamMember, $"{Actor} cannot {operation} memories of team '{scope.Scope.Team}': it is not a member."),
            MemoryScopeKind.Team when !Caller.HasRole(MemoryRoles.TeamWriter) =>
                (MemoryAccessDenialReason.MissingRole, $"{Actor} cannot {operation} team memories: that needs the {MemoryRoles.TeamWriter} role."),
            MemoryScopeKind.Public when !Caller.HasRole(MemoryRoles.PublicWriter) =>
                (MemoryAccessDenialReason.MissingRole, $"{Actor} cannot {operation} public memories: that needs the {MemoryRoles.PublicWriter} role."),
            _ => ((MemoryAccessDenialReason?)null, string.Empty),
        };
        if (reason is { } refused)
        {
            await DenyAsync(operation, refused, detail, subject, scope.Scope, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the caller may see an ingestion job: one about a subject it acts for, or any with the read-all role.</summary>
    public bool MaySee(MemoryIngestionJob job) =>
        (Key is null || Key.Allows(job.Input.Scope.Kind))
        && (Caller.HasRole(MemoryRoles.ReadAll)
        || ((job.Input.Subject is { } subject ? Caller.ActsFor(subject) : Caller.HasRole(MemoryRoles.Admin))

            // A team job's decisions quote the team's conversation: only members see them.
            && (job.Input.Scope.Kind != MemoryScopeKind.Team || Caller.IsMemberOf(job.Input.Scope.Team))));

    private async Task CheckKindAsync(MemoryScopeKind kind, string operation, string? subject, MemoryScope scope, Guid? memoryId, CancellationToken cancellationToken)
    {
        if (Key is { } key && !key.Allows(kind))
        {
            await DenyAsync(operation, MemoryAccessDenialReason.MissingRole, $"The API key {key.Id} may touch {string.Join(", ", key.ScopeKinds.Select(k => MemoryJson.EnumName(k)))} memories only, not {MemoryJson.EnumName(kind)} ones.", subject, scope, memoryId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DenyAsync(string operation, MemoryAccessDenialReason reason, string detail, string? subject, MemoryScope scope, Guid? memoryId, CancellationToken cancellationToken)
    {
        var denial = new MemoryAccessDenial
        {
            // Recorded in the caller's own tenant: another tenant's log is not the caller's to write.
            Tenant = Caller.Tenant,
            Actor = Caller.Actor,
            Operation = operation,
            MemoryId = memoryId,
            Subject = subject,
            Scope = scope.ToString(),
            Reason = reason,
            Detail = detail,
            DeniedAt = DateTimeOffset.UtcNow,
        };
        await host.Audit.RecordDenialAsync(denial, cancellationToken).ConfigureAwait(false);
        throw new MemoryAccessDeniedException(denial);
    }

    private static string? Optional(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        return string.IsNullOrWhiteSpace(value)
            ? throw new ToolArgumentException($"{field} must not be blank; leave it out instead.")
            : value.Trim();
    }
}
