using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Governance.Retention;

/// <summary>
/// Applies a <see cref="MemoryRetentionPolicy"/> to a store: expires memories whose rule is due, purges the content of
/// memories expired long enough, purges the memories of subjects who revoked consent once the grace has passed, and
/// deletes the raw input of failed extractions. Skips (and counts) anything under an active legal hold.
/// </summary>
/// <remarks>
/// Idempotent: every decision is a function of the store's state and the sweep's time, so a second sweep at the same time
/// finds nothing to do and reports zeros. Reads page by page with <see cref="IMemoryStore.ReadAsync"/> and changes memories
/// only through <see cref="IMemoryStore.ExpireAsync"/> and <see cref="IMemoryStore.PurgeAsync"/>, so the event log, the
/// hash chain and the attestations stay the store's. Thread-safe; sweeps may run concurrently (a memory changed by one is
/// refused to the other and counted as an error there).
/// </remarks>
public sealed partial class MemoryRetentionSweeper
{
    private const string ConsentRule = "consent_revoked";
    private const string FailedRule = "failed_extractions";
    private const string DefaultRule = "default";
    private const int MaxListedJobs = 1000;
    private static readonly MemoryStatus[] ConsentStatuses = [MemoryStatus.Active, MemoryStatus.Superseded, MemoryStatus.Merged, MemoryStatus.Expired];
    private readonly IMemoryStore _store;
    private readonly MemoryRetentionPolicy _policy;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryRetentionSweeper"/> class.</summary>
    /// <param name="store">The store to sweep.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="timeProvider">The clock that decides what is due; the system clock by default (use the store's).</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="policy"/> is <see langword="null"/>.</exception>
    public MemoryRetentionSweeper(IMemoryStore store, MemoryRetentionPolicy policy, TimeProvider? timeProvider = null, ILogger<MemoryRetentionSweeper>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policy);
        _store = store;
        _policy = policy;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the policy the sweeper applies.</summary>
    public MemoryRetentionPolicy Policy => _policy;

    /// <summary>Sweeps one tenant, or every tenant the store holds.</summary>
    /// <param name="options">What to sweep and how; every tenant, for real, by default.</param>
    /// <param name="progress">Receives running totals after every page.</param>
    /// <param name="cancellationToken">The cancellation token. A cancelled sweep keeps what it already did (each change is atomic).</param>
    /// <returns>The report.</returns>
    /// <exception cref="MemoryValidationException">An option is invalid.</exception>
    /// <exception cref="MemoryException">No tenant was named and the store cannot list its tenants (<see cref="MemoryErrorCode.NotSupported"/>).</exception>
    public async Task<MemoryRetentionReport> SweepAsync(MemoryRetentionSweepOptions? options = null, IProgress<MemoryRetentionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new MemoryRetentionSweepOptions();
        Validate(options);
        var now = _timeProvider.GetUtcNow();
        var tenants = options.Tenant is { } one ? [one] : await ListTenantsAsync(cancellationToken).ConfigureAwait(false);
        var run = new SweepRun(this, options, now, progress);
        foreach (var tenant in tenants)
        {
            await run.SweepTenantAsync(tenant, cancellationToken).ConfigureAwait(false);
        }

        var report = run.ToReport(tenants);
        LogSwept(_logger, tenants.Count, report.TotalExamined, report.TotalExpired, report.TotalPurged, report.TotalHeld, report.TotalErrors, options.DryRun);
        return report;
    }

    private static void Validate(MemoryRetentionSweepOptions options)
    {
        if (options.Tenant is not null && string.IsNullOrWhiteSpace(options.Tenant))
        {
            throw new MemoryValidationException("tenant", "must not be blank; leave it unset to sweep every tenant");
        }

        if (options.PageSize is < 1 or > MemoryRetentionSweepOptions.MaxPageSize)
        {
            throw new MemoryValidationException("page_size", $"must be 1..{MemoryRetentionSweepOptions.MaxPageSize}; it is {options.PageSize}");
        }

        ArgumentNullException.ThrowIfNull(options.Actor);
    }

    private async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken) =>
        _store.GetService(typeof(MemoryTenantCatalog)) is MemoryTenantCatalog catalog
            ? await catalog.ListTenantsAsync(cancellationToken).ConfigureAwait(false)
            : throw new MemoryException(MemoryErrorCode.NotSupported, "This store cannot list its tenants; name the tenant to sweep (MemoryRetentionSweepOptions.Tenant, skmem sweep --tenant).");

    private static string RuleKey(MemoryRetentionRule rule) => rule.Type == "*" ? DefaultRule : rule.Name;

    private static DateTimeOffset AddDays(DateTimeOffset time, int days) => time + TimeSpan.FromDays(days);

    [LoggerMessage(701, LogLevel.Information, "Retention sweep of {TenantCount} tenant(s): {Examined} examined, {Expired} expired, {Purged} purged, {Held} held, {Errors} errors (dry run: {DryRun}).")]
    private static partial void LogSwept(ILogger logger, int tenantCount, int examined, int expired, int purged, int held, int errors, bool dryRun);

    [LoggerMessage(702, LogLevel.Warning, "Retention could not {Operation} in tenant {Tenant} under rule {Rule}: {Error}")]
    private static partial void LogFailed(ILogger logger, string operation, string tenant, string rule, string error);

    [LoggerMessage(703, LogLevel.Debug, "Retention skipped {Count} due memories of tenant {Tenant} under legal hold (rule {Rule}).")]
    private static partial void LogHeld(ILogger logger, int count, string tenant, string rule);

    /// <summary>The state of one sweep: the counters per rule, the attestations and the errors.</summary>
    private sealed class SweepRun
    {
        private readonly MemoryRetentionSweeper _owner;
        private readonly MemoryRetentionSweepOptions _options;
        private readonly DateTimeOffset _now;
        private readonly IProgress<MemoryRetentionProgress>? _progress;
        private readonly Dictionary<string, Counter> _counters = new(StringComparer.Ordinal);
        private readonly List<Guid> _attestations = [];
        private readonly List<string> _errors = [];

        // Memories this sweep expired: the store stamps their expiry with its own clock, a moment after the sweep's time.
        private readonly HashSet<Guid> _expiredNow = [];

        public SweepRun(MemoryRetentionSweeper owner, MemoryRetentionSweepOptions options, DateTimeOffset now, IProgress<MemoryRetentionProgress>? progress)
        {
            _owner = owner;
            _options = options;
            _now = now;
            _progress = progress;

            // Every rule has a row, in policy order, even when it saw nothing: a report of zeros says so explicitly.
            foreach (var rule in owner._policy.Rules)
            {
                _counters[RuleKey(rule)] = new Counter();
            }

            _counters[DefaultRule] = new Counter();
            _counters[ConsentRule] = new Counter();
            _counters[FailedRule] = new Counter();
        }

        private IMemoryStore Store => _owner._store;

        private MemoryRetentionPolicy Policy => _owner._policy;

        public async Task SweepTenantAsync(string tenant, CancellationToken cancellationToken)
        {
            var holds = await Holds.ReadAsync(Store, tenant, cancellationToken).ConfigureAwait(false);
            await ExpireAsync(tenant, holds, cancellationToken).ConfigureAwait(false);
            await PurgeExpiredAsync(tenant, holds, cancellationToken).ConfigureAwait(false);
            await PurgeRevokedAsync(tenant, holds, cancellationToken).ConfigureAwait(false);
            await PurgeFailedExtractionsAsync(tenant, holds, cancellationToken).ConfigureAwait(false);
        }

        public MemoryRetentionReport ToReport(IReadOnlyList<string> tenants) => new()
        {
            Tenants = tenants,
            At = _now,
            DryRun = _options.DryRun,
            Policy = Policy.Source,
            Rules = _counters.Select(kv => new MemoryRetentionRuleReport(kv.Key, kv.Value.Examined, kv.Value.Expired, kv.Value.Purged, kv.Value.Held, kv.Value.Errors)).ToList(),
            AttestationIds = _attestations,
            ErrorMessages = _errors,
        };

        // Phase 1: active memories whose rule (or own time to live) is due are expired.
        private async Task ExpireAsync(string tenant, Holds holds, CancellationToken cancellationToken)
        {
            // Only types with an expiring rule can be due, unless the default expires too or memories carry their own ttl:
            // every active memory is read, and the rule of each decides.
            await foreach (var page in PagesAsync(new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Active], IncludeExpired = true }, cancellationToken).ConfigureAwait(false))
            {
                foreach (var record in page)
                {
                    var rule = Policy.Resolve(record.Type, record.Scope.Kind);
                    var key = RuleKey(rule);
                    var counter = _counters[key];
                    counter.Examined++;
                    if (!TryDue(tenant, record, rule, counter, out var reason))
                    {
                        continue;
                    }

                    if (holds.Covers(record))
                    {
                        counter.Held++;
                        LogHeld(_owner._logger, 1, tenant, key);
                        continue;
                    }

                    if (_options.DryRun)
                    {
                        counter.Expired++;
                        if (Policy.PurgeAfterDaysOf(rule) == 0)
                        {
                            counter.Purged++;
                        }

                        continue;
                    }

                    try
                    {
                        await Store.ExpireAsync(new MemoryExpireRequest { Tenant = tenant, Id = record.Id, Reason = reason, Actor = _options.Actor, ExpectedVersion = record.Version }, cancellationToken).ConfigureAwait(false);
                        _expiredNow.Add(record.Id);
                        counter.Expired++;
                    }
                    catch (MemoryException e) when (e.Code == MemoryErrorCode.LegalHold)
                    {
                        // Placed after this sweep read the tenant's holds.
                        counter.Held++;
                    }
                    catch (MemoryException e)
                    {
                        Fail(counter, tenant, key, $"expire memory {record.Id}", e);
                    }
                }

                Report(tenant, "expire");
            }
        }

        // Phase 2: expired memories whose purge delay has passed lose their content.
        private async Task PurgeExpiredAsync(string tenant, Holds holds, CancellationToken cancellationToken)
        {
            await foreach (var page in PagesAsync(new MemoryQuery { Tenant = tenant, Statuses = [MemoryStatus.Expired], IncludeExpired = true }, cancellationToken).ConfigureAwait(false))
            {
                var due = new Dictionary<string, (List<Guid> Ids, string Reason)>(StringComparer.Ordinal);
                foreach (var record in page)
                {
                    var rule = Policy.Resolve(record.Type, record.Scope.Kind);
                    var key = RuleKey(rule);
                    var counter = _counters[key];

                    // An expired memory's last change is its expiry; one this sweep expired counts as expired at the sweep's
                    // time, and was examined already.
                    var expiredNow = _expiredNow.Contains(record.Id);
                    var expiredAt = expiredNow ? _now : record.UpdatedAt;
                    if (!expiredNow)
                    {
                        counter.Examined++;
                    }

                    if (Policy.PurgeAfterDaysOf(rule) is not { } days || AddDays(expiredAt, days) > _now)
                    {
                        continue;
                    }

                    if (holds.Covers(record))
                    {
                        counter.Held++;
                        continue;
                    }

                    if (!due.TryGetValue(key, out var batch))
                    {
                        batch = ([], string.Create(CultureInfo.InvariantCulture, $"retention: {(key == DefaultRule ? "default" : rule.Name)} purged {days}d after expiry"));
                        due[key] = batch;
                    }

                    batch.Ids.Add(record.Id);
                }

                foreach (var (key, batch) in due)
                {
                    await PurgeAsync(tenant, key, batch.Ids, batch.Reason, cancellationToken).ConfigureAwait(false);
                }

                Report(tenant, "purge");
            }
        }

        // Phase 3: a subject who revoked consent for a scope (or let it lapse) has their memories there purged after the grace.
        private async Task PurgeRevokedAsync(string tenant, Holds holds, CancellationToken cancellationToken)
        {
            if (Policy.ConsentRevokedPurgeAfterDays is not { } days || Store.GetService(typeof(IMemoryConsentStore)) is not IMemoryConsentStore consents)
            {
                return;
            }

            var counter = _counters[ConsentRule];
            foreach (var consent in await consents.ListAsync(tenant, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                DateTimeOffset? ended = consent.State == MemoryConsentState.Revoked ? consent.ChangedAt : consent.ExpiresAt;
                if (ended is not { } since || AddDays(since, days) > _now)
                {
                    continue;
                }

                var scope = MemoryJson.EnumName(consent.Scope);
                var reason = string.Create(
                    CultureInfo.InvariantCulture,
                    $"retention: consent {(consent.State == MemoryConsentState.Revoked ? "revoked" : "lapsed")} for {scope} scope, purged {days}d after");
                var query = new MemoryQuery { Tenant = tenant, Subject = consent.Subject, ScopeKinds = [consent.Scope], Statuses = ConsentStatuses, IncludeExpired = true };
                await foreach (var page in PagesAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    var ids = new List<Guid>(page.Count);
                    foreach (var record in page)
                    {
                        counter.Examined++;
                        if (holds.Covers(record))
                        {
                            counter.Held++;
                        }
                        else
                        {
                            ids.Add(record.Id);
                        }
                    }

                    await PurgeAsync(tenant, ConsentRule, ids, reason, cancellationToken).ConfigureAwait(false);
                    Report(tenant, "consent");
                }
            }
        }

        // Phase 4: failed ingestion jobs keep their stages, counts and errors, but their raw input is deleted.
        private async Task PurgeFailedExtractionsAsync(string tenant, Holds holds, CancellationToken cancellationToken)
        {
            if (Policy.FailedExtractionsPurgeAfterDays is not { } days || Store.GetService(typeof(IMemoryIngestionJobStore)) is not IMemoryIngestionJobStore jobs)
            {
                return;
            }

            var counter = _counters[FailedRule];
            var note = string.Create(CultureInfo.InvariantCulture, $"retention: the raw input of this failed extraction was purged {days}d after the failure");
            foreach (var job in await jobs.ListJobsAsync(tenant, MemoryIngestionJobState.Failed, MaxListedJobs, cancellationToken).ConfigureAwait(false))
            {
                counter.Examined++;
                if (!HasInput(job) || AddDays(job.UpdatedAt, days) > _now)
                {
                    continue;
                }

                if (job.Input.Subject is { } subject && holds.CoversSubject(subject))
                {
                    counter.Held++;
                    continue;
                }

                if (_options.DryRun)
                {
                    counter.Purged++;
                    continue;
                }

                var scrubbed = job with
                {
                    Input = new MemoryExtractionRequest { Tenant = job.Input.Tenant, Subject = job.Input.Subject, Scope = job.Input.Scope },
                    Rejections = job.Rejections.Select(r => r with { Candidate = null }).ToList(),
                    Errors = [.. job.Errors, note],
                    UpdatedAt = _now,
                };
                try
                {
                    // Only the failed job as read: a job re-run meanwhile keeps its input.
                    if (await jobs.TrySaveJobAsync(scrubbed, job.UpdatedAt, cancellationToken).ConfigureAwait(false))
                    {
                        counter.Purged++;
                    }
                }
                catch (MemoryException e)
                {
                    Fail(counter, tenant, FailedRule, $"purge the input of job {job.Id}", e);
                }
            }

            Report(tenant, "failed_extractions");
        }

        private static bool HasInput(MemoryIngestionJob job) =>
            job.Input.Messages.Count > 0 || job.Input.ToolOutputs.Count > 0 || job.Input.Documents.Count > 0 || job.Input.Instructions is not null
            || job.Rejections.Any(r => r.Candidate is not null);

        private bool TryDue(string tenant, MemoryRecord record, MemoryRetentionRule rule, Counter counter, out string reason)
        {
            reason = string.Empty;
            if (record.ExpiresAt is { } ttlEnd && ttlEnd <= _now)
            {
                reason = "retention: time to live elapsed";
                return true;
            }

            if (rule.ExpireAfterDays is not { } days)
            {
                return false;
            }

            if (!rule.Anchor.TryGetTime(record, out var anchor))
            {
                Fail(counter, tenant, RuleKey(rule), $"read the {rule.Anchor} date of memory {record.Id}", new MemoryValidationException("metadata." + rule.Anchor.MetadataKey, "is not a date (use ISO 8601, like 2025-03-01T12:00:00Z)"));
                return false;
            }

            if (anchor is not { } start || AddDays(start, days) > _now)
            {
                return false;
            }

            reason = rule.ExpireReason;
            return true;
        }

        private async Task PurgeAsync(string tenant, string key, List<Guid> ids, string reason, CancellationToken cancellationToken)
        {
            if (ids.Count == 0)
            {
                return;
            }

            var counter = _counters[key];
            if (_options.DryRun)
            {
                counter.Purged += ids.Count;
                return;
            }

            try
            {
                var attestation = await Store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = ids, Reason = reason, Actor = _options.Actor }, cancellationToken).ConfigureAwait(false);
                _attestations.Add(attestation.Id);
                counter.Purged += ids.Count;
                return;
            }
            catch (MemoryException) when (ids.Count > 1)
            {
                // A purge is all or nothing: one memory held or changed meanwhile refuses the batch. Purge one at a time so
                // the others still go, and the refused one is reported by id.
            }
            catch (MemoryException e)
            {
                Fail(counter, tenant, key, $"purge memory {ids[0]}", e);
                return;
            }

            foreach (var id in ids)
            {
                try
                {
                    var attestation = await Store.PurgeAsync(new MemoryPurgeRequest { Tenant = tenant, Ids = [id], Reason = reason, Actor = _options.Actor }, cancellationToken).ConfigureAwait(false);
                    _attestations.Add(attestation.Id);
                    counter.Purged++;
                }
                catch (MemoryException e) when (e.Code == MemoryErrorCode.LegalHold)
                {
                    counter.Held++;
                }
                catch (MemoryException e)
                {
                    Fail(counter, tenant, key, $"purge memory {id}", e);
                }
            }
        }

        private async IAsyncEnumerable<IReadOnlyList<MemoryRecord>> PagesAsync(MemoryQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            string? cursor = null;
            do
            {
                var page = await Store.ReadAsync(query with { PageSize = _options.PageSize, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
                if (page.Items.Count > 0)
                {
                    yield return page.Items;
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        private void Fail(Counter counter, string tenant, string rule, string operation, MemoryException error)
        {
            counter.Errors++;
            if (_errors.Count < MemoryRetentionReport.MaxErrorMessages)
            {
                _errors.Add($"{tenant}: {rule}: could not {operation}: {error.Message}");
            }

            LogFailed(_owner._logger, operation, tenant, rule, error.Message);
        }

        private void Report(string tenant, string phase)
        {
            if (_progress is null)
            {
                return;
            }

            var all = _counters.Values;
            _progress.Report(new MemoryRetentionProgress(tenant, phase, all.Sum(c => c.Examined), all.Sum(c => c.Expired), all.Sum(c => c.Purged), all.Sum(c => c.Held), all.Sum(c => c.Errors)));
        }
    }

    /// <summary>Mutable counts of one rule during a sweep.</summary>
    private sealed class Counter
    {
        public int Examined { get; set; }

        public int Expired { get; set; }

        public int Purged { get; set; }

        public int Held { get; set; }

        public int Errors { get; set; }
    }

    /// <summary>The tenant's active legal holds, read once per tenant.</summary>
    private sealed class Holds
    {
        private static readonly Holds None = new([], []);
        private readonly HashSet<string> _subjects;
        private readonly HashSet<Guid> _ids;

        private Holds(HashSet<string> subjects, HashSet<Guid> ids)
        {
            _subjects = subjects;
            _ids = ids;
        }

        public static async Task<Holds> ReadAsync(IMemoryStore store, string tenant, CancellationToken cancellationToken)
        {
            if (store.GetService(typeof(IMemoryLegalHoldStore)) is not IMemoryLegalHoldStore holds)
            {
                return None;
            }

            var active = await holds.ListAsync(tenant, includeReleased: false, cancellationToken).ConfigureAwait(false);
            return new Holds(
                active.Where(h => h.Subject is not null).Select(h => h.Subject!).ToHashSet(StringComparer.Ordinal),
                active.Where(h => h.MemoryId is not null).Select(h => h.MemoryId!.Value).ToHashSet());
        }

        public bool Covers(MemoryRecord record) => _ids.Contains(record.Id) || _subjects.Contains(record.Subject);

        public bool CoversSubject(string subject) => _subjects.Contains(subject);
    }
}
