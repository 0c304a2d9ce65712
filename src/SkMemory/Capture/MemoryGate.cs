using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Capture;

/// <summary>
/// The contamination guard between extraction and storage: it keeps transient context, code snippets, the assistant's
/// own guesses, content quoted from outside, hypotheticals, evidence-less and low-confidence candidates out of durable
/// memory, and says why for each one.
/// </summary>
/// <remarks>
/// <para>
/// Checks, in order, each with its <see cref="MemoryRejectionReason"/>: the type is registered and captured; the value is
/// non-blank, within the size limit and valid for the type's schema; the candidate cites evidence; every cited message,
/// tool call and document was part of the request and every quoted span occurs in a cited item (so a model cannot invent
/// a source); no signal the type's rule does not allow (the extractor's own plus those found here: assistant or system
/// speaker, external document, and <see cref="ContaminationSignals"/> on the quoted spans and the text); confidence at or
/// above the type's threshold.
/// </para>
/// <para>
/// Every rejection is logged at information level with its reason and type; the subject and the detail (which may quote
/// the conversation) only at trace level. This class is thread-safe.
/// </para>
/// </remarks>
public sealed partial class MemoryGate
{
    private readonly MemoryTypeRegistry _types;
    private readonly MemoryGateOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryGate"/> class.</summary>
    /// <param name="types">The types the store accepts; candidates of other types are rejected.</param>
    /// <param name="options">The rules, or null for the defaults. They are copied.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="types"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public MemoryGate(MemoryTypeRegistry types, MemoryGateOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        options ??= new MemoryGateOptions();
        options.Validate();
        _types = types;
        _options = options.Copy();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MemoryGate>();
    }

    /// <summary>Checks one candidate against the request it was extracted from.</summary>
    /// <param name="candidate">The candidate.</param>
    /// <param name="source">The request the candidate was extracted from: its cited items must be in it.</param>
    /// <returns>Null when the candidate may become durable memory; otherwise the rejection with its reason.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public MemoryCandidateRejection? Evaluate(MemoryCandidate candidate, MemoryExtractionRequest source)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(source);
        var rejection = Check(candidate, source);
        if (rejection is not null)
        {
            LogRejected(MemoryJson.EnumName(rejection.Reason), candidate.Type);
            LogRejectedSensitive(MemoryJson.EnumName(rejection.Reason), candidate.Type, candidate.Subject, rejection.Detail);
        }

        return rejection;
    }

    private MemoryCandidateRejection? Check(MemoryCandidate candidate, MemoryExtractionRequest source)
    {
        var rule = _options.RuleFor(candidate.Type);
        if (!_types.TryGet(candidate.Type, out var type) || !rule.Capture)
        {
            return Reject(MemoryRejectionReason.TypeNotCaptured, type is null ? $"type \"{candidate.Type}\" is not registered in the store" : $"capture of type \"{candidate.Type}\" is turned off", candidate);
        }

        if (string.IsNullOrWhiteSpace(candidate.Value.Text) || string.IsNullOrWhiteSpace(candidate.Subject))
        {
            return Reject(MemoryRejectionReason.InvalidValue, "the text or the subject is blank", candidate);
        }

        if (Encoding.UTF8.GetByteCount(candidate.Value.Text) > _options.MaxValueBytes)
        {
            return Reject(MemoryRejectionReason.InvalidValue, $"the text is longer than {_options.MaxValueBytes} UTF-8 bytes: a memory is a fact, not a transcript", candidate);
        }

        if (candidate.Value.Structured is { } structured && type.Validate(structured) is { } problem)
        {
            return Reject(MemoryRejectionReason.InvalidValue, $"the structured value does not match the {type.Name} schema: {problem}", candidate);
        }

        var evidence = candidate.Evidence;
        if (!evidence.HasEvidence)
        {
            return rule.RequireEvidence ? Reject(MemoryRejectionReason.NoEvidence, "it cites no message, tool call, document or quoted span", candidate) : Signals(candidate, rule, [], []);
        }

        var messages = new List<MemoryMessage>();
        foreach (var id in evidence.MessageIds)
        {
            if (source.Messages.FirstOrDefault(m => m.Id == id) is not { } message)
            {
                return Reject(MemoryRejectionReason.EvidenceNotFound, $"it cites message \"{id}\", which is not in the input", candidate);
            }

            messages.Add(message);
        }

        var tools = new List<MemoryToolOutput>();
        foreach (var id in evidence.ToolCallIds)
        {
            if (source.ToolOutputs.FirstOrDefault(t => t.ToolCallId == id) is not { } tool)
            {
                return Reject(MemoryRejectionReason.EvidenceNotFound, $"it cites tool call \"{id}\", which is not in the input", candidate);
            }

            tools.Add(tool);
        }

        var documents = new List<MemoryDocument>();
        foreach (var hash in evidence.FileHashes)
        {
            if (source.Documents.FirstOrDefault(d => d.ContentHash == hash) is not { } document)
            {
                return Reject(MemoryRejectionReason.EvidenceNotFound, $"it cites file {hash}, which is not in the input", candidate);
            }

            documents.Add(document);
        }

        var cited = messages.Select(m => m.Text).Concat(tools.Select(t => t.Text)).Concat(documents.Select(d => d.Text)).ToList();
        foreach (var span in evidence.QuotedSpans)
        {
            if (cited.Count == 0 || !cited.Any(text => Contains(text, span)))
            {
                return Reject(MemoryRejectionReason.EvidenceNotFound, $"the quoted span \"{ChatClientMemoryReply.Clip(span, 80)}\" does not occur in {(cited.Count == 0 ? "any cited source (it cites none)" : "the sources it cites")}", candidate);
            }
        }

        return Signals(candidate, rule, messages, documents);
    }

    private static MemoryCandidateRejection? Signals(MemoryCandidate candidate, MemoryGateRule rule, List<MemoryMessage> messages, List<MemoryDocument> documents)
    {
        var signals = new HashSet<MemoryCandidateSignal>(candidate.Signals);
        if (messages.Count > 0 && messages.All(m => m.Role is MemoryMessageRole.Assistant or MemoryMessageRole.System))
        {
            signals.Add(MemoryCandidateSignal.AssistantSpeculation);
        }

        if (documents.Count > 0 && documents.All(d => d.External))
        {
            signals.Add(MemoryCandidateSignal.ExternalContent);
        }

        foreach (var text in candidate.Evidence.QuotedSpans.Append(candidate.Value.Text))
        {
            signals.UnionWith(ContaminationSignals.Detect(text));
        }

        // A fixed order, so the same candidate always gets the same reason.
        foreach (var (signal, reason, detail) in SignalRejections)
        {
            if (signals.Contains(signal) && !rule.AllowedSignals.Contains(signal))
            {
                return Reject(reason, detail, candidate);
            }
        }

        if (candidate.Confidence < rule.MinConfidence)
        {
            return Reject(
                MemoryRejectionReason.LowConfidence,
                string.Create(CultureInfo.InvariantCulture, $"confidence {candidate.Confidence:0.###} is under the {candidate.Type} threshold {rule.MinConfidence:0.###}"),
                candidate);
        }

        return null;
    }

    private static readonly (MemoryCandidateSignal Signal, MemoryRejectionReason Reason, string Detail)[] SignalRejections =
    [
        (MemoryCandidateSignal.AssistantSpeculation, MemoryRejectionReason.AssistantSpeculation, "it is the assistant's guess or suggestion, not something the subject stated"),
        (MemoryCandidateSignal.ExternalContent, MemoryRejectionReason.ExternalContent, "it is content quoted from outside the subject (a web page, an article)"),
        (MemoryCandidateSignal.CodeSnippet, MemoryRejectionReason.CodeSnippet, "it is a one-off code snippet, log or stack trace"),
        (MemoryCandidateSignal.Hypothetical, MemoryRejectionReason.Hypothetical, "it is a hypothetical, a question or a wish, not a statement"),
        (MemoryCandidateSignal.Transient, MemoryRejectionReason.Transient, "it is true only now (a passing state or a wish for today)"),
    ];

    /// <summary>Whether a quoted span occurs in a source, ignoring case and runs of whitespace (models re-wrap lines).</summary>
    private static bool Contains(string text, string span) =>
        MemoryWords.Collapse(text).Contains(MemoryWords.Collapse(span), StringComparison.OrdinalIgnoreCase);

    private static MemoryCandidateRejection Reject(MemoryRejectionReason reason, string detail, MemoryCandidate candidate) => new(reason, detail, candidate);

    [LoggerMessage(121, LogLevel.Information, "Gate rejected a {Type} candidate ({Reason}); the ingestion job records the candidate and why.")]
    private partial void LogRejected(string reason, string type);

    // The detail may quote the conversation: content is logged only at Trace.
    [LoggerMessage(122, LogLevel.Trace, "Gate rejected a {Type} candidate about {Subject} ({Reason}): {Detail}.")]
    private partial void LogRejectedSensitive(string reason, string type, string subject, string detail);
}
