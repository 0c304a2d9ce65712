using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Packing;

namespace SkMemory.Governance;

/// <summary>
/// The access policy as store middleware: every operation runs as the caller from <see cref="IMemoryCallerAccessor"/>,
/// reads are narrowed inside the store's own queries to what the caller may see, writes are checked against scope, roles
/// and consent, denials throw <see cref="MemoryAccessDeniedException"/> and are audited, and every read is recorded.
/// </summary>
/// <remarks>
/// <para>The rules: a caller never leaves its tenant. Personal memories are for their subject and for agents acting for
/// it; team memories for the team's members, written only with <see cref="MemoryRoles.TeamWriter"/>; public memories are
/// read tenant-wide and written only with <see cref="MemoryRoles.PublicWriter"/>. <see cref="MemoryRoles.ReadAll"/> reads
/// everything; <see cref="MemoryRoles.Admin"/> does everything, including writing as another actor (imports, the capture
/// service). Export and import need <see cref="MemoryRoles.Operator"/>. A subject's revoked or lapsed consent for a scope
/// hides its memories there at once and refuses writes.</para>
/// <para>Compose it outermost (the first <see cref="MemoryStoreBuilder.Use"/>), so a denied write is never redacted,
/// tokenized or embedded.</para>
/// </remarks>
public sealed partial class AccessControlledMemoryStore : DelegatingMemoryStore
{
    private readonly IMemoryCallerAccessor _callers;
    private readonly MemoryAccessOptions _options;
    private readonly IMemoryAuditLog _audit;
    private readonly IMemoryConsentStore? _consents;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="AccessControlledMemoryStore"/> class.</summary>
    /// <param name="innerStore">The store below; it must provide an <see cref="IMemoryAuditLog"/>.</param>
    /// <param name="callers">Gives the caller of each operation.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="ArgumentException">The inner store keeps no audit log, or consent is required and it keeps no consents.</exception>
    public AccessControlledMemoryStore(IMemoryStore innerStore, IMemoryCallerAccessor callers, MemoryAccessOptions? options = null, ILogger<AccessControlledMemoryStore>? logger = null)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(callers);
        _callers = callers;
        _options = options ?? new MemoryAccessOptions();
        _audit = innerStore.GetService(typeof(IMemoryAuditLog)) as IMemoryAuditLog
            ?? throw new ArgumentException("The store keeps no audit log (IMemoryAuditLog); access control needs one to record reads and denials.", nameof(innerStore));
        _consents = innerStore.GetService(typeof(IMemoryConsentStore)) as IMemoryConsentStore;
        if (_options.ConsentRequiredScopes.Count > 0 && _consents is null)
        {
            throw new ArgumentException("Consent is required for some scopes, but the store keeps no consents (IMemoryConsentStore).", nameof(innerStore));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public override async Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = await CallerAsync(request.Tenant, "write", cancellationToken).ConfigureAwait(false);
        await CheckActorAsync(caller, request.Actor, "write", cancellationToken).ConfigureAwait(false);
        await CheckWriteAsync(caller, "write", null, request.Scope, request.Subject, cancellationToken).ConfigureAwait(false);
        return await base.WriteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord?> GetAsync(string tenant, Guid id, CancellationToken cancellationToken = default)
    {
        var caller = await CallerAsync(tenant, "get", cancellationToken).ConfigureAwait(false);
        var record = await base.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        await CheckReadAsync(caller, "get", record, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, tenant, "get", [(record.Id, null)], injected: false, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public override async Task<MemoryPage> ReadAsync(MemoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var caller = await CallerAsync(query.Tenant, "read", cancellationToken).ConfigureAwait(false);
        var page = await base.ReadAsync(query with { Access = ReadableBy(caller) }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, query.Tenant, "read", page.Items.Select(r => (r.Id, (double?)null)), injected: false, cancellationToken).ConfigureAwait(false);
        return page;
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = await CallerAsync(request.Tenant, "search", cancellationToken).ConfigureAwait(false);
        var results = await base.SearchAsync(request with { Access = ReadableBy(caller) }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, request.Tenant, "search", results.Select(r => (r.Record.Id, (double?)r.Score)), injected: false, cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> UpdateAsync(MemoryUpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckChangeAsync(request.Tenant, request.Id, request.Actor, "update", cancellationToken).ConfigureAwait(false);
        return await base.UpdateAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemorySupersedeResult> SupersedeAsync(MemorySupersedeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckChangeAsync(request.Tenant, request.Id, request.Actor, "supersede", cancellationToken).ConfigureAwait(false);
        return await base.SupersedeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> MergeAsync(MemoryMergeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckChangeAsync(request.Tenant, request.Id, request.Actor, "merge", cancellationToken).ConfigureAwait(false);
        return await base.MergeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> UnmergeAsync(MemoryUnmergeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckChangeAsync(request.Tenant, request.Id, request.Actor, "unmerge", cancellationToken).ConfigureAwait(false);
        return await base.UnmergeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Deleting needs the same rights as writing, but not consent: a subject may always have its memories removed.</remarks>
    public override async Task<MemoryRecord> DeleteAsync(MemoryDeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckChangeAsync(request.Tenant, request.Id, request.Actor, "delete", cancellationToken, needsConsent: false).ConfigureAwait(false);
        return await base.DeleteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> ExpireAsync(MemoryExpireRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckChangeAsync(request.Tenant, request.Id, request.Actor, "expire", cancellationToken, needsConsent: false).ConfigureAwait(false);
        return await base.ExpireAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>A subject (or an agent acting for it) may purge its own personal memories; anything else needs <see cref="MemoryRoles.Operator"/>.</remarks>
    public override async Task<MemoryDeletionAttestation> PurgeAsync(MemoryPurgeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = await CallerAsync(request.Tenant, "purge", cancellationToken).ConfigureAwait(false);
        await CheckActorAsync(caller, request.Actor, "purge", cancellationToken).ConfigureAwait(false);
        if (!caller.HasRole(MemoryRoles.Operator))
        {
            if (request.Subject is { } subject && !caller.ActsFor(subject))
            {
                await DenyAsync(caller, "purge", MemoryAccessDenialReason.NotSubject, $"{caller.Actor} cannot purge the memories of subject '{subject}': only the subject, an agent acting for it, or a caller with the {MemoryRoles.Operator} role can.", subject: subject, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var id in request.Ids ?? [])
            {
                var record = await base.GetAsync(request.Tenant, id, cancellationToken).ConfigureAwait(false)
                    ?? throw new MemoryNotFoundException(request.Tenant, id);
                if (record.Scope.Kind != MemoryScopeKind.Personal || !caller.ActsFor(record.Subject))
                {
                    await DenyAsync(caller, "purge", MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot purge memory {id} ({record.Scope}, subject '{record.Subject}'): purging anything but one's own personal memories needs the {MemoryRoles.Operator} role.", record, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return await base.PurgeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<MemoryEvent>> GetHistoryAsync(string tenant, Guid id, CancellationToken cancellationToken = default)
    {
        var caller = await CallerAsync(tenant, "history", cancellationToken).ConfigureAwait(false);
        var record = await base.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false) ?? throw new MemoryNotFoundException(tenant, id);
        await CheckReadAsync(caller, "history", record, cancellationToken).ConfigureAwait(false);
        var history = await base.GetHistoryAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        await AuditAsync(caller, tenant, "history", [(id, null)], injected: false, cancellationToken).ConfigureAwait(false);
        return history;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Exports the caller's own tenant and needs <see cref="MemoryRoles.Operator"/>; without a tenant, the
    /// <see cref="MemoryRoles.StoreOwner"/> exports every tenant. Every exported memory is recorded as read.
    /// </remarks>
    public override async Task<MemoryTransferResult> ExportAsync(Stream destination, MemoryExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MemoryExportOptions();
        var caller = await CallerAsync(options.Tenant ?? _callers.Caller?.Tenant ?? string.Empty, "export", cancellationToken).ConfigureAwait(false);
        await RequireRoleAsync(caller, MemoryRoles.Operator, "export", "export the tenant", cancellationToken).ConfigureAwait(false);
        var tenant = options.Tenant ?? (caller.MayEnter(null) ? null : caller.Tenant);
        var result = await base.ExportAsync(destination, options with { Tenant = tenant }, cancellationToken).ConfigureAwait(false);
        foreach (var exported in result.Tenants)
        {
            var query = new MemoryQuery { Tenant = exported, Statuses = Enum.GetValues<MemoryStatus>(), IncludeExpired = true, PageSize = MemoryQuery.MaxPageSize };
            for (string? cursor = null; ; query = query with { Cursor = cursor })
            {
                var page = await base.ReadAsync(query, cancellationToken).ConfigureAwait(false);
                await AuditAsync(caller, exported, "export", page.Items.Select(r => (r.Id, (double?)null)), injected: false, cancellationToken).ConfigureAwait(false);
                if ((cursor = page.NextCursor) is null)
                {
                    break;
                }
            }
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>Needs <see cref="MemoryRoles.StoreOwner"/>: an import writes as the actors recorded in the file, into every tenant it names.</remarks>
    public override async Task<MemoryTransferResult> ImportAsync(Stream source, MemoryImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        var caller = await CallerAsync(_callers.Caller?.Tenant ?? string.Empty, "import", cancellationToken).ConfigureAwait(false);
        if (!caller.MayEnter(null))
        {
            await DenyAsync(caller, "import", MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot import an export: an import writes into every tenant it names, which needs the {MemoryRoles.StoreOwner} role.", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return await base.ImportAsync(source, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Verifies the caller's own tenant; only the <see cref="MemoryRoles.StoreOwner"/> verifies another, or all at once.</remarks>
    public override async Task<ChainVerificationResult> VerifyAsync(string? tenant = null, CancellationToken cancellationToken = default)
    {
        var caller = await CallerAsync(tenant ?? _callers.Caller?.Tenant ?? string.Empty, "verify", cancellationToken).ConfigureAwait(false);
        return await base.VerifyAsync(tenant ?? (caller.MayEnter(null) ? null : caller.Tenant), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers "why does the agent know this?": the memory, every write behind it, what it replaced, and every read of it.
    /// Needs read access to the memory and <see cref="MemoryRoles.Auditor"/>, or to be its subject.
    /// </summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The memory.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The lineage.</returns>
    /// <exception cref="MemoryNotFoundException">The memory does not exist.</exception>
    /// <exception cref="MemoryAccessDeniedException">The caller may not see it.</exception>
    public async Task<MemoryLineage> GetLineageAsync(string tenant, Guid id, CancellationToken cancellationToken = default)
    {
        var caller = await CallerAsync(tenant, "lineage", cancellationToken).ConfigureAwait(false);
        var record = await base.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false) ?? throw new MemoryNotFoundException(tenant, id);
        await CheckReadAsync(caller, "lineage", record, cancellationToken).ConfigureAwait(false);
        if (!caller.HasRole(MemoryRoles.Auditor) && !caller.ActsFor(record.Subject))
        {
            await DenyAsync(caller, "lineage", MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot see who read memory {id}: that needs the {MemoryRoles.Auditor} role or to be its subject.", record, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var supersedes = new List<MemoryRecord>();
        for (var previous = record.Supersedes; previous is { } previousId && supersedes.Count < 100;)
        {
            var older = await base.GetAsync(tenant, previousId, cancellationToken).ConfigureAwait(false);
            if (older is null)
            {
                break;
            }

            supersedes.Add(older);
            previous = older.Supersedes;
        }

        var lineage = new MemoryLineage
        {
            Record = record,
            Writes = await base.GetHistoryAsync(tenant, id, cancellationToken).ConfigureAwait(false),
            Supersedes = supersedes,
            Reads = await _audit.GetReadsAsync(tenant, id, AuditLogLimit, cancellationToken).ConfigureAwait(false),
        };
        await AuditAsync(caller, tenant, "lineage", [(id, null)], injected: false, cancellationToken).ConfigureAwait(false);
        return lineage;
    }

    /// <summary>Lists the operations the policy refused in a tenant, newest first. Needs <see cref="MemoryRoles.Auditor"/>.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="limit">The most to return.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The denials.</returns>
    /// <exception cref="MemoryAccessDeniedException">The caller is not an auditor of the tenant.</exception>
    public async Task<IReadOnlyList<MemoryAccessDenial>> GetDenialsAsync(string tenant, int limit = 1000, CancellationToken cancellationToken = default)
    {
        var caller = await CallerAsync(tenant, "denials", cancellationToken).ConfigureAwait(false);
        await RequireRoleAsync(caller, MemoryRoles.Auditor, "denials", "list the tenant's denials", cancellationToken).ConfigureAwait(false);
        return await _audit.GetDenialsAsync(tenant, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that a packet's memories went into a model call, with the scores they were retrieved at: the reads that
    /// answer "did the model see this?". Call it where the packet is injected.
    /// </summary>
    /// <param name="packet">The packet injected.</param>
    /// <param name="retrieved">The search results the packet was built from, for their scores.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the reads are recorded.</returns>
    public async Task RecordInjectionAsync(MemoryPacket packet, IReadOnlyList<MemorySearchResult> retrieved, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(retrieved);
        var caller = _callers.Caller ?? await DenyNoCallerAsync(string.Empty, "inject", cancellationToken).ConfigureAwait(false);
        var scores = retrieved.GroupBy(r => r.Record.Id).ToDictionary(g => g.Key, g => g.Max(r => r.Score));
        await AuditAsync(caller, caller.Tenant, "inject", packet.Included.Select(i => (i.MemoryId, scores.TryGetValue(i.MemoryId, out var s) ? s : (double?)null)), injected: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets what <paramref name="caller"/> may read, as the store applies it in its queries.</summary>
    /// <param name="caller">The caller.</param>
    /// <returns>The readable part of the caller's tenant.</returns>
    public static MemoryAccessScope ReadableBy(MemoryCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.HasRole(MemoryRoles.ReadAll)
            ? new MemoryAccessScope { AllScopes = true }
            : new MemoryAccessScope { Subjects = [caller.Actor.Id, .. caller.ActingFor], Teams = caller.Teams, Public = true };
    }

    private const int AuditLogLimit = 1000;

    private async Task<MemoryCaller> CallerAsync(string tenant, string operation, CancellationToken cancellationToken)
    {
        var caller = _callers.Caller ?? await DenyNoCallerAsync(tenant, operation, cancellationToken).ConfigureAwait(false);
        if (!caller.MayEnter(tenant))
        {
            // Recorded in the caller's own tenant: the other tenant's log is not the caller's to write.
            await DenyAsync(caller, operation, MemoryAccessDenialReason.CrossTenant, $"{caller.Actor} belongs to tenant '{caller.Tenant}' and cannot {operation} in tenant '{tenant}'.", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return caller;
    }

    private async Task<MemoryCaller> DenyNoCallerAsync(string tenant, string operation, CancellationToken cancellationToken)
    {
        var denial = new MemoryAccessDenial
        {
            Tenant = string.IsNullOrWhiteSpace(tenant) ? "unknown" : tenant,
            Actor = MemoryActor.System,
            Operation = operation,
            Reason = MemoryAccessDenialReason.NoCaller,
            Detail = $"No caller is set for this {operation}; set IMemoryCallerAccessor.Caller from the request's identity (MemoryCallerClaims.ToCaller) before calling the store.",
            DeniedAt = _options.TimeProvider.GetUtcNow(),
        };
        await RecordAsync(denial, cancellationToken).ConfigureAwait(false);
        throw new MemoryAccessDeniedException(denial);
    }

    // Who a change is recorded as must be who makes it: only an administrator writes in another actor's name.
    private async Task CheckActorAsync(MemoryCaller caller, MemoryActor actor, string operation, CancellationToken cancellationToken)
    {
        if (actor != caller.Actor && !caller.HasRole(MemoryRoles.Admin))
        {
            await DenyAsync(caller, operation, MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot {operation} as {actor}: a change is recorded as its caller unless the caller has the {MemoryRoles.Admin} role.", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CheckChangeAsync(string tenant, Guid id, MemoryActor actor, string operation, CancellationToken cancellationToken, bool needsConsent = true)
    {
        var caller = await CallerAsync(tenant, operation, cancellationToken).ConfigureAwait(false);
        await CheckActorAsync(caller, actor, operation, cancellationToken).ConfigureAwait(false);
        var record = await base.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false) ?? throw new MemoryNotFoundException(tenant, id);
        await CheckWriteAsync(caller, operation, record, record.Scope, record.Subject, cancellationToken, needsConsent).ConfigureAwait(false);
    }

    private async Task CheckWriteAsync(MemoryCaller caller, string operation, MemoryRecord? record, MemoryScope scope, string subject, CancellationToken cancellationToken, bool needsConsent = true)
    {
        if (!caller.HasRole(MemoryRoles.Admin))
        {
            var (reason, detail) = scope.Kind switch
            {
                MemoryScopeKind.Personal when !caller.ActsFor(subject) =>
                    (MemoryAccessDenialReason.NotSubject, $"{caller.Actor} cannot {operation} personal memories of subject '{subject}': only the subject, an agent acting for it (acting_for), or an administrator can."),
                MemoryScopeKind.Team when !caller.IsMemberOf(scope.Team) =>
                    (MemoryAccessDenialReason.NotTeamMember, $"{caller.Actor} cannot {operation} memories of team '{scope.Team}': it is not a member."),
                MemoryScopeKind.Team when !caller.HasRole(MemoryRoles.TeamWriter) =>
                    (MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot {operation} team memories: that needs the {MemoryRoles.TeamWriter} role."),
                MemoryScopeKind.Public when !caller.HasRole(MemoryRoles.PublicWriter) =>
                    (MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot {operation} public memories: that needs the {MemoryRoles.PublicWriter} role."),
                _ => ((MemoryAccessDenialReason?)null, string.Empty),
            };
            if (reason is { } r)
            {
                await DenyAsync(caller, operation, r, detail, record, subject, scope, cancellationToken).ConfigureAwait(false);
            }
        }

        if (needsConsent)
        {
            await CheckConsentAsync(caller, operation, record, scope, subject, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CheckConsentAsync(MemoryCaller caller, string operation, MemoryRecord? record, MemoryScope scope, string subject, CancellationToken cancellationToken)
    {
        if (_consents is null)
        {
            return;
        }

        var consent = await _consents.GetAsync(caller.Tenant, subject, scope.Kind, cancellationToken).ConfigureAwait(false);
        var now = _options.TimeProvider.GetUtcNow();
        if (consent is not null && !consent.IsInForce(now))
        {
            var state = consent.State == MemoryConsentState.Revoked ? $"revoked it on {consent.ChangedAt:u}" : $"let it lapse on {consent.ExpiresAt:u}";
            await DenyAsync(caller, operation, MemoryAccessDenialReason.ConsentRevoked, $"Subject '{subject}' {state} for {MemoryJson.EnumName(scope.Kind)} memories; nothing can be written there until the subject grants consent again.", record, subject, scope, cancellationToken).ConfigureAwait(false);
        }

        if (consent is null && _options.ConsentRequiredScopes.Contains(scope.Kind))
        {
            await DenyAsync(caller, operation, MemoryAccessDenialReason.ConsentMissing, $"Subject '{subject}' has not granted consent for {MemoryJson.EnumName(scope.Kind)} memories, which this store requires; record the subject's consent first (IMemoryConsentStore.SetAsync, or skmem consent grant).", record, subject, scope, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CheckReadAsync(MemoryCaller caller, string operation, MemoryRecord record, CancellationToken cancellationToken)
    {
        if (!caller.HasRole(MemoryRoles.ReadAll))
        {
            var (reason, detail) = record.Scope.Kind switch
            {
                MemoryScopeKind.Personal when !caller.ActsFor(record.Subject) =>
                    (MemoryAccessDenialReason.NotSubject, $"{caller.Actor} cannot read memory {record.Id}: it is a personal memory of subject '{record.Subject}', readable only by the subject and agents acting for it."),
                MemoryScopeKind.Team when !caller.IsMemberOf(record.Scope.Team) =>
                    (MemoryAccessDenialReason.NotTeamMember, $"{caller.Actor} cannot read memory {record.Id}: it belongs to team '{record.Scope.Team}', and the caller is not a member."),
                _ => ((MemoryAccessDenialReason?)null, string.Empty),
            };
            if (reason is { } r)
            {
                await DenyAsync(caller, operation, r, detail, record, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        if (_consents is not null
            && await _consents.GetAsync(record.Tenant, record.Subject, record.Scope.Kind, cancellationToken).ConfigureAwait(false) is { } consent
            && !consent.IsInForce(_options.TimeProvider.GetUtcNow()))
        {
            await DenyAsync(caller, operation, MemoryAccessDenialReason.ConsentRevoked, $"Memory {record.Id} cannot be read: subject '{record.Subject}' has revoked (or let lapse) consent for {MemoryJson.EnumName(record.Scope.Kind)} memories.", record, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RequireRoleAsync(MemoryCaller caller, string role, string operation, string what, CancellationToken cancellationToken)
    {
        if (!caller.HasRole(role))
        {
            await DenyAsync(caller, operation, MemoryAccessDenialReason.MissingRole, $"{caller.Actor} cannot {what}: that needs the {role} role.", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DenyAsync(MemoryCaller caller, string operation, MemoryAccessDenialReason reason, string detail, MemoryRecord? record = null, string? subject = null, MemoryScope? scope = null, CancellationToken cancellationToken = default)
    {
        var denial = new MemoryAccessDenial
        {
            Tenant = caller.Tenant,
            Actor = caller.Actor,
            Operation = operation,
            MemoryId = record?.Id,
            Subject = subject ?? record?.Subject,
            Scope = (scope ?? record?.Scope)?.ToString(),
            Reason = reason,
            Detail = detail,
            DeniedAt = _options.TimeProvider.GetUtcNow(),
        };
        await RecordAsync(denial, cancellationToken).ConfigureAwait(false);
        throw new MemoryAccessDeniedException(denial);
    }

    private async Task RecordAsync(MemoryAccessDenial denial, CancellationToken cancellationToken)
    {
        LogDenied(denial.Tenant, denial.Actor.ToString(), denial.Operation, MemoryJson.EnumName(denial.Reason));

        // The denial is recorded even when the caller gave up: the audit must not depend on the caller's patience.
        await _audit.RecordDenialAsync(denial, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task AuditAsync(MemoryCaller caller, string tenant, string operation, IEnumerable<(Guid Id, double? Score)> reads, bool injected, CancellationToken cancellationToken)
    {
        if (!_options.AuditReads)
        {
            return;
        }

        var now = _options.TimeProvider.GetUtcNow();
        var entries = reads.Select(r => new MemoryReadEntry
        {
            Tenant = tenant,
            MemoryId = r.Id,
            Reader = caller.Actor,
            Operation = operation,
            Task = caller.Task,
            Score = r.Score,
            Injected = injected,
            ReadAt = now,
        }).ToList();
        await _audit.RecordReadsAsync(entries, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(401, LogLevel.Warning, "Denied {Operation} to {Actor} in tenant {Tenant}: {Reason}.")]
    private partial void LogDenied(string tenant, string actor, string operation, string reason);
}
