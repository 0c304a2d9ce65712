using System.Globalization;

namespace SkMemory.Capture;

/// <summary>
/// The default, deterministic evolve decision. In order: a candidate said before the memory filling its slot was said
/// changes nothing; the same statement again merges its new evidence (or changes nothing when its evidence is already recorded);
/// any other value for the same slot key, or a transition whose old value a related memory holds, supersedes it; a
/// near-identical statement (similarity at or above the threshold) merges; anything else is added.
/// </summary>
/// <remarks>This class is thread-safe.</remarks>
public sealed class RuleBasedMemoryConflictResolver : IMemoryConflictResolver
{
    private readonly double _duplicateSimilarity;

    /// <summary>Initializes a new instance of the <see cref="RuleBasedMemoryConflictResolver"/> class.</summary>
    /// <param name="duplicateSimilarity">
    /// The similarity (cosine of embeddings, or word overlap without them) at or above which a statement restates a memory
    /// and merges into it, 0..1.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duplicateSimilarity"/> is not in 0..1.</exception>
    public RuleBasedMemoryConflictResolver(double duplicateSimilarity = 0.9)
    {
        if (!double.IsFinite(duplicateSimilarity) || duplicateSimilarity is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(duplicateSimilarity), duplicateSimilarity, "The duplicate similarity must be between 0 and 1.");
        }

        _duplicateSimilarity = duplicateSimilarity;
    }

    /// <inheritdoc />
    public string Name => "rules";

    /// <inheritdoc />
    public Task<MemoryEvolveDecision> ResolveAsync(MemoryCandidate candidate, IReadOnlyList<MemoryRelatedRecord> related, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(related);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Resolve(candidate, related));
    }

    private MemoryEvolveDecision Resolve(MemoryCandidate candidate, IReadOnlyList<MemoryRelatedRecord> related)
    {
        // Which statement is newer is decided by when each was said, not by the event time it names: "I switched to oat
        // milk last month" said today replaces what was said three weeks ago, though "last month" starts earlier.
        var saidAt = MemoryEvolver.SaidAt(candidate);
        var text = MemoryEvolver.Normalize(candidate.Value.Text);

        if (related.FirstOrDefault(r => MemoryEvolver.Normalize(r.Record.Value.Text) == text) is { } same)
        {
            return Corroborate(candidate, same.Record, "states the same");
        }

        // "Ana drives a Honda Civic", "Ana has got a Honda Civic": the same value told with another verb restates it.
        if (related.FirstOrDefault(r => SameValue(candidate, r)) is { } paraphrase)
        {
            return Corroborate(candidate, paraphrase.Record, "restates the same value in other words");
        }

        if (related.FirstOrDefault(r => r.SameKey) is { } slot)
        {
            if (saidAt is { } said && said < MemoryEvolver.SaidAt(slot.Record))
            {
                return new MemoryEvolveDecision(
                    MemoryEvolveAction.NoOp,
                    Invariant($"said earlier ({said:yyyy-MM-dd}) than the current value of {candidate.Key} ({MemoryEvolver.SaidAt(slot.Record):yyyy-MM-dd}), which stands"),
                    slot.Record.Id);
            }

            // A slot holds one value: any other wording is a new value (paraphrases of an address look alike to embeddings).
            return new MemoryEvolveDecision(MemoryEvolveAction.Supersede, $"a new value for {candidate.Key} replaces \"{slot.Record.Value.Text}\"", slot.Record.Id);
        }

        if (candidate.Replaces is { Length: > 0 } replaces
            && related.FirstOrDefault(r => MemoryEvolver.Normalize(r.Record.Value.Text).Contains(MemoryEvolver.Normalize(replaces), StringComparison.Ordinal)) is { } old)
        {
            return saidAt is { } said && said < MemoryEvolver.SaidAt(old.Record)
                ? new MemoryEvolveDecision(MemoryEvolveAction.NoOp, Invariant($"the change from \"{replaces}\" was said earlier ({said:yyyy-MM-dd}) than the memory it would replace ({MemoryEvolver.SaidAt(old.Record):yyyy-MM-dd})"), old.Record.Id)
                : new MemoryEvolveDecision(MemoryEvolveAction.Supersede, $"changed from \"{replaces}\": replaces \"{old.Record.Value.Text}\"", old.Record.Id);
        }

        if (related.FirstOrDefault(r => r.Similarity >= _duplicateSimilarity) is { } near)
        {
            return Corroborate(candidate, near.Record, Invariant($"restates it (similarity {near.Similarity:0.00})"));
        }

        return new MemoryEvolveDecision(MemoryEvolveAction.Add, related.Count == 0 ? "nothing related is stored" : Invariant($"new: the closest memory is only {related.Max(r => r.Similarity):0.00} similar"));
    }

    /// <summary>Merges new evidence into a memory that says the same; a replay of evidence already recorded changes nothing.</summary>
    private static MemoryEvolveDecision Corroborate(MemoryCandidate candidate, MemoryRecord record, string how) =>
        MemoryEvolver.AddsEvidence(record.Provenance, candidate.Evidence)
            ? new MemoryEvolveDecision(MemoryEvolveAction.Merge, $"corroborates: {how} with new evidence", record.Id)
            : new MemoryEvolveDecision(MemoryEvolveAction.NoOp, $"duplicate: {how}, and its evidence is already recorded", record.Id);

    /// <summary>
    /// Whether a related memory holds the candidate's value told another way: their words, less the subject's and the
    /// words that only relate the subject to the value, are the same words in the same order. For a memory in the same slot
    /// every relating verb counts ("lives in", "is based in"); otherwise only the verbs of having do, so "lives in Denver"
    /// never restates "works in Denver". Order and repeats matter ("03/04" is not "04/03", "555 5555" is not
    /// "555 555 5555"), and the identifier-like tokens (anything with a digit or an "@": dates, phone numbers, emails) must
    /// match whole and in order before any word is dropped, since dropping the subject's name could make
    /// "ana.smith@x.com" read like "smith.ana@x.com". A wrong merge loses the new value, so any doubt adds or supersedes.
    /// </summary>
    private static bool SameValue(MemoryCandidate candidate, MemoryRelatedRecord related)
    {
        if (!Identifiers(candidate.Value.Text).SequenceEqual(Identifiers(related.Record.Value.Text), StringComparer.Ordinal))
        {
            return false;
        }

        var ignored = related.SameKey ? SlotRelationWords : HavingWords;
        var subject = MemoryWords.Set(candidate.Subject);
        var mine = MemoryWords.Split(candidate.Value.Text).Where(w => !ignored.Contains(w) && !subject.Contains(w)).ToList();
        if (mine.Count == 0)
        {
            return false;
        }

        var recordSubject = MemoryWords.Set(related.Record.Subject);
        return mine.SequenceEqual(MemoryWords.Split(related.Record.Value.Text).Where(w => !ignored.Contains(w) && !subject.Contains(w) && !recordSubject.Contains(w)), StringComparer.Ordinal);
    }

    /// <summary>
    /// The identifier-like tokens of a text, in order: each white-space-separated part holding a digit or an "@", lower-cased
    /// and without the punctuation that ends a sentence ("ana.smith@x.com", "03/04", "555-0100").
    /// </summary>
    private static IEnumerable<string> Identifiers(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(part => part.Any(c => char.IsDigit(c) || c == '@'))
            .Select(part => part.TrimEnd('.', ',', ';', ':', '!', '?', ')', '"', '\'').TrimStart('(', '"', '\'').ToLowerInvariant());

    /// <summary>Words that tie a subject to a thing it has: the value is what is left.</summary>
    private static readonly HashSet<string> HavingWords = new(StringComparer.Ordinal)
    {
        "has", "have", "got", "owns", "own", "drives", "rides", "a", "an", "the", "their", "his", "her", "s", "named", "called",
    };

    /// <summary>Words that tie a subject to the value of a slot (the key already says which slot).</summary>
    private static readonly HashSet<string> SlotRelationWords = new(HavingWords, StringComparer.Ordinal)
    {
        "is", "are", "lives", "living", "based", "in", "works", "working", "as", "at", "for", "uses", "now", "currently", "by", "profession", "trade",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
