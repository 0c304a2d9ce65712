using Microsoft.ML.Tokenizers;

namespace SkMemory.Packing;

/// <summary>
/// Builds the memory packet injected into a model's context: pinned memories first, then ranked search results, near-duplicates
/// removed, each memory cited by id and rendered as a quoted, escaped string inside a <c>&lt;memories&gt;</c> block that tells the
/// model it is data and not instructions, all within a hard token budget counted with the target model's tokenizer.
/// </summary>
/// <remarks>
/// Selection is greedy in packet order: a memory whose line does not fit in what is left of the budget is dropped and later,
/// smaller ones are still tried. The final text is counted exactly; if it exceeds the budget the last included memory is dropped
/// until it fits. When no memory fits, the packet is empty (no frame either). A memory offered more than once (for example pinned
/// and also ranked) is considered once, at its first position. Thread-safe; building is pure computation.
/// </remarks>
public sealed class MemoryPacketBuilder
{
    private readonly Tokenizer _tokenizer;
    private readonly int _budget;
    private readonly double _nearDuplicateThreshold;
    private readonly TimeProvider _timeProvider;
    private readonly string _opening;
    private readonly int _frameTokens;

    /// <summary>Initializes a new instance of the <see cref="MemoryPacketBuilder"/> class.</summary>
    /// <param name="options">The budget, tokenizer, dedup threshold and header.</param>
    /// <exception cref="ArgumentOutOfRangeException">The budget is negative or the threshold is not above 0.</exception>
    public MemoryPacketBuilder(MemoryPacketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TokenBudget, nameof(options));
        if (double.IsNaN(options.NearDuplicateThreshold) || options.NearDuplicateThreshold <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.NearDuplicateThreshold, "NearDuplicateThreshold must be above 0.");
        }

        // Copied, so a later change to the options cannot unsettle a builder in use; the frame is counted once.
        _tokenizer = options.Tokenizer;
        _budget = options.TokenBudget;
        _nearDuplicateThreshold = options.NearDuplicateThreshold;
        _timeProvider = options.TimeProvider;
        _opening = MemoryPacketRenderer.Opening(options.Header);
        _frameTokens = _tokenizer.CountTokens(_opening + MemoryPacketRenderer.CloseTag);
    }

    /// <summary>Builds a packet from ranked search results and optional pinned memories.</summary>
    /// <param name="ranked">Search results, best first.</param>
    /// <param name="pinned">Memories that go first whatever their rank, in the collection's order.</param>
    /// <returns>The packet, with what was included and what was dropped and why.</returns>
    public MemoryPacket Build(IReadOnlyList<MemorySearchResult> ranked, IReadOnlyCollection<MemoryRecord>? pinned = null)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        var candidates = Candidates(ranked, pinned);
        var dropped = new List<(int Order, MemoryPacketDrop Drop)>();

        // One pass in packet order. A near-duplicate is judged against what the packet holds, so the paraphrase of a memory
        // that did not fit still has its chance.
        var now = _timeProvider.GetUtcNow();
        var remaining = _budget == 0 ? 0 : _budget - _frameTokens;
        var included = new List<(PacketCandidate Candidate, string Line, int Tokens, HashSet<string> Words)>();
        foreach (var candidate in candidates)
        {
            if (!IsActive(candidate.Record, now))
            {
                dropped.Add((candidate.Order, candidate.Drop(MemoryPacketDropReason.NotActive)));
                continue;
            }

            var words = MemoryWords.Set(candidate.Record.Value.Text);
            var original = included.FindIndex(k => MemoryWords.Jaccard(k.Words, words) >= _nearDuplicateThreshold);
            if (original >= 0)
            {
                dropped.Add((candidate.Order, candidate.Drop(MemoryPacketDropReason.NearDuplicate) with { DuplicateOf = included[original].Candidate.Record.Id }));
                continue;
            }

            if (remaining <= 0)
            {
                dropped.Add((candidate.Order, candidate.Drop(MemoryPacketDropReason.OverBudget)));
                continue;
            }

            var line = MemoryPacketRenderer.Line(candidate.Record);
            var tokens = _tokenizer.CountTokens(line);
            if (tokens > remaining)
            {
                dropped.Add((candidate.Order, candidate.Drop(MemoryPacketDropReason.OverBudget) with { Tokens = tokens }));
                continue;
            }

            included.Add((candidate, line, tokens, words));
            remaining -= tokens;
        }

        var (text, count) = FitExactly(included, dropped);
        return new MemoryPacket(
            text,
            count,
            _budget,
            included.Select(i => new MemoryPacketItem(i.Candidate.Record.Id, i.Tokens, i.Candidate.Pinned, i.Candidate.Rank)).ToList(),
            dropped.OrderBy(d => d.Order).Select(d => d.Drop).ToList());
    }

    /// <summary>Counts the composed text exactly and drops the last included memory until it fits the budget.</summary>
    private (string Text, int Count) FitExactly(
        List<(PacketCandidate Candidate, string Line, int Tokens, HashSet<string> Words)> included,
        List<(int Order, MemoryPacketDrop Drop)> dropped)
    {
        while (included.Count > 0)
        {
            var text = MemoryPacketRenderer.Compose(_opening, included.Select(i => i.Line));
            var count = _tokenizer.CountTokens(text);
            if (count <= _budget)
            {
                return (text, count);
            }

            var last = included[^1];
            included.RemoveAt(included.Count - 1);
            dropped.Add((last.Candidate.Order, last.Candidate.Drop(MemoryPacketDropReason.OverBudget) with { Tokens = last.Tokens }));
        }

        return (string.Empty, 0);
    }

    private static List<PacketCandidate> Candidates(IReadOnlyList<MemorySearchResult> ranked, IReadOnlyCollection<MemoryRecord>? pinned)
    {
        var rankById = new Dictionary<Guid, int>();
        for (var i = 0; i < ranked.Count; i++)
        {
            var result = ranked[i] ?? throw new ArgumentException("Ranked results must not contain null.", nameof(ranked));
            rankById.TryAdd(result.Record.Id, i + 1);
        }

        var seen = new HashSet<Guid>();
        var candidates = new List<PacketCandidate>();
        foreach (var record in pinned ?? [])
        {
            ArgumentNullException.ThrowIfNull(record, nameof(pinned));
            if (seen.Add(record.Id))
            {
                candidates.Add(new PacketCandidate(candidates.Count, record, Pinned: true, rankById.TryGetValue(record.Id, out var rank) ? rank : null));
            }
        }

        for (var i = 0; i < ranked.Count; i++)
        {
            if (seen.Add(ranked[i].Record.Id))
            {
                candidates.Add(new PacketCandidate(candidates.Count, ranked[i].Record, Pinned: false, i + 1));
            }
        }

        return candidates;
    }

    private static bool IsActive(MemoryRecord record, DateTimeOffset now) =>
        record.Status == MemoryStatus.Active
        && record.SupersededBy is null
        && (record.ValidTo is not { } validTo || validTo > now)
        && (record.ExpiresAt is not { } expiresAt || expiresAt > now);
}
