namespace SkMemory.Capture;

/// <summary>
/// The deterministic offline extractor: patterns over every message, tool output and document propose typed candidate
/// memories with verbatim evidence, with no model at all. The pack extracts memories with it when no chat model is
/// configured, and the evals measure model extractors against it.
/// </summary>
/// <remarks>
/// <para>
/// Text is split into sentences and then into clauses ("I live in Lisbon and I work at Contoso" is two); each clause is read
/// from the point of view of who it is about, and the pattern families run over it in a fixed priority order: changes of
/// value ("switched from almond milk to oat milk"), constraints (allergies, diets, "never call me before 9am", budgets),
/// identifiers (email, phone, handles, account ids), assets, facts (home city, employer, job title, birthday, family),
/// skills, preferences, and events with a grounded date. A pattern claims the part of the clause it matched, so a clause
/// yields one candidate per statement, not one per pattern.
/// </para>
/// <para>
/// Who a clause is about: in a person's turn, "I" is <see cref="MemoryExtractionRequest.SubjectOf"/> of the message. In an
/// assistant's turn, a second-person clause ("you probably prefer window seats") is about the request's subject, or else
/// the last other speaker of a user turn before it, and carries <see cref="MemoryCandidateSignal.AssistantSpeculation"/>;
/// the assistant's first-person clauses are about the assistant itself. In documents and prose tool outputs, "I" is the
/// request's subject, and third-person statements ("Ana is fluent in Portuguese", "She lives in Porto", "The user is
/// vegan") are read when they name the request's subject (or, without one, any person named). JSON tool outputs and
/// "Field: value" lines are read field by field (<c>"email"</c>, <c>"city"</c>, <c>"employer"</c>…).
/// </para>
/// <para>
/// The extractor proposes; it does not judge. Assistant guesses, passing states ("I'm in a hurry today"), questions,
/// hypotheticals, code and external documents still yield candidates, flagged with the signals a pattern knows of, and the
/// gate decides. Every candidate's text names its subject in the third person ("Ana prefers oat milk", "Caroline's email
/// is c@x.org"), its evidence quotes the clause verbatim, and it cites the message, tool call or document hash it came from.
/// Relative dates are grounded against the observation time (see <see cref="RelativeDates"/>): events carry the date in
/// their text and <see cref="MemoryCandidate.ValidFrom"/>; other memories carry the date of their own clause, if it has one.
/// Within one request, a repeated statement (same type, subject and words) is proposed once, citing every message that
/// made it. <see cref="MemoryExtractionRequest.Instructions"/> are ignored: rules take no instructions.
/// </para>
/// <para>The output depends only on the request: the same request always gives the same candidates. This class is thread-safe.</para>
/// </remarks>
public sealed partial class RuleBasedMemoryExtractor : IMemoryExtractor
{
    /// <summary>The extractor's name, recorded on each candidate.</summary>
    private const string ExtractorName = "rules";

    /// <inheritdoc />
    public string Name => ExtractorName;

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public Task<MemoryExtractionResult> ExtractAsync(MemoryExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var found = new CandidateSet();
        for (var i = 0; i < request.Messages.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Read(FromMessage(request, i), found);
        }

        foreach (var tool in request.ToolOutputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Read(FromTool(request, tool), found);
        }

        foreach (var document in request.Documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Read(FromDocument(request, document), found);
        }

        return Task.FromResult(new MemoryExtractionResult(found.Candidates, []));
    }

    private static SourceItem FromMessage(MemoryExtractionRequest request, int index)
    {
        var message = request.Messages[index];
        var speaker = message.Speaker.Trim();
        var evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = [message.Id], ObservedAt = message.ObservedAt };
        return message.Role switch
        {
            MemoryMessageRole.User => new SourceItem(message.Text, speaker, message.ObservedAt, evidence) { FirstPerson = request.SubjectOf(message), Fields = true },

            // The assistant speaks of itself in the first person and of the user in the second; what it says of the user is
            // its own reading, flagged for the gate.
            MemoryMessageRole.Assistant => new SourceItem(message.Text, speaker, message.ObservedAt, evidence)
            {
                FirstPerson = speaker,
                Addressee = request.Subject ?? LastOtherSpeaker(request, index),
                ThirdPerson = true,
                KnownSubject = request.Subject,
            },

            // A system prompt's "you" is the assistant, never the user.
            MemoryMessageRole.System => new SourceItem(message.Text, speaker, message.ObservedAt, evidence) { FirstPerson = speaker, ThirdPerson = true, KnownSubject = request.Subject },
            _ => new SourceItem(message.Text, speaker, message.ObservedAt, evidence) { ThirdPerson = true, KnownSubject = request.Subject, Fields = true },
        };
    }

    private static string? LastOtherSpeaker(MemoryExtractionRequest request, int index)
    {
        var speaker = request.Messages[index].Speaker.Trim();
        for (var i = index - 1; i >= 0; i--)
        {
            var earlier = request.Messages[i];
            if (earlier.Role == MemoryMessageRole.User && !string.Equals(earlier.Speaker.Trim(), speaker, StringComparison.Ordinal))
            {
                return request.SubjectOf(earlier);
            }
        }

        return null;
    }

    private static SourceItem FromTool(MemoryExtractionRequest request, MemoryToolOutput tool) =>
        new(tool.Text, tool.ToolName, tool.ObservedAt, new MemoryProvenance { SourceKind = MemorySourceKind.Tool, ToolCallIds = [tool.ToolCallId], ObservedAt = tool.ObservedAt })
        {
            FirstPerson = request.Subject,
            ThirdPerson = true,
            KnownSubject = request.Subject,
            Fields = true,
        };

    private static SourceItem FromDocument(MemoryExtractionRequest request, MemoryDocument document) =>
        new(document.Text, document.Name, document.ObservedAt, new MemoryProvenance { SourceKind = MemorySourceKind.Document, FileHashes = [document.ContentHash], ObservedAt = document.ObservedAt })
        {
            FirstPerson = request.Subject,
            ThirdPerson = true,
            KnownSubject = request.Subject,
            Fields = true,
            Signals = document.External ? [MemoryCandidateSignal.ExternalContent] : [],
        };

    /// <summary>One message, tool output or document, and how its statements are attributed.</summary>
    /// <param name="Text">The text.</param>
    /// <param name="Source">Who stated it: the speaker, the tool or the document.</param>
    /// <param name="ObservedAt">When it was observed; relative dates are grounded against it.</param>
    /// <param name="Evidence">The evidence every candidate from it cites (the quoted span is added per clause).</param>
    private sealed record SourceItem(string Text, string Source, DateTimeOffset ObservedAt, MemoryProvenance Evidence)
    {
        /// <summary>Gets who "I" is; null when first-person statements cannot be attributed.</summary>
        public string? FirstPerson { get; init; }

        /// <summary>Gets who "you" is (assistant turns); null when second-person statements are not read.</summary>
        public string? Addressee { get; init; }

        /// <summary>Gets a value indicating whether third-person statements about a named person are read.</summary>
        public bool ThirdPerson { get; init; }

        /// <summary>Gets the request's subject: a third-person statement must name it when set.</summary>
        public string? KnownSubject { get; init; }

        /// <summary>Gets a value indicating whether JSON fields and "Field: value" lines are read.</summary>
        public bool Fields { get; init; }

        /// <summary>Gets the signals every candidate from the item carries.</summary>
        public IReadOnlyList<MemoryCandidateSignal> Signals { get; init; } = [];
    }

    /// <summary>What a pattern proposes for a clause, before evidence and attribution are added.</summary>
    /// <param name="Type">The memory type.</param>
    /// <param name="Text">The memory text, naming the subject.</param>
    private sealed record Proposal(string Type, string Text)
    {
        public string? Key { get; init; }

        public double Confidence { get; init; } = 0.75;

        public double Salience { get; init; } = 0.5;

        public string? Replaces { get; init; }

        public System.Text.Json.JsonElement? Structured { get; init; }

        /// <summary>Gets a value indicating whether the grounded date (the clause's or else the sentence's) is appended to the text.</summary>
        public bool Dated { get; init; }

        /// <summary>Gets a value indicating whether the clause's date is the memory's content (a birthday), not when it became true.</summary>
        public bool Undated { get; init; }

        /// <summary>Gets a value indicating whether the proposal only makes sense with a grounded date (plans, appointments).</summary>
        public bool NeedsDate { get; init; }

        public IReadOnlyList<MemoryCandidateSignal> Signals { get; init; } = [];
    }

    /// <summary>The candidates of one request, in source order, each statement once.</summary>
    private sealed class CandidateSet
    {
        private readonly List<MemoryCandidate> _candidates = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public IReadOnlyList<MemoryCandidate> Candidates => _candidates;

        /// <summary>
        /// Adds a candidate; a repeat of one already added (same type, subject and words) adds its evidence to it instead.
        /// A repeat that carries signals the other does not ("What if I moved to Valencia?" after "I moved to Valencia")
        /// is no evidence for the plain statement: merging it would let the question's evidence reject the statement, so
        /// the statement keeps only its own evidence, whichever of the two came first.
        /// </summary>
        public void Add(MemoryCandidate candidate)
        {
            var key = candidate.Type + "\n" + candidate.Subject + "\n" + string.Join(' ', MemoryWords.Split(candidate.Value.Text));
            if (!_index.TryGetValue(key, out var at))
            {
                _index[key] = _candidates.Count;
                _candidates.Add(candidate);
                return;
            }

            var first = _candidates[at];
            if (!first.Signals.ToHashSet().SetEquals(candidate.Signals))
            {
                if (first.Signals.ToHashSet().IsSupersetOf(candidate.Signals))
                {
                    _candidates[at] = candidate;
                }
                else if (!candidate.Signals.ToHashSet().IsSupersetOf(first.Signals))
                {
                    // Signals neither side implies: two readings of the words, each judged on its own by the gate.
                    _candidates.Add(candidate);
                }

                return;
            }

            _candidates[at] = first with
            {
                Evidence = first.Evidence with
                {
                    MessageIds = Union(first.Evidence.MessageIds, candidate.Evidence.MessageIds),
                    ToolCallIds = Union(first.Evidence.ToolCallIds, candidate.Evidence.ToolCallIds),
                    FileHashes = Union(first.Evidence.FileHashes, candidate.Evidence.FileHashes),
                    QuotedSpans = Union(first.Evidence.QuotedSpans, candidate.Evidence.QuotedSpans),
                },
            };
        }

        private static List<string> Union(IReadOnlyList<string> first, IReadOnlyList<string> second) => first.Concat(second).Distinct(StringComparer.Ordinal).ToList();
    }
}
