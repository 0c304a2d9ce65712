using System.Text;
using System.Text.RegularExpressions;

namespace SkMemory.Capture;

/// <summary>Reading text: sentences, clauses, who each clause is about, and turning a proposal into a candidate.</summary>
public sealed partial class RuleBasedMemoryExtractor
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    /// <summary>Words that end with a period without ending a sentence ("Dr. Lee", "St. Mary's", "Apt. 3").</summary>
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "mt", "ave", "apt", "no", "prof", "inc", "ltd", "co", "approx", "dept", "rd", "blvd", "fig", "e.g", "i.e", "u.s", "a.m", "p.m",
    };

    /// <summary>Capitalized words that open a sentence without naming a person.</summary>
    private static readonly HashSet<string> NotNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "this", "that", "these", "those", "it", "its", "there", "here", "we", "you", "your", "our", "their", "his", "her", "my", "a", "an", "and", "but", "so", "or",
        "if", "when", "while", "after", "before", "since", "today", "yesterday", "tomorrow", "last", "next", "then", "also", "note", "please", "thanks", "thank", "hi", "hello",
        "hey", "yes", "no", "ok", "okay", "sure", "every", "each", "all", "some", "many", "most", "what", "who", "why", "how", "where", "which", "in", "on", "at", "for", "from",
        "with", "of", "to", "as", "by", "about", "just", "maybe", "not", "nothing", "everyone", "someone", "one", "i", "me", "customer", "name", "email", "phone", "user",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "wow", "oh", "well", "great", "good", "nice", "cool", "haha", "lol", "sorry", "welcome", "according", "source", "summary",
    };

    private static void Read(SourceItem item, CandidateSet found)
    {
        var text = item.Text;
        var fields = new List<Span>();
        if (item.Fields && ReadFields(item, found, fields))
        {
            // A JSON tool output is read field by field only: its punctuation is not prose.
            return;
        }

        var fences = Fences(text);
        var state = new ReadState();
        foreach (var sentence in Sentences(text))
        {
            if (fields.Any(f => sentence.Start < f.End && f.Start < sentence.End))
            {
                continue;
            }

            var sentenceText = sentence.Of(text);
            var clauses = Clauses(text, sentence).ToList();
            var question = sentenceText.TrimEnd().TrimEnd('"', '\'', ')', '’', '”').EndsWith('?');
            var hypothetical = HypotheticalOpener().IsMatch(sentenceText);
            var code = fences.Any(f => sentence.Start < f.End && f.Start < sentence.End);

            // A question after an aside ("I drive a Civic, could the desk fit in the trunk?") asks only from its own clause
            // on: what comes before it is a statement.
            var questionFrom = clauses.FindLastIndex(c => c.Joint == Joint.Aside && QuestionStart().IsMatch(c.Span.Of(text))) is var aside and > 0 ? aside : 0;

            // A date belongs to its clause, and dates the sentence's other clauses told in the same tense ("Last week I went to
            // Paris and I visited the Louvre"), not a clause in another ("I moved to Porto in August, so I'll fly from OPO now"),
            // nor across the question after an aside.
            var texts = clauses.Select(c => c.Span.Of(text)).ToList();
            var ownDates = texts.Select(t => RelativeDates.Find(t, item.ObservedAt)).ToList();
            var futures = texts.Select(t => FutureWord().IsMatch(t)).ToList();
            var asks = clauses.Select((c, i) => question && i >= questionFrom).ToList();
            GroundedDate? SentenceDate(int i) =>
                ownDates[i] ?? (NowWord().IsMatch(texts[i]) ? null : Enumerable.Range(0, clauses.Count).Where(j => ownDates[j] is not null && futures[j] == futures[i] && asks[j] == asks[i]).Select(j => ownDates[j]).FirstOrDefault());

            Clause? previous = null;
            for (var i = 0; i < clauses.Count; i++)
            {
                var signals = new List<MemoryCandidateSignal>();
                if (hypothetical || (question && (i >= questionFrom || QuestionStart().IsMatch(clauses[i].Span.Of(text)))))
                {
                    signals.Add(MemoryCandidateSignal.Hypothetical);
                }

                if (code)
                {
                    signals.Add(MemoryCandidateSignal.CodeSnippet);
                }

                var (span, carry, _) = clauses[i];
                var clause = View(item, text, span, carry, previous, SentenceDate(i), signals, state);
                previous = clause;
                if (clause is not null)
                {
                    Apply(item, clause, found);
                }
            }
        }
    }

    /// <summary>Runs the rules over a clause in priority order; a match that overlaps an earlier one is dropped.</summary>
    private static void Apply(SourceItem item, Clause clause, CandidateSet found)
    {
        var claimed = new List<(int Start, int End)>();
        var proposals = new List<Proposal>();
        foreach (var rule in Rules)
        {
            foreach (Match match in rule.Pattern.Matches(clause.Text))
            {
                var end = match.Index + match.Length;
                if (match.Length == 0 || claimed.Any(c => match.Index < c.End && c.Start < end) || IsContractionStem(clause.Text, match) || InRelativeClause(clause.Text, match))
                {
                    continue;
                }

                proposals.Clear();
                rule.Build(match, clause, proposals);
                if (proposals.Count == 0)
                {
                    continue;
                }

                claimed.Add((match.Index, end));

                // A time in a trailing aside ("…, so no satay for me tonight") does not date the statement.
                var limit = ObjectEnd().Match(clause.Text, match.Index) is { Success: true } aside ? aside.Index : clause.Text.Length;
                foreach (var proposal in proposals)
                {
                    Emit(item, clause, proposal, limit, found);
                }
            }
        }
    }

    /// <summary>"won't", "can't", "don't": a verb read off the front of a contraction ("won" in "won't") is not that verb.</summary>
    private static bool IsContractionStem(string text, Match match)
    {
        var verb = match.Groups["verb"];
        var after = verb.Index + verb.Length;
        return verb.Success && verb.Length > 0 && after + 1 < text.Length && text[after] is '\'' or '’' && text[after + 1] is 't' or 'T';
    }

    /// <summary>"This book I read last year reminds me…": an "I" right after a noun phrase opens a relative clause, whose verb says nothing on its own.</summary>
    private static bool InRelativeClause(string text, Match match) =>
        match.Value.StartsWith('I') && match.Index > 0 && RelativeClauseHead().IsMatch(text.AsSpan(0, match.Index));

    private static void Emit(SourceItem item, Clause clause, Proposal proposal, int limit, CandidateSet found)
    {
        // Events are dated by their sentence too ("Last week I went to Paris and I visited the Louvre"); other memories
        // only by their own clause, so "I live in Lisbon and I went to Paris last week" does not date the home city.
        var own = clause.Dates.FirstOrDefault(d => d.Index < limit);
        var date = proposal.Undated ? null : proposal.Dated ? own ?? clause.SentenceDate : own;
        if (proposal.NeedsDate && date is null)
        {
            return;
        }

        var text = proposal.Dated && date is not null ? proposal.Text + " " + date.Phrase : proposal.Text;
        text = MemoryWords.Collapse(text);
        if (text.Length == 0 || FirstPersonLeft().IsMatch(text))
        {
            // A memory never speaks as "I"; a pattern that could not rephrase a clause proposes nothing.
            return;
        }

        var signals = item.Signals.Concat(clause.Signals).Concat(proposal.Signals).Distinct().ToList();
        found.Add(new MemoryCandidate
        {
            Type = proposal.Type,
            Subject = clause.Subject,
            Value = new MemoryValue(text, proposal.Structured),
            Source = item.Source,
            Confidence = clause.Hedged ? Math.Min(proposal.Confidence, 0.5) : proposal.Confidence,
            Salience = proposal.Salience,
            Evidence = item.Evidence with { QuotedSpans = [clause.Quote] },
            Key = proposal.Key,
            Replaces = proposal.Replaces,
            ValidFrom = date?.ValidFrom,
            Signals = signals,
            Extractor = ExtractorName,
        });
    }

    /// <summary>Splits text into sentences at terminal punctuation followed by a space, at semicolons and at line breaks.</summary>
    private static IEnumerable<Span> Sentences(string text)
    {
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var next = -1;
            if (c == '\n')
            {
                next = i + 1;
            }
            else if (c is '.' or '!' or '?' or ';' or '…')
            {
                var j = i + 1;
                while (j < text.Length && text[j] is '.' or '!' or '?' or '…' or '"' or '\'' or ')' or '’' or '”')
                {
                    j++;
                }

                if ((j >= text.Length || char.IsWhiteSpace(text[j])) && !(c == '.' && j == i + 1 && IsAbbreviation(text, i)))
                {
                    next = j;
                }
            }

            if (next < 0)
            {
                i++;
                continue;
            }

            if (Trim(text, start, c == '\n' ? i : next) is { } sentence)
            {
                yield return sentence;
            }

            start = next;
            i = next;
        }

        if (Trim(text, start, text.Length) is { } last)
        {
            yield return last;
        }
    }

    private static bool IsAbbreviation(string text, int dot)
    {
        var start = dot;
        while (start > 0 && (char.IsLetter(text[start - 1]) || text[start - 1] == '.'))
        {
            start--;
        }

        var word = text[start..dot];

        // Initials ("J. R. Tolkien") and listed abbreviations.
        return (word.Length == 1 && char.IsUpper(word[0])) || Abbreviations.Contains(word);
    }

    /// <summary>Splits a sentence into clauses at conjunctions that start a new statement, at dashes and before a trailing question.</summary>
    /// <returns>Each clause, whether it continues the previous clause's subject ("… and allergic to peanuts"), and how it is joined to the previous one.</returns>
    private static IEnumerable<(Span Span, bool Carry, Joint Joint)> Clauses(string text, Span sentence)
    {
        var body = sentence.Of(text);
        var start = 0;
        var carry = false;
        var joint = Joint.None;
        foreach (Match cut in ClauseBreak().Matches(body))
        {
            if (Trim(text, sentence.Start + start, sentence.Start + cut.Index) is { } clause)
            {
                yield return (clause, carry, joint);
            }

            start = cut.Index + cut.Length;
            carry = cut.Groups["carry"].Success;
            joint = carry || cut.Groups["and"].Success ? Joint.And : cut.Groups["aside"].Success ? Joint.Aside : Joint.Break;
        }

        if (Trim(text, sentence.Start + start, sentence.End) is { } tail)
        {
            yield return (tail, carry, joint);
        }
    }

    /// <summary>How a clause is joined to the one before it.</summary>
    private enum Joint
    {
        /// <summary>The sentence's first clause.</summary>
        None,

        /// <summary>"and", "then", "plus": the same scene; a date carries over.</summary>
        And,

        /// <summary>"so", "but", "because"…: another statement with its own time.</summary>
        Break,

        /// <summary>A dash or a comma before a question: an aside.</summary>
        Aside,
    }

    /// <summary>Reads a clause from the point of view of who it is about, or returns null when it is about no one known.</summary>
    private static Clause? View(SourceItem item, string text, Span span, bool carry, Clause? previous, GroundedDate? sentenceDate, List<MemoryCandidateSignal> sentenceSignals, ReadState state)
    {
        var raw = span.Of(text);
        var quote = raw.TrimEnd('.', ',', ';', ':').TrimEnd();
        var body = raw.TrimEnd('.', ',', ';', ':', '!', '?', '…', ' ').Trim();
        if (body.Length == 0 || quote.Length == 0)
        {
            return null;
        }

        var signals = new List<MemoryCandidateSignal>(sentenceSignals);
        var plural = false;
        string subject;
        string normalized;
        if (carry && previous is not null && FirstPersonOpening().IsMatch(previous.Text))
        {
            // "I live in Lisbon and work at Contoso": the second clause keeps the first one's subject.
            subject = previous.Subject;
            plural = previous.Plural;
            signals.AddRange(previous.OwnSignals);
            var space = body.IndexOf(' ', StringComparison.Ordinal);
            normalized = CarryAdjective().IsMatch(body) ? "I am " + body : "I " + (space < 0 ? BaseForm(body) : BaseForm(body[..space]) + body[space..]);
        }
        else if (item.Addressee is not null && SecondPerson().IsMatch(body))
        {
            subject = item.Addressee;
            signals.Add(MemoryCandidateSignal.AssistantSpeculation);
            normalized = SecondPersonWord().Replace(body, m => ToFirstPerson(m.Value));
        }
        else if (item.ThirdPerson && ThirdPersonStart().Match(body) is { Success: true } named && Named(item, named, state) is { } person)
        {
            subject = person;
            normalized = ToFirstPerson(body, named);
        }
        else if (item.FirstPerson is not null)
        {
            subject = item.FirstPerson;

            // "We have two kids", "We moved to Denver": the speaker's household speaks for the speaker, unless the clause
            // also says "I" (then "we" is someone else as well).
            plural = !FirstPersonSubject().IsMatch(body) && FirstPersonPlural().IsMatch(body);
            normalized = plural ? FirstPersonPlural().Replace(body, m => ToSingular(m.Value)) : body;

            // Chat drops the subject: "Lost my job yesterday", "Just started a pottery class" are the speaker's.
            if (!carry && DroppedSubject().IsMatch(normalized))
            {
                normalized = "I " + normalized;
            }
        }
        else
        {
            return null;
        }

        if (TransientQualifier().IsMatch(body))
        {
            signals.Add(MemoryCandidateSignal.Transient);
        }

        var dates = RelativeDates.FindAll(normalized, item.ObservedAt);
        return new Clause
        {
            Text = normalized,
            Subject = subject,
            Quote = quote,
            SentenceDate = sentenceDate,
            Dates = dates,
            Signals = signals.Distinct().ToList(),
            OwnSignals = signals.Except(sentenceSignals).ToList(),
            Hedged = Hedge().IsMatch(normalized),
            Plural = plural,
        };
    }

    /// <summary>Resolves the person a third-person clause names, or null when it names no one the item may speak of.</summary>
    private static string? Named(SourceItem item, Match named, ReadState state)
    {
        var who = named.Groups["who"].Value;
        string? person;
        if (Pronouns3().IsMatch(who))
        {
            person = state.LastNamed;
        }
        else if (Aliases().IsMatch(who))
        {
            person = item.KnownSubject;
        }
        else if (item.KnownSubject is { } known && !string.IsNullOrWhiteSpace(known))
        {
            // With a fixed subject, only statements that name it are about it ("Ana" or "Ana Silva" for subject "Ana Silva").
            var first = known.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            person = who.Equals(known, StringComparison.OrdinalIgnoreCase) || who.Split(' ')[0].Equals(first, StringComparison.OrdinalIgnoreCase) ? known : null;
        }
        else if (item.KnownSubject is null)
        {
            person = NotNames.Contains(who.Split(' ')[0]) ? null : who;
        }
        else
        {
            person = null;
        }

        if (person is not null)
        {
            state.LastNamed = person;
        }

        return person;
    }

    /// <summary>Rewrites a third-person clause into the first person: "Ana is fluent in…" → "I am fluent in…", "Ana's email is…" → "my email is…".</summary>
    private static string ToFirstPerson(string body, Match named)
    {
        var rest = body[(named.Index + named.Length)..];
        if (named.Groups["poss"].Success)
        {
            return "my" + body[(named.Groups["poss"].Index + named.Groups["poss"].Length)..];
        }

        if (named.Groups["posspron"].Success)
        {
            return "my" + body[(named.Groups["who"].Index + named.Groups["who"].Length)..];
        }

        var verb = named.Groups["verb"];
        return "I" + body[(named.Groups["who"].Index + named.Groups["who"].Length)..verb.Index] + BaseForm(verb.Value) + rest;
    }

    private static string ToSingular(string word) => MemoryWords.Collapse(word.ToLowerInvariant().Replace('’', '\'')) switch
    {
        "we're" or "we are" => "I'm",
        "we were" => "I was",
        "we've" => "I've",
        "we'll" => "I'll",
        "we'd" => "I'd",
        "our" => "my",
        "ours" => "mine",
        _ => "I",
    };

    private static string ToFirstPerson(string word) => word.ToLowerInvariant().Replace('’', '\'') switch
    {
        "you're" => "I'm",
        "you are" => "I am",
        "you've" => "I've",
        "you have" => "I have",
        "you'd" => "I'd",
        "you'll" => "I'll",
        "your" => "my",
        "yours" => "mine",
        "yourself" => "myself",
        _ => "I",
    };

    /// <summary>The first-person form of a third-person verb: "is" → "am", "lives" → "live", "studies" → "study".</summary>
    private static string BaseForm(string verb)
    {
        var lower = verb.ToLowerInvariant().Replace('’', '\'');
        return lower switch
        {
            "is" => "am",
            "isn't" => "am not",
            "has" => "have",
            "hasn't" => "haven't",
            "does" => "do",
            "doesn't" => "don't",
            "goes" => "go",
            "was" or "wasn't" => verb,
            _ when lower.Length > 4 && lower.EndsWith("ies", StringComparison.Ordinal) => verb[..^3] + "y",
            _ when lower.Length > 4 && (lower.EndsWith("sses", StringComparison.Ordinal) || lower.EndsWith("shes", StringComparison.Ordinal) || lower.EndsWith("ches", StringComparison.Ordinal) || lower.EndsWith("xes", StringComparison.Ordinal) || lower.EndsWith("zes", StringComparison.Ordinal)) => verb[..^2],
            _ when lower.Length > 2 && lower.EndsWith('s') && !lower.EndsWith("ss", StringComparison.Ordinal) && !lower.EndsWith("us", StringComparison.Ordinal) && !lower.EndsWith("is", StringComparison.Ordinal) => verb[..^1],
            _ => verb,
        };
    }

    /// <summary>The third-person form of a verb phrase's first word: "love" → "loves", "listen to" → "listens to", "can't stand" → "cannot stand".</summary>
    private static string Third(string verb)
    {
        var words = MemoryWords.Collapse(verb).Split(' ');
        var head = words[0].ToLowerInvariant().Replace('’', '\'');
        words[0] = head switch
        {
            "can't" or "cannot" => "cannot",
            "can" or "will" or "must" or "should" or "would" or "could" or "might" or "may" => head,
            "have" => "has",
            "do" => "does",
            "go" => "goes",
            "am" or "'m" => "is",
            _ when head.EndsWith('y') && head.Length > 1 && !"aeiou".Contains(head[^2], StringComparison.Ordinal) => head[..^1] + "ies",
            _ when head.EndsWith('s') || head.EndsWith('x') || head.EndsWith('z') || head.EndsWith("sh", StringComparison.Ordinal) || head.EndsWith("ch", StringComparison.Ordinal) || head.EndsWith('o') => head + "es",
            _ => head + "s",
        };
        return string.Join(' ', words);
    }

    private static string Possessive(string subject) => subject + "'s";

    /// <summary>Cleans a captured value: cut at the clause's next statement, drop time expressions and fillers, and speak of the subject in the third person.</summary>
    /// <returns>The value, or null when nothing worth remembering is left ("it", "that", "you").</returns>
    private static string? Value(Clause clause, Group group, ValueStyle style = ValueStyle.Phrase)
    {
        if (!group.Success)
        {
            return null;
        }

        var start = group.Index;
        var end = group.Index + group.Length;
        var cut = (style == ValueStyle.Verbatim ? VerbatimEnd() : ObjectEnd()).Match(clause.Text, start, end - start);
        if (cut.Success)
        {
            end = cut.Index;
        }

        if (style == ValueStyle.Place && PlaceEnd().Match(clause.Text, start, end - start) is { Success: true } placeCut)
        {
            end = placeCut.Index;
        }

        var value = new StringBuilder();
        var at = start;
        var truncated = cut.Success;
        if (style is ValueStyle.Phrase or ValueStyle.Place)
        {
            foreach (var date in clause.Dates)
            {
                if (date.Index >= at && date.Index + date.Length <= end)
                {
                    // "about five years ago": the approximation goes with the date it qualifies.
                    var before = Approximator().Match(clause.Text[at..date.Index]) is { Success: true } about ? about.Index : date.Index - at;
                    value.Append(clause.Text, at, before);
                    at = date.Index + date.Length;
                    truncated |= string.IsNullOrWhiteSpace(clause.Text[at..end]);
                }
            }
        }

        value.Append(clause.Text, at, Math.Max(0, end - at));
        var text = MemoryWords.Collapse(value.ToString());
        if (style == ValueStyle.Place)
        {
            text = PlaceComma().Replace(text, string.Empty);
        }

        string previous;
        do
        {
            previous = text;
            text = TrailingFiller().Replace(text, string.Empty);
            text = DanglingDeterminer().Replace(text, string.Empty);
            if (truncated || text.Length == 0 || FunctionWord().IsMatch(text))
            {
                // Cut short ("wanting to play this one for a"), a preposition has lost its object; said at the end ("what
                // they're thankful for"), it has not.
                text = DanglingPreposition().Replace(text, string.Empty);
            }

            text = LeadingFiller().Replace(text, string.Empty);
            text = text.Trim(TrimmedChars);
        }
        while (!string.Equals(text, previous, StringComparison.Ordinal));

        if (text.Length == 0 || text.Length > 120 || JunkValue().IsMatch(text))
        {
            return null;
        }

        return style == ValueStyle.Verbatim ? text : Pronoun().Replace(text, m => ThirdPersonPronoun(m.Value));
    }

    private static readonly char[] TrimmedChars = [' ', '\t', '\r', '\n', '.', ',', ';', ':', '!', '?', '"', '\'', '“', '”', '‘', '’', '…', '-', '–', '—', '*', '_', '~', '`'];

    private static string ThirdPersonPronoun(string word)
    {
        if (string.Equals(word, "US", StringComparison.Ordinal))
        {
            return word;
        }

        return MemoryWords.Collapse(word.ToLowerInvariant().Replace('’', '\'')) switch
        {
            "i'm" or "i am" or "we're" or "we are" => "they're",
            "i've" or "i have" or "we've" => "they've",
            "i'd" => "they'd",
            "i'll" => "they'll",
            "i was" => "they were",
            "my" or "our" => "their",
            "me" or "us" => "them",
            "mine" or "ours" => "theirs",
            "myself" or "ourselves" => "themselves",
            _ => "they",
        };
    }

    private static Span? Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end > start ? new Span(start, end - start) : null;
    }

    /// <summary>The ranges of fenced code blocks (```…```): clauses inside them are flagged as code.</summary>
    private static List<Span> Fences(string text)
    {
        var fences = new List<Span>();
        var open = text.IndexOf("```", StringComparison.Ordinal);
        while (open >= 0)
        {
            var close = text.IndexOf("```", open + 3, StringComparison.Ordinal);
            var end = close < 0 ? text.Length : close + 3;
            fences.Add(new Span(open, end - open));
            open = close < 0 ? -1 : text.IndexOf("```", end, StringComparison.Ordinal);
        }

        return fences;
    }

    /// <summary>How a captured value is cleaned.</summary>
    private enum ValueStyle
    {
        /// <summary>A phrase: cut at the next statement, time expressions dropped, pronouns in the third person.</summary>
        Phrase,

        /// <summary>A place: as a phrase, and also cut before "with", "since", "near"…</summary>
        Place,

        /// <summary>A phrase that is itself a date (a birthday): time expressions are kept.</summary>
        KeepDates,

        /// <summary>An address, number or handle: only trailing chatter is cut, nothing rewritten.</summary>
        Verbatim,
    }

    /// <summary>A range of a source text.</summary>
    private readonly record struct Span(int Start, int Length)
    {
        public int End => Start + Length;

        public string Of(string text) => text.Substring(Start, Length);
    }

    /// <summary>What reading one item remembers from clause to clause.</summary>
    private sealed class ReadState
    {
        /// <summary>Gets or sets the person the last third-person statement named, for "she" and "he".</summary>
        public string? LastNamed { get; set; }
    }

    /// <summary>A clause as the rules read it: in the first person, with who it is about and its evidence.</summary>
    private sealed class Clause
    {
        /// <summary>Gets the clause in the first person ("I am fluent in Portuguese"); patterns match this.</summary>
        public required string Text { get; init; }

        public required string Subject { get; init; }

        /// <summary>Gets the clause exactly as written in the source: the evidence's quoted span.</summary>
        public required string Quote { get; init; }


        /// <summary>Gets the first time expression of the whole sentence.</summary>
        public GroundedDate? SentenceDate { get; init; }

        /// <summary>Gets every time expression in <see cref="Text"/>, removed from captured values.</summary>
        public required IReadOnlyList<GroundedDate> Dates { get; init; }

        public required IReadOnlyList<MemoryCandidateSignal> Signals { get; init; }

        /// <summary>Gets the signals of this clause alone (not of its sentence), carried to a clause that continues it.</summary>
        public required IReadOnlyList<MemoryCandidateSignal> OwnSignals { get; init; }

        /// <summary>Gets a value indicating whether the clause hedges ("I think", "maybe", "probably", "kind of").</summary>
        public bool Hedged { get; init; }

        /// <summary>Gets a value indicating whether the clause said "we" and is read as the speaker's ("We can make a difference").</summary>
        public bool Plural { get; init; }

        public string Possessive => RuleBasedMemoryExtractor.Possessive(Subject);
    }

    // Conjunctions that start a new statement: before a subject pronoun ("…, and I work at…"), or before a predicate
    // that keeps the previous subject ("… and allergic to peanuts", "… and work at Contoso": group carry).
    [GeneratedRegex(
        @"(?:\s*[,;]\s*|\s+)(?:(?<and>and|plus|then)|but|so|because|though|although|while|whereas|yet|or)\s+(?=(?:(?:now|then|also|still|recently|lately|actually|just|really|finally|even|currently|today|yesterday)\s+)?(?:i|my|i['’](?:m|ve|d|ll)|you|your|you['’](?:re|ve|d|ll)|he|she|they|we|our)\b)"
        + @"|(?<carry>(?:\s*,\s*|\s+)and\s+(?=(?:also\s+|really\s+|even\s+|severely\s+|mildly\s+)?(?:allergic|fluent|married|engaged|vegan|vegetarian|live|lives|work|works|love|loves|like|likes|enjoy|enjoys|hate|hates|prefer|prefers|own|owns|have|has|speak|speaks|drive|drives|play|plays|can)\b))"
        + @"|(?<aside>\s+[–—]\s+|\s+-\s+)"
        + @"|(?<aside>\s*,\s*(?=(?:could|can|would|will|should|do|does|did|is|are|was|were|want|wanna|shall|may|might|any|how|what|where|when|why|who|which|right|ok|okay|thoughts|ideas|you\s+know)\b[^,.!?]*\?[\s""'’”)]*$))",
        Options)]
    private static partial Regex ClauseBreak();

    // A clause that asks: it opens with a question word or an inverted auxiliary ("could the desk fit…", "want to see…").
    [GeneratedRegex(@"^\W*(?:could|can|would|will|should|do|does|did|is|are|was|were|want|wanna|shall|may|might|any|how|what|where|when|why|who|which|have|has|right|ok|okay|thoughts|ideas)\b", Options)]
    private static partial Regex QuestionStart();

    [GeneratedRegex(@"\b(?:will|won['’]t|going\s+to|gonna|plan(?:ning)?\s+to|about\s+to|next|tomorrow|upcoming)\b|['’]ll\b", Options)]
    private static partial Regex FutureWord();

    // A clause that opens with a past-tense verb and no subject ("Lost my job…", "Finally finished my thesis"); not "Read
    // lots" (an imperative spelled like the past) nor "Got it".
    [GeneratedRegex(@"^(?:(?:just|finally|recently|also|actually)\s+)*(?-i:(?:[Jj]ust|[Ff]inally|[Rr]ecently|[Aa]lso|[Aa]ctually|[Ll]ost|[Ss]tarted|[Ff]inished|[Cc]ompleted|[Jj]oined|[Ww]ent|[Vv]isited|[Aa]ttended|[Bb]ought|[Aa]dopted|[Ww]atched|[Tt]ried|[Bb]egan|[Ss]igned|[Gg]raduated|[Mm]oved|[Pp]ainted|[Bb]aked|[Ww]on|[Ss]et)\b)(?:\s+(?:(?:just|finally|recently|up|out)\s+)*(?:lost|started|finished|completed|joined|went|visited|attended|bought|adopted|watched|tried|began|signed|graduated|moved|painted|baked|won|set))?\s+(?!it\b|that\b|this\b)\S", Options)]
    private static partial Regex DroppedSubject();

    // The clause speaks as "I" within its first few words ("Last week, I went…"), not of someone else ("My sister lives…").
    [GeneratedRegex(@"^(?:[\w,'’]+\s+){0,4}?I(?:['’](?:m|ve|d|ll))?\s", Options)]
    private static partial Regex FirstPersonOpening();

    [GeneratedRegex(@"^(?:(?:also|really|even|severely|mildly)\s+)?(?:allergic|fluent|married|engaged|vegan|vegetarian)\b", Options)]
    private static partial Regex CarryAdjective();

    [GeneratedRegex(@"\byou(?:['’](?:re|ve|d|ll))?\b|\byour\b", Options)]
    private static partial Regex SecondPerson();

    [GeneratedRegex(@"\b(?:you['’](?:re|ve|d|ll)|you\s+are|you\s+have|yourself|yours|your|you)\b", Options)]
    private static partial Regex SecondPersonWord();

    // A clause that opens by naming someone: "Ana is…", "Ana Silva lives…", "She works…", "The user is…", "Ana's email…".
    // Case-sensitive: a name is capitalized.
    [GeneratedRegex(@"^(?:he|she|they|his|her|their)$", Options)]
    private static partial Regex Pronouns3();

    [GeneratedRegex(@"^(?:the\s+)?(?:user|customer|client)$", Options)]
    private static partial Regex Aliases();

    [GeneratedRegex(@"(?-i:\bI\b)|\bI['’](?:m|ve|d|ll)\b|\b(?:my|me|mine|myself)\b", Options)]
    private static partial Regex FirstPersonSingular();

    [GeneratedRegex(@"\b(?:we['’](?:re|ve|ll|d)|we\s+are|we\s+were|we|our|ours)\b", Options)]
    private static partial Regex FirstPersonPlural();

    // "I" as a subject: "We moved and I started a new job" has two; "We moved, my address is…" only the household.
    [GeneratedRegex(@"(?-i:\bI\b)|\bI['’](?:m|ve|d|ll)\b", Options)]
    private static partial Regex FirstPersonSubject();

    [GeneratedRegex(
        @"^(?:(?<who>[Hh]is|[Hh]er|[Tt]heir)(?<posspron>\s)|(?<who>[Hh]e|[Ss]he|[Tt]hey|(?:[Tt]he\s+)?(?:user|customer|client)|[Uu]ser|[Cc]ustomer|[Cc]lient|\p{Lu}[\p{L}-]*(?:\s+\p{Lu}[\p{L}-]*)?)(?:(?<poss>['’]s)\s|\s+(?:(?:never|always|also|still|now|usually|often|really|recently|just|currently|sometimes|mostly|typically|generally|definitely|absolutely|actually|finally)\s+)*(?<verb>\p{Ll}[\p{L}'’]*)))",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ThirdPersonStart();

    [GeneratedRegex(@"(?-i:\bI\b)|\b(?:me|my|mine|myself)\b|\bI['’](?:m|ve|d|ll)\b", Options)]
    private static partial Regex FirstPersonLeft();

    [GeneratedRegex(@"\b(?:I['’]m|I\s+am|I['’]ve|I\s+have|I['’]d|I['’]ll|I\s+was|I|my|me|mine|myself|we['’]re|we\s+are|we['’]ve|we|our|ours|us|ourselves)\b", Options)]
    private static partial Regex Pronoun();

    [GeneratedRegex(@"\b(?:I\s+think|I\s+guess|I\s+suppose|I\s+believe|I\s+feel\s+like|I['’]m\s+not\s+sure|not\s+sure|maybe|perhaps|probably|possibly|kind\s+of|sort\s+of|kinda|I\s+might)\b", Options)]
    private static partial Regex Hedge();

    [GeneratedRegex(@"^\W*(?:if|what\s+if|suppose|supposing|imagine|hypothetically|should\s+I|would\s+I|could\s+I|do\s+you\s+think|maybe\s+I\s+should|I\s+wonder|I\s+wish|I['’]d\s+love\s+to|I\s+would\s+love\s+to|I\s+hope\s+to)\b", Options)]
    private static partial Regex HypotheticalOpener();

    [GeneratedRegex(@"\b(?:temporarily|for\s+now|for\s+the\s+(?:summer|week|month|weekend|time\s+being)|this\s+week|right\s+now|at\s+the\s+moment)\b", Options)]
    private static partial Regex TransientQualifier();

    // Where a captured phrase ends: the next statement ("… and it was so powerful"), a reason or condition ("because…",
    // "if…"), an aside after a comma ("…, it's so calming") or a dash or parenthesis.
    [GeneratedRegex(
        @"(?:\s*,\s*|\s+)(?:and|but|so|plus|or|then)\s+(?:it|that|this|they|he|she|we|there|its|it['’]s|that['’]s|i|i['’]m|i['’]ve|you|then|now|also|so|which)\b"
        + @"|(?:\s*,\s*|\s+)(?:because|cause|since|but|although|though|whereas|when|whenever|while|which|who|whom|whose|so\s+that|so|unless|until|till|if|especially|except|whether|even\s+though|as\s+long\s+as|as\s+soon\s+as|where)\b"
        + @"|\s*,\s*(?:it|that|this|they|he|she|we|i|you|as|like|not|too|though|just|really|haha|lol|right|ok|okay|plus|thanks|thank|and\s+so|maybe|perhaps)\b"
        + @"|\s+[-–—]+\s+|\s*[(\[]",
        Options)]
    private static partial Regex ObjectEnd();

    [GeneratedRegex(@"\s+(?:if|but|because|please|thanks|thank\s+you|in\s+case|for\s+(?:the|my|this|that|future|now))\b|\s*,\s*(?:so|but|and\s+(?:it|I|please)|please|thanks|if)\b|\s+[-–—]+\s+", Options)]
    private static partial Regex VerbatimEnd();

    [GeneratedRegex(
        @"\s+(?:with|since|for|because|and|where|near|now|currently|right\s+now|these\s+days|at|on|after|before|though|until|when|full[\s-]time|part[\s-]time|permanently|temporarily|again|I|we|he|she|they|you|it|but|so|to|in\s+(?:a|an|the|their|my))\b",
        Options)]
    private static partial Regex PlaceEnd();

    // A comma in a place stays only before a capitalized word ("Lisbon, Portugal"); anything after another comma goes.
    [GeneratedRegex(@",(?!\s*\p{Lu}).*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceComma();

    [GeneratedRegex(
        @"(?:\s+|^)(?:too|as\s+well|a\s+lot|so\s+much|very\s+much|much|lately|recently|these\s+days|nowadays|now|anymore|any\s+more|any\s+longer|though|right\s+now|at\s+all|either|again|haha+|lol|honestly|already|ever|for\s+now|at\s+the\s+moment|currently|actually|really|tbh|then|here|there|today|though|for\s+sure|a\s+ton|like\s+crazy|to\s+death|for\s+(?:a\s+(?:while|bit|long\s+time|few\s+\w+)|ages|years|months|weeks|so\s+long)|the\s+other\s+day)$",
        Options)]
    private static partial Regex TrailingFiller();

    [GeneratedRegex(@"^(?:really|also|just|actually|totally|absolutely|even|still|definitely|now|currently|kind\s+of|sort\s+of|kinda|basically|probably|always|so)\s+", Options)]
    private static partial Regex LeadingFiller();

    // A value cut short ("to play this one for a"): a trailing article or possessive has lost its noun.
    [GeneratedRegex(@"(?:\s+|^)(?:a|an|the|my|their|your|our|his|her|its|some|any|and|or|but|than)$", Options)]
    private static partial Regex DanglingDeterminer();

    [GeneratedRegex(@"(?:\s+|^)(?:for|to|of|in|on|at|with|from|by|about|into|onto|as)$", Options)]
    private static partial Regex DanglingPreposition();

    [GeneratedRegex(@"^(?:for|to|of|in|on|at|with|from|by|about|into|onto|as)$", Options)]
    private static partial Regex FunctionWord();

    // An approximation left in front of a removed date: "about", "around", "roughly", "nearly", "almost", "over", "some", "like".
    [GeneratedRegex(@"\s*\b(?:about|around|roughly|approximately|nearly|almost|over|some|like|just)\s*$", Options)]
    private static partial Regex Approximator();

    // The noun phrase a relative clause hangs off: "This book I…", "The course that I…", "One thing I…" (not a time: "The other day I…").
    [GeneratedRegex(@"^\W*(?:\w+\W+)?(?:this|that|the|these|those|a|an|every|one|some|any|each)\s+(?:[\w'’-]+\s+){0,3}?(?!(?:day|days|week|weeks|weekend|month|months|year|years|time|times|morning|night|evening|afternoon|summer|winter|spring|fall|autumn|moment)\s)[\w'’-]+\s+(?:that\s+|which\s+)?$", Options)]
    private static partial Regex RelativeClauseHead();

    // Values that point at something said elsewhere, not a thing to remember ("I love it", "I like that you…").
    [GeneratedRegex(
        @"^(?:it|that|this|there|them|those|these|you|him|her|something|anything|everything|nothing|one|so|too|here|all|both|it\s+all|that\s+one|this\s+one|you\s+guys|y['’]all|u|ya|yours|lots|much|more|stuff|things|people|everyone|everybody|someone|somebody|me|myself|what|how|why|hear|to|a|an|the)$"
        + @"|^(?:that|how|what|when|why|where|who|it|you|your|if|it['’]s|that['’]s|this\s+is|to\s+be|the\s+idea|the\s+way|the\s+sound|doing\s+that|hearing|seeing|talking\s+to\s+you|chatting)\b"
        + @"|^(?:the|that|this|its|their)\s+(?:taste|smell|look|looks|feel|feeling|vibe|vibes|fact|thought|concept|rest|same|thing|things|stuff|part|one|ones|other|others|whole\s+thing|texture|sound|idea|way|atmosphere|energy|experience)$",
        Options)]
    private static partial Regex JunkValue();
}
