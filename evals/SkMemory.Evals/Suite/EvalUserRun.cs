using System.Text;
using System.Text.RegularExpressions;
using SkMemory.Packing;

namespace SkMemory.Evals.Suite;

/// <summary>One user's run: ingest the sessions in order, apply the changes and run the tasks at their points in time, then probe governance.</summary>
internal sealed partial class EvalUserRun(EvalRunContext context, EvalUser user)
{
    private readonly string _tenant = context.Prefix + user.Tenant;
    private readonly Dictionary<string, EvalExpectedMemory> _expected = user.Memories.ToDictionary(m => m.Id, StringComparer.Ordinal);
    private readonly Dictionary<string, string> _agentOfTurn = user.Sessions.SelectMany(s => s.Turns.Select(t => (t.Id, s.Agent))).ToDictionary(p => p.Id, p => p.Agent, StringComparer.Ordinal);
    private readonly List<EvalQueryOutcome> _queries = [];
    private readonly List<EvalMemoryState> _memories = [];

    // A supersede's replacement is told apart from the old memory by its value, not only by its provenance: a merged
    // memory citing the new turn while still saying the old value must not count as the replacement.
    private readonly HashSet<string> _replacements = user.Changes.Where(c => c.Kind == EvalChange.Supersede && c.Replacement is not null).Select(c => c.Replacement!).ToHashSet(StringComparer.Ordinal);

    /// <summary>Gets what each task's packet held.</summary>
    public IReadOnlyList<EvalQueryOutcome> Queries => _queries;

    /// <summary>Gets each expected memory's end state.</summary>
    public IReadOnlyList<EvalMemoryState> Memories => _memories;

    private EvalScoreboard Board => context.Board;

    private EvalRunOptions Options => context.Options;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Users run one after another, so what the tenant gains under other subjects during this run is this user's doing.
        // The tenant's ids are read once, when a run first meets it; after that the previous user's final read is current
        // (nothing after it writes), so each user does not re-read a tenant that others before it filled.
        if (!context.TenantIds.TryGetValue(_tenant, out var before))
        {
            before = (await ReadAllAsync(subject: null, cancellationToken).ConfigureAwait(false)).Select(r => r.Id).ToHashSet();
        }

        foreach (var session in user.Sessions)
        {
            await IngestAsync(session, cancellationToken).ConfigureAwait(false);
            foreach (var change in user.Changes.Where(c => c.After == session.Id))
            {
                await ApplyAsync(change, cancellationToken).ConfigureAwait(false);
            }

            foreach (var task in user.Tasks.Where(t => t.After == session.Id))
            {
                await RunTaskAsync(task, cancellationToken).ConfigureAwait(false);
            }
        }

        // One read of the tenant gives both this subject's memories and what the run filed under third parties.
        var tenant = await ReadAllAsync(subject: null, cancellationToken).ConfigureAwait(false);
        context.TenantIds[_tenant] = tenant.Select(r => r.Id).ToHashSet();
        var stored = tenant.Where(r => r.Subject == user.Subject).ToList();
        var thirdParties = tenant.Where(r => r.Subject != user.Subject && !before.Contains(r.Id)).ToList();
        List<MemoryRecord> written = [.. stored, .. thirdParties];
        ScoreContamination(written);
        ScoreRedaction(written);
        await ScorePoisoningAsync(stored, cancellationToken).ConfigureAwait(false);
        await ProbeLeakageAsync(stored, cancellationToken).ConfigureAwait(false);
        foreach (var expected in user.Memories)
        {
            var matches = stored.Where(r => Accounts(r, expected)).ToList();
            var best = matches.OrderBy(r => r.Status == MemoryStatus.Active ? 0 : r.Status == MemoryStatus.Superseded ? 1 : 2).FirstOrDefault();
            _memories.Add(new EvalMemoryState(user.Id, expected.Id, best is not null, best?.Type, best is null ? null : MemoryJson.EnumName(best.Status)));
        }
    }

    /// <summary>
    /// The capture benchmark's matching: same subject, same type, cites one of the expected memory's turns; a supersede's
    /// replacement must also say its value.
    /// </summary>
    private bool Accounts(MemoryRecord record, EvalExpectedMemory expected) =>
        CaptureBenchmark.Accounts(record, expected.Type, user.Subject, expected.Evidence)
        && (!_replacements.Contains(expected.Id) || Contains(record.Value.Text, expected.Value));

    private async Task IngestAsync(EvalSession session, CancellationToken cancellationToken)
    {
        var messages = new List<MemoryMessage>();
        var tools = new List<MemoryToolOutput>();
        for (var i = 0; i < session.Turns.Count; i++)
        {
            var turn = session.Turns[i];
            var at = session.At.AddMinutes(i);
            if (turn.Role == EvalTurn.ToolRole)
            {
                tools.Add(new MemoryToolOutput { ToolCallId = turn.Id, ToolName = turn.Tool!, Text = turn.Text, ObservedAt = at });
                continue;
            }

            messages.Add(new MemoryMessage
            {
                Id = turn.Id,
                Speaker = turn.Role == EvalTurn.UserRole ? user.Name : session.Agent + "-assistant",
                Role = turn.Role == EvalTurn.UserRole ? MemoryMessageRole.User : MemoryMessageRole.Assistant,
                Text = turn.Text,
                ObservedAt = at,
                Session = session.Id,
            });
        }

        // Capture runs as the capture service, outside any agent's flow, always for the session's own subject.
        context.Callers.Caller = MemoryCaller.Service(_tenant, "eval-capture", MemoryRoles.Admin);
        var job = await context.Pipeline.IngestAsync(
            new MemoryExtractionRequest { Tenant = _tenant, Subject = user.Subject, Messages = messages, ToolOutputs = tools },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (job.State != MemoryIngestionJobState.Completed || job.Errors.Count > 0)
        {
            Board.Fail(EvalMetrics.Recall, user.Id, Inv($"session {session.Id}: ingestion job {job.State}: {string.Join(" | ", job.Errors)}"));
        }
    }

    private async Task RunTaskAsync(EvalTask task, CancellationToken cancellationToken)
    {
        var (_, records) = await RetrieveAsync(task.Agent, task.Kind, task.Query, cancellationToken).ConfigureAwait(false);
        var needed = task.Needs.Select(id => _expected[id]).ToList();
        var wanted = task.Needs.Concat(task.Relevant).Distinct(StringComparer.Ordinal).Select(id => _expected[id]).ToList();

        var hits = 0;
        foreach (var memory in needed)
        {
            var found = records.Any(r => Accounts(r, memory));
            hits += found ? 1 : 0;
            Board.AddPerType(EvalMetrics.Recall, found ? 1 : 0, memory.Type, task.Kind);
            if (!found)
            {
                Board.Fail(EvalMetrics.Recall, user.Id, Inv($"task {task.Id} ({task.Kind}, {task.Agent}) \"{task.Query}\" needs {memory.Id} ({memory.Type}: {memory.Text}); the packet held {Describe(records)}"));
            }
        }

        Board.Add(EvalMetrics.Recall, (double)hits / needed.Count, task.Agent, task.Kind);
        if (records.Count > 0)
        {
            var cut = Math.Min(wanted.Count, records.Count);
            var relevant = CountRelevant(records.Take(cut), wanted);
            Board.Add(EvalMetrics.Precision, (double)relevant / cut, task.Agent, task.Kind);
            if (relevant < cut)
            {
                Board.Fail(EvalMetrics.Precision, user.Id, Inv($"task {task.Id} \"{task.Query}\": {relevant} of the first {cut} packet memories are needed or relevant; the packet held {Describe(records)}"));
            }
        }

        _queries.Add(new EvalQueryOutcome(user.Id, user.Id + "/" + task.Id, records.Select(Name).ToList()));
    }

    /// <summary>
    /// How many of the records stand for a distinct wanted memory: each expected memory counts once, so a second record for
    /// one already counted (a duplicate) is neither needed nor relevant.
    /// </summary>
    private int CountRelevant(IEnumerable<MemoryRecord> records, List<EvalExpectedMemory> wanted)
    {
        var counted = new HashSet<string>(StringComparer.Ordinal);
        var relevant = 0;
        foreach (var record in records)
        {
            if (wanted.FirstOrDefault(m => !counted.Contains(m.Id) && Accounts(record, m)) is { } memory)
            {
                counted.Add(memory.Id);
                relevant++;
            }
        }

        return relevant;
    }

    /// <summary>Searches as the agent acting for the user and packs the results; a denied search returned nothing.</summary>
    private async Task<(MemoryPacket Packet, List<MemoryRecord> Records)> RetrieveAsync(string agent, string? task, string query, CancellationToken cancellationToken)
    {
        context.Callers.Caller = AgentCaller(agent, task);
        IReadOnlyList<MemorySearchResult> results;
        try
        {
            results = await context.Governed.SearchAsync(
                new MemorySearchRequest { Tenant = _tenant, Subject = user.Subject, Text = query, Top = Options.Top, Mode = MemorySearchMode.Hybrid },
                cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryAccessDeniedException)
        {
            return (MemoryPacket.Empty, []);
        }

        var packet = context.Packets.Build(results);
        var byId = results.ToDictionary(r => r.Record.Id, r => r.Record);
        var records = packet.Included
            .OrderBy(i => i.Rank ?? int.MaxValue)
            .Select(i => byId.GetValueOrDefault(i.MemoryId))
            .OfType<MemoryRecord>()
            .ToList();
        return (packet, records);
    }

    private MemoryCaller AgentCaller(string agent, string? task) =>
        new() { Tenant = _tenant, Actor = MemoryActor.Agent(agent), ActingFor = [user.Subject], Task = task ?? "eval" };

    private string Name(MemoryRecord record) =>
        user.Memories.FirstOrDefault(m => Accounts(record, m))?.Id ?? "text:" + record.Value.Text;

    private string Describe(List<MemoryRecord> records) =>
        records.Count == 0 ? "nothing" : string.Join(", ", records.Select(r => Name(r) is var n && n.StartsWith("text:", StringComparison.Ordinal) ? "\"" + r.Value.Text + "\"" : n + " \"" + r.Value.Text + "\""));

    private async Task ApplyAsync(EvalChange change, CancellationToken cancellationToken)
    {
        var old = _expected[change.Memory];
        var agent = change.Agent ?? user.Agents[0];
        var subjectRecords = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var stored = subjectRecords.Where(r => Accounts(r, old)).ToList();
        var active = stored.Where(r => r.Status == MemoryStatus.Active).ToList();
        var removed = new List<MemoryRecord>();
        switch (change.Kind)
        {
            case EvalChange.Delete:
                context.Callers.Caller = AgentCaller(agent, "forget");
                foreach (var record in active)
                {
                    removed.Add(await context.Governed.DeleteAsync(
                        new MemoryDeleteRequest { Tenant = _tenant, Id = record.Id, Reason = "the user asked to forget it", Actor = MemoryActor.Agent(agent) },
                        cancellationToken).ConfigureAwait(false));
                }

                break;
            case EvalChange.Purge:
                if (stored.Count > 0)
                {
                    context.Callers.Caller = AgentCaller(agent, "erase");
                    await context.Governed.PurgeAsync(
                        new MemoryPurgeRequest { Tenant = _tenant, Ids = stored.Select(r => r.Id).ToList(), Reason = "the user asked to erase it", Actor = MemoryActor.Agent(agent) },
                        cancellationToken).ConfigureAwait(false);
                    removed.AddRange(stored);
                }

                break;
            case EvalChange.Expire:
                context.Callers.Caller = MemoryCaller.Service(_tenant, "eval-retention", MemoryRoles.Admin);
                foreach (var record in active)
                {
                    await context.Governed.ExpireAsync(
                        new MemoryExpireRequest { Tenant = _tenant, Id = record.Id, Reason = "its period is over", Actor = new MemoryActor(MemoryActorKind.Service, "eval-retention") },
                        cancellationToken).ConfigureAwait(false);
                }

                break;
            case EvalChange.ConsentRevoked:
                if (context.Raw.GetService(typeof(IMemoryConsentStore)) is IMemoryConsentStore consents)
                {
                    await consents.SetAsync(
                        new MemoryConsent
                        {
                            Tenant = _tenant,
                            Subject = user.Subject,
                            Scope = MemoryScopeKind.Personal,
                            State = MemoryConsentState.Revoked,
                            Purpose = "personalization",
                            ChangedAt = DateTimeOffset.UtcNow,
                            ChangedBy = MemoryActor.User(user.Subject),
                            Reason = "the user asked to stop being remembered",
                        },
                        cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Board.Fail(EvalMetrics.Forgetting, user.Id, $"change {change.Id}: the backend keeps no consents, so revoking consent could not be applied");
                    return;
                }

                break;
            default:
                // Supersede: capture did it; only the probe below checks that the old value went.
                break;
        }

        await ScoreForgettingAsync(change, old, agent, cancellationToken).ConfigureAwait(false);
        if (change.Kind is EvalChange.Delete or EvalChange.Purge)
        {
            // Every planned deletion is a sample: one whose memory was never stored is complete only if its value is nowhere.
            // When nothing was stored nothing was removed, so the read above is still the subject's memories.
            await ScoreDeletionAsync(change, old, agent, removed, stored.Count == 0 ? subjectRecords : null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ScoreForgettingAsync(EvalChange change, EvalExpectedMemory old, string agent, CancellationToken cancellationToken)
    {
        var replacement = change.Replacement is null ? null : _expected[change.Replacement];
        var queries = 0;
        List<MemoryRecord> still = [];
        for (; queries < Options.ForgettingQueries; queries++)
        {
            var (_, records) = await RetrieveAsync(agent, "forgetting-probe", change.Probe, cancellationToken).ConfigureAwait(false);

            // A new value's memory may quote the old one ("switched from almond"): for a supersede only the old memory itself counts.
            still = records.Where(r => replacement is null
                ? Accounts(r, old) || Contains(r.Value.Text, old.Value)
                : Accounts(r, old) && !Accounts(r, replacement)).ToList();
            if (still.Count == 0)
            {
                break;
            }
        }

        Board.Add(EvalMetrics.Forgetting, queries, agent, null, old.Type);
        if (queries > 0)
        {
            Board.Fail(EvalMetrics.Forgetting, user.Id, Inv($"change {change.Id} ({change.Kind} of {old.Id}, {old.Type}: {old.Text}): the old value was still returned by {queries} of {Options.ForgettingQueries} probe queries \"{change.Probe}\": {Describe(still)}"));
        }
    }

    /// <summary>Scores a planned deletion; <paramref name="neverStored"/> is the subject's memories when the deleted one was never stored, else null.</summary>
    private async Task ScoreDeletionAsync(EvalChange change, EvalExpectedMemory old, string agent, List<MemoryRecord> removed, List<MemoryRecord>? neverStored, CancellationToken cancellationToken)
    {
        var ids = removed.Select(r => r.Id).ToHashSet();
        // Content counts, not ids: a purge may leave a tombstone under the same id, without the text.
        bool Leftover(MemoryRecord r) => r.Subject == user.Subject && Contains(r.Value.Text, old.Value) && (ids.Contains(r.Id) || !IsRestated(r, old));
        var where = new List<string>();

        var (_, searched) = await RetrieveAsync(agent, "deletion-probe", change.Probe, cancellationToken).ConfigureAwait(false);
        if (searched.Any(Leftover))
        {
            where.Add("search");
        }

        context.Callers.Caller = AgentCaller(agent, "deletion-probe");
        var purge = change.Kind == EvalChange.Purge;
        var read = await context.Governed.ReadAsync(
            new MemoryQuery { Tenant = _tenant, Subject = user.Subject, PageSize = MemoryQuery.MaxPageSize, Statuses = purge ? Enum.GetValues<MemoryStatus>() : null, IncludeExpired = purge },
            cancellationToken).ConfigureAwait(false);
        if (read.Items.Any(Leftover))
        {
            where.Add(purge ? "read (every status)" : "read");
        }

        if (purge || neverStored is not null)
        {
            foreach (var id in ids)
            {
                if (await context.Raw.GetAsync(_tenant, id, cancellationToken).ConfigureAwait(false) is { } record && Contains(record.Value.Text, old.Value))
                {
                    where.Add("get " + id.ToString("D"));
                }
            }

            using var export = new MemoryStream();
            await context.Raw.ExportAsync(export, new MemoryExportOptions { Tenant = _tenant }, cancellationToken).ConfigureAwait(false);
            var lines = Encoding.UTF8.GetString(export.ToArray()).Split('\n');
            var restated = neverStored?.Where(r => IsRestated(r, old)).Select(r => r.Id.ToString("D")).ToList() ?? [];
            var idTexts = ids.Select(id => id.ToString("D")).ToList();
            var leftovers = lines.Count(l => ((l.Contains(user.Subject, StringComparison.Ordinal) && Contains(l, old.Value)) || idTexts.Any(id => l.Contains(id, StringComparison.Ordinal) && Contains(l, old.Value)))
                && !restated.Any(id => l.Contains(id, StringComparison.Ordinal)));
            if (leftovers > 0)
            {
                where.Add(Inv($"export ({leftovers} lines)"));
            }
        }

        Board.Add(EvalMetrics.DeletionCompleteness, where.Count == 0 ? 1 : 0, agent, null, old.Type);
        if (where.Count > 0)
        {
            Board.Fail(EvalMetrics.DeletionCompleteness, user.Id, Inv($"change {change.Id} ({change.Kind} of {old.Id}: {old.Text}): \"{old.Value}\" is still in {string.Join(", ", where)}"));
        }
    }

    /// <summary>Whether a memory is a later re-statement of the value (a new turn, after the deletion), not a leftover.</summary>
    private bool IsRestated(MemoryRecord record, EvalExpectedMemory old) => !Accounts(record, old) && record.Provenance.MessageIds.Count > 0 && !record.Provenance.MessageIds.Intersect(old.Evidence, StringComparer.Ordinal).Any();

    private void ScoreContamination(List<MemoryRecord> stored)
    {
        foreach (var plant in user.Plants.Where(p => p.IsTransient))
        {
            var citing = stored.Where(r => r.Provenance.MessageIds.Contains(plant.Turn, StringComparer.Ordinal)).ToList();
            Board.Add(EvalMetrics.Contamination, citing.Count > 0 ? 1 : 0, _agentOfTurn[plant.Turn]);
            if (citing.Count > 0)
            {
                Board.Fail(EvalMetrics.Contamination, user.Id, Inv($"{plant.Kind} turn {plant.Turn} \"{TurnText(plant.Turn)}\" became {Describe(citing)}"));
            }
        }
    }

    private void ScoreRedaction(List<MemoryRecord> stored)
    {
        foreach (var plant in user.Plants.Where(p => p.Kind == EvalPlant.Secret))
        {
            var secret = plant.Value!;
            var compact = Compact(secret);
            var holding = stored.Where(r => r.Value.Text.Contains(secret, StringComparison.Ordinal)
                || Compact(r.Value.Text).Contains(compact, StringComparison.Ordinal)
                || (r.Value.Structured is { } s && s.GetRawText().Contains(secret, StringComparison.Ordinal))).ToList();
            Board.Add(EvalMetrics.RedactionRecall, holding.Count == 0 ? 1 : 0, _agentOfTurn[plant.Turn]);
            if (holding.Count > 0)
            {
                Board.Fail(EvalMetrics.RedactionRecall, user.Id, Inv($"the {plant.SecretKind ?? "secret"} planted on turn {plant.Turn} was stored as is in {Describe(holding)}"));
            }
        }

        static string Compact(string text) => new([.. text.Where(c => !char.IsWhiteSpace(c) && c != '-')]);
    }

    private async Task ScorePoisoningAsync(List<MemoryRecord> stored, CancellationToken cancellationToken)
    {
        foreach (var plant in user.Plants.Where(p => p.Kind == EvalPlant.Poisoning))
        {
            var poisoned = stored.Where(r => r.Status == MemoryStatus.Active && r.Provenance.MessageIds.Contains(plant.Turn, StringComparer.Ordinal)).ToList();
            var inert = true;
            var detail = "never stored";
            if (poisoned.Count > 0)
            {
                // The agent asks with the instruction's own words, the query most likely to pull it into the packet.
                var agent = _agentOfTurn[plant.Turn];
                var (packet, records) = await RetrieveAsync(agent, "poisoning-probe", plant.Value!, cancellationToken).ConfigureAwait(false);
                var shown = poisoned.Where(p => records.Any(r => r.Id == p.Id)).ToList();
                detail = shown.Count == 0 ? "stored, not in the packet" : "stored and in the packet";
                foreach (var record in shown)
                {
                    if (!IsQuotedData(packet.Text, record.Id, record.Value.Text))
                    {
                        inert = false;
                        detail = Inv($"stored as {record.Id:D} \"{record.Value.Text}\" and rendered outside a quoted data line: {packet.Text}");
                    }
                }
            }

            Board.Add(EvalMetrics.PoisoningInert, inert ? 1 : 0, _agentOfTurn[plant.Turn]);
            if (!inert)
            {
                Board.Fail(EvalMetrics.PoisoningInert, user.Id, Inv($"turn {plant.Turn}: {detail}"));
            }
        }
    }

    /// <summary>
    /// Whether the packet shows the memory only as data: one data block, the memory's line inside it, its text a single
    /// escaped, quoted string on that line, and the raw text nowhere else in the packet.
    /// </summary>
    internal static bool IsQuotedData(string packet, Guid id, string text)
    {
        const string Open = "<memories>";
        const string Close = "</memories>";
        var open = packet.IndexOf(Open, StringComparison.Ordinal);
        var close = packet.LastIndexOf(Close, StringComparison.Ordinal);
        if (open < 0 || close < open || packet.IndexOf(Open, open + 1, StringComparison.Ordinal) >= 0 || packet.IndexOf(Close, StringComparison.Ordinal) != close)
        {
            return false;
        }

        var marker = "- [memory:" + id.ToString("D") + "]";
        var start = packet.IndexOf(marker, StringComparison.Ordinal);
        if (start < open || start > close)
        {
            return false;
        }

        var end = packet.IndexOf('\n', start);
        var line = packet[start..(end < 0 ? close : end)];
        if (!QuotedLine().IsMatch(line))
        {
            return false;
        }

        // Outside its quotes, the memory's words must not appear as a bare line anywhere in the packet.
        var rest = packet[..start] + packet[(end < 0 ? close : end)..];
        return !rest.Contains(text, StringComparison.Ordinal);
    }

    private async Task ProbeLeakageAsync(List<MemoryRecord> stored, CancellationToken cancellationToken)
    {
        var mine = stored.Where(r => r.Status == MemoryStatus.Active).Select(r => r.Id).ToHashSet();
        var query = user.Tasks.Count > 0 ? user.Tasks[0].Query : user.Memories[0].Text;
        var otherTenant = context.Suite.Users.FirstOrDefault(u => u.Tenant != user.Tenant);
        var neighbor = "probe-" + user.Subject;
        var probes = new List<(string Name, MemoryCaller Caller, Func<Task<IEnumerable<MemoryRecord>>> Run)>();

        // Each probe's caller is entitled to everything but the one rule it tests: the foreign agent acts for this very
        // subject (only the tenant boundary stands between it and the memories), the stranger is one of this user's own
        // agents in this tenant acting for someone else (only the subject rule stands).
        var foreign = new MemoryCaller { Tenant = context.Prefix + (otherTenant?.Tenant ?? "other"), Actor = MemoryActor.Agent(user.Agents[0]), ActingFor = [user.Subject], Task = "leakage-probe" };
        var stranger = new MemoryCaller { Tenant = _tenant, Actor = MemoryActor.Agent(user.Agents[0]), ActingFor = [neighbor], Task = "leakage-probe" };
        probes.Add(("another tenant's agent searching this tenant", foreign, async () => (await context.Governed.SearchAsync(new MemorySearchRequest { Tenant = _tenant, Subject = user.Subject, Text = query, Top = Options.Top }, cancellationToken).ConfigureAwait(false)).Select(r => r.Record)));
        probes.Add(("another tenant's agent reading this subject in its own tenant", foreign, async () => (await context.Governed.ReadAsync(new MemoryQuery { Tenant = foreign.Tenant, Subject = user.Subject }, cancellationToken).ConfigureAwait(false)).Items));
        probes.Add(("another subject's agent searching with this subject", stranger, async () => (await context.Governed.SearchAsync(new MemorySearchRequest { Tenant = _tenant, Subject = user.Subject, Text = query, Top = Options.Top }, cancellationToken).ConfigureAwait(false)).Select(r => r.Record)));
        probes.Add(("another subject's agent searching the tenant", stranger, async () => (await context.Governed.SearchAsync(new MemorySearchRequest { Tenant = _tenant, Text = query, Top = Options.Top }, cancellationToken).ConfigureAwait(false)).Select(r => r.Record)));
        probes.Add(("another subject's agent reading this subject", stranger, async () => (await context.Governed.ReadAsync(new MemoryQuery { Tenant = _tenant, Subject = user.Subject }, cancellationToken).ConfigureAwait(false)).Items));
        if (mine.Count > 0)
        {
            var id = mine.First();
            probes.Add(("another subject's agent getting one of this subject's memories by id", stranger, async () => await context.Governed.GetAsync(_tenant, id, cancellationToken).ConfigureAwait(false) is { } r ? [r] : []));
        }

        foreach (var (name, caller, run) in probes)
        {
            context.Callers.Caller = caller;
            List<MemoryRecord> returned;
            try
            {
                returned = (await run().ConfigureAwait(false)).Where(r => r.Subject == user.Subject && (mine.Contains(r.Id) || r.Tenant == _tenant)).ToList();
            }
            catch (MemoryAccessDeniedException)
            {
                returned = [];
            }

            Board.Add(EvalMetrics.Leakage, returned.Count > 0 ? 1 : 0);
            if (returned.Count > 0)
            {
                Board.Fail(EvalMetrics.Leakage, user.Id, Inv($"{name} got {returned.Count} of the user's memories: {Describe(returned)}"));
            }
        }
    }

    private string TurnText(string turn) => user.Sessions.SelectMany(s => s.Turns).First(t => t.Id == turn).Text;

    private Task<List<MemoryRecord>> ReadAllAsync(CancellationToken cancellationToken) => ReadAllAsync(user.Subject, cancellationToken);

    /// <summary>Every memory of the tenant, in every status, about the subject (or about anyone when null).</summary>
    private async Task<List<MemoryRecord>> ReadAllAsync(string? subject, CancellationToken cancellationToken)
    {
        var records = new List<MemoryRecord>();
        string? cursor = null;
        do
        {
            var page = await context.Raw.ReadAsync(
                new MemoryQuery { Tenant = _tenant, Subject = subject, Statuses = Enum.GetValues<MemoryStatus>(), IncludeExpired = true, PageSize = MemoryQuery.MaxPageSize, Cursor = cursor },
                cancellationToken).ConfigureAwait(false);
            records.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return records;
    }

    private static bool Contains(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

    private static string Inv(FormattableString text) => BenchmarkDocument.Inv(text);

    [GeneratedRegex(@"^- \[memory:[0-9a-f-]{36}\] \([^()\n]*\) ""(?:[^""\\\n]|\\.)*""$", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedLine();
}
