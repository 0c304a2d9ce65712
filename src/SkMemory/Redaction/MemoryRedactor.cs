using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Redaction;

/// <summary>
/// The redaction pipeline: the pattern rules first, then each classifier; overlapping findings are settled (the surer,
/// then the longer, wins); then the policy decides per finding: redact, tokenize into the vault, tag, or block.
/// </summary>
/// <remarks>Thread-safe. Secret values are never logged.</remarks>
public sealed partial class MemoryRedactor
{
    private readonly MemoryRedactionOptions _options;
    private readonly IMemoryTokenVault? _vault;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryRedactor"/> class.</summary>
    /// <param name="options">The options, or null for the built-in rules and policy.</param>
    /// <param name="vault">
    /// The vault for tokenized values when <see cref="MemoryRedactionOptions.Vault"/> is not set. With neither, tokenize
    /// falls back to redact (and logs a warning).
    /// </param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    public MemoryRedactor(MemoryRedactionOptions? options = null, IMemoryTokenVault? vault = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new MemoryRedactionOptions();
        vault = _options.Vault ?? vault;
        _vault = vault is not null && _options.VaultKey is { } key ? new EncryptingTokenVault(vault, new VaultCipher(key)) : vault;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MemoryRedactor>();
    }

    /// <summary>Gets the policy.</summary>
    public MemoryRedactionPolicy Policy => _options.Policy ?? MemoryRedactionPolicy.Default;

    /// <summary>Gets a value indicating whether tokenized values go to a vault (otherwise tokenize redacts).</summary>
    public bool HasVault => _vault is not null;

    /// <summary>Finds sensitive values with the built-in pattern rules only, overlaps settled.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The findings, in text order.</returns>
    public static IReadOnlyList<MemoryRedactionFinding> FindPatterns(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<MemoryRedactionFinding>();
        foreach (var rule in MemoryRedactionRules.All)
        {
            try
            {
                rule.Find(text, findings);
            }
            catch (RegexMatchTimeoutException ex)
            {
                // Fail closed: text that could not be scanned is not stored, embedded or sent anywhere.
                throw new MemoryException(
                    MemoryErrorCode.Blocked,
                    $"The redaction rule '{rule.Id}' could not scan this text ({text.Length:N0} characters) within its {ex.MatchTimeout.TotalSeconds:0.#} s limit, so nothing was stored; split the text into smaller pieces and try again.",
                    ex);
            }
        }

        return Settle(findings, text);
    }

    /// <summary>Gets the ids and kinds of the built-in pattern rules.</summary>
    public static IReadOnlyList<(string RuleId, string Kind)> PatternRules { get; } = [.. MemoryRedactionRules.All.Select(r => (r.Id, r.Kind))];

    /// <summary>Finds sensitive values: the pattern rules, then each classifier, overlaps settled.</summary>
    /// <param name="text">The text.</param>
    /// <param name="context">Where the text comes from.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The findings, in text order.</returns>
    public async ValueTask<IReadOnlyList<MemoryRedactionFinding>> FindAsync(string text, MemoryRedactionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        var findings = new List<MemoryRedactionFinding>();
        if (text.Length == 0)
        {
            return findings;
        }

        if (_options.UsePatternRules)
        {
            foreach (var rule in MemoryRedactionRules.All)
            {
                rule.Find(text, findings);
            }
        }

        foreach (var classifier in _options.Classifiers)
        {
            var found = await classifier.ClassifyAsync(text, context, cancellationToken).ConfigureAwait(false);
            foreach (var f in found)
            {
                if (f.Start < 0 || f.Length <= 0 || f.End > text.Length)
                {
                    throw new InvalidOperationException($"Classifier '{classifier.Id}' reported a span ({f.Start}, {f.Length}) outside the text of {text.Length} characters; fix the classifier.");
                }

                findings.Add(f with { Kind = NormalizeKind(f.Kind) });
            }
        }

        return Settle(findings, text);
    }

    /// <summary>Finds sensitive values and applies the policy.</summary>
    /// <param name="text">The text.</param>
    /// <param name="context">Where the text comes from.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The redacted text, what was found and done, or why the text is blocked (then nothing was tokenized).</returns>
    public async ValueTask<MemoryRedactionResult> RedactAsync(string text, MemoryRedactionContext context, CancellationToken cancellationToken = default)
    {
        var findings = (await FindAsync(text, context, cancellationToken).ConfigureAwait(false))
            .Where(f => f.Confidence >= Policy.MinimumConfidence)
            .ToList();
        if (findings.Count == 0)
        {
            return new MemoryRedactionResult { Text = text };
        }

        var actions = findings.Select(f => Policy.Resolve(f.Kind, context.Tenant, context.Type)).ToList();
        var blocked = actions.IndexOf(MemoryRedactionAction.Block);
        if (blocked >= 0)
        {
            var f = findings[blocked];
            LogBlocked(f.RuleId, f.Kind, context.Tenant, context.Field ?? "text");
            return new MemoryRedactionResult
            {
                Text = text,
                Findings = findings,
                Actions = actions,
                BlockedBy = f,
                BlockReason =
                    $"{context.Field ?? "text"} contains {Article(f.Kind)} {f.Kind} (rule {f.RuleId}, characters {f.Start}..{f.End}), which the redaction policy blocks"
                    + $"{(context.Type is null ? string.Empty : $" for type '{context.Type}'")} in tenant '{context.Tenant}'. Nothing was stored: remove the {f.Kind} from the text and retry, "
                    + $"or ask an operator to set the policy's action for {f.Kind} to redact or tokenize.",
            };
        }

        var output = new StringBuilder(text.Length);
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        var tokens = new List<string>();
        var at = 0;
        for (var i = 0; i < findings.Count; i++)
        {
            var f = findings[i];
            var action = actions[i];
            if (action == MemoryRedactionAction.Tokenize && _vault is null)
            {
                LogNoVault(f.Kind);
                action = actions[i] = MemoryRedactionAction.Redact;
            }

            output.Append(text, at, f.Start - at);
            var value = text.Substring(f.Start, f.Length);
            switch (action)
            {
                case MemoryRedactionAction.Tag:
                    tags.Add(f.Kind);
                    output.Append(value);
                    break;
                case MemoryRedactionAction.Tokenize:
                    var token = await _vault!.TokenizeAsync(context.Tenant, f.Kind, context.Subject, value, cancellationToken).ConfigureAwait(false);
                    tokens.Add(token);
                    output.Append(token);
                    break;
                default:
                    output.Append("[redacted:").Append(f.Kind).Append(']');
                    break;
            }

            at = f.End;
        }

        output.Append(text, at, text.Length - at);
        var redacted = output.ToString();
        LogRedacted(findings.Count, context.Tenant, context.Field ?? "text");
        return new MemoryRedactionResult
        {
            Text = redacted,
            Findings = findings,
            Actions = actions,
            Tags = [.. tags],
            Tokens = tokens,
            Changed = !string.Equals(redacted, text, StringComparison.Ordinal),
        };
    }

    // Keeps the surer, then the longer, of overlapping findings, and drops findings inside vault tokens or redaction marks
    // already in the text (an update of redacted content is not redacted twice).
    private static List<MemoryRedactionFinding> Settle(List<MemoryRedactionFinding> findings, string text)
    {
        var taken = new List<(int Start, int End)>();
        foreach (Match m in Marks().Matches(text))
        {
            taken.Add((m.Index, m.Index + m.Length));
        }

        var kept = new List<MemoryRedactionFinding>();
        foreach (var f in findings.OrderByDescending(f => f.Confidence).ThenByDescending(f => f.Length).ThenBy(f => f.Start))
        {
            if (taken.Any(t => f.Start < t.End && t.Start < f.End))
            {
                continue;
            }

            taken.Add((f.Start, f.End));
            kept.Add(f);
        }

        kept.Sort((a, b) => a.Start.CompareTo(b.Start));
        return kept;
    }

    private static string NormalizeKind(string kind)
    {
        var normalized = new string([.. (kind ?? string.Empty).ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return normalized.Length == 0 ? "sensitive" : normalized;
    }

    private static string Article(string kind) => kind.Length > 0 && "aeiou".Contains(kind[0], StringComparison.Ordinal) ? "an" : "a";

    [GeneratedRegex(@"\[\[tok:[a-z0-9_]+:[0-9a-z]{26}\]\]|\[redacted:[a-z0-9_]+\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marks();

    [LoggerMessage(611, LogLevel.Information, "Redaction blocked {Field} in tenant {Tenant}: rule {RuleId} found {Kind}.")]
    private partial void LogBlocked(string ruleId, string kind, string tenant, string field);

    [LoggerMessage(612, LogLevel.Debug, "Redaction acted on {Count} finding(s) in {Field} of tenant {Tenant}.")]
    private partial void LogRedacted(int count, string tenant, string field);

    [LoggerMessage(613, LogLevel.Warning, "The policy tokenizes {Kind} but no vault is available (the store provides none and none is configured); the value is redacted instead.")]
    private partial void LogNoVault(string kind);
}
