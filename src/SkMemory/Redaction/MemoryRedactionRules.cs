using System.Text.RegularExpressions;

namespace SkMemory.Redaction;

/// <summary>
/// The built-in pattern rules, in one table. Each is a source-generated regular expression plus a validator: Luhn and an
/// issuer prefix for cards, country length and mod-97 for IBANs, SSN ranges, and guards that keep UUIDs, hashes, git SHAs,
/// versions, placeholders and ordinary numbers out.
/// </summary>
internal static partial class MemoryRedactionRules
{
    private const int Timeout = 2000;
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    /// <summary>Gets every built-in rule.</summary>
    public static IReadOnlyList<PatternRule> All { get; } =
    [
        new("private_key_block", MemoryRedactionKinds.PrivateKey, PrivateKeyBlock(), 1.0),
        new("anthropic_key", MemoryRedactionKinds.ApiKey, AnthropicKey(), 0.99),
        new("openai_key", MemoryRedactionKinds.ApiKey, OpenAiKey(), 0.97, (v, _, _) => SecretShape.HasMixedClasses(v[3..])),
        new("github_token", MemoryRedactionKinds.ApiKey, GitHubToken(), 0.99),
        new("gitlab_token", MemoryRedactionKinds.ApiKey, GitLabToken(), 0.99),
        new("slack_token", MemoryRedactionKinds.ApiKey, SlackToken(), 0.99),
        new("slack_webhook", MemoryRedactionKinds.ApiKey, SlackWebhook(), 0.99),
        new("stripe_key", MemoryRedactionKinds.ApiKey, StripeKey(), 0.99),
        new("google_api_key", MemoryRedactionKinds.ApiKey, GoogleApiKey(), 0.99),
        new("google_oauth", MemoryRedactionKinds.ApiKey, GoogleOAuth(), 0.97),
        new("sendgrid_key", MemoryRedactionKinds.ApiKey, SendGridKey(), 0.99),
        new("twilio_key", MemoryRedactionKinds.ApiKey, TwilioKey(), 0.95),
        new("npm_token", MemoryRedactionKinds.ApiKey, NpmToken(), 0.99),
        new("huggingface_token", MemoryRedactionKinds.ApiKey, HuggingFaceToken(), 0.97, (v, _, _) => SecretShape.HasMixedClasses(v[3..])),
        new("bearer_token", MemoryRedactionKinds.ApiKey, BearerToken(), 0.85, (v, _, _) => SecretShape.LooksLikeSecretValue(v)),
        new("secret_assignment", MemoryRedactionKinds.ApiKey, SecretAssignment(), 0.8, (v, _, _) => SecretShape.LooksLikeSecretValue(v)),
        new("aws_access_key_id", MemoryRedactionKinds.AwsKey, AwsAccessKeyId(), 0.98),
        new("aws_secret_key", MemoryRedactionKinds.AwsKey, AwsSecretKey(), 0.98),
        new("jwt", MemoryRedactionKinds.Jwt, Jwt(), 0.98, (v, _, _) => SecretShape.IsJwt(v)),
        new("url_password", MemoryRedactionKinds.Password, UrlPassword(), 0.92, (v, _, _) => !SecretShape.IsPlaceholder(v)),
        new("connection_string_password", MemoryRedactionKinds.Password, ConnectionStringPassword(), 0.92, (v, _, _) => !SecretShape.IsPlaceholder(v.Trim('"', '\''))),
        new("password_statement", MemoryRedactionKinds.Password, PasswordStatement(), 0.88, (v, _, _) => SecretShape.LooksLikePassword(v)),
        new("credit_card", MemoryRedactionKinds.CreditCard, CardNumber(), 0.95, (v, _, _) => Checksums.IsCardNumber(v)),
        new("iban", MemoryRedactionKinds.Iban, Iban(), 0.95, (v, _, _) => Checksums.IsIban(v)),
        new("email", MemoryRedactionKinds.Email, Email(), 0.95, (v, start, text) => SecretShape.IsEmail(v, start, text)),
        new("phone_international", MemoryRedactionKinds.Phone, PhoneInternational(), 0.85, (v, start, text) => PhoneShape.IsInternational(v, start, text)),
        new("phone_nanp", MemoryRedactionKinds.Phone, PhoneNanp(), 0.85, (v, start, text) => PhoneShape.IsNanp(v, start, text)),
        new("phone_national", MemoryRedactionKinds.Phone, PhoneNational(), 0.8, (v, _, _) => PhoneShape.IsNational(v)),
        new("us_ssn", MemoryRedactionKinds.GovernmentId, Ssn(), 0.9, (v, _, _) => Checksums.IsSsn(v)),
        new("us_ssn_labelled", MemoryRedactionKinds.GovernmentId, SsnLabelled(), 0.92, (v, _, _) => Checksums.IsSsn(v)),
        new("uk_nino", MemoryRedactionKinds.GovernmentId, UkNino(), 0.9, (v, _, _) => Checksums.IsNino(v)),
        new("high_entropy", MemoryRedactionKinds.HighEntropy, HighEntropyCandidate(), 0.6, (v, start, text) => SecretShape.IsHighEntropySecret(v, start, text)),
    ];

    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,\-\\]*)", Options, Timeout)]
    private static partial Regex PrivateKeyBlock();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])sk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{32,}", Options, Timeout)]
    private static partial Regex AnthropicKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-|None-)?(?!ant-)[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])", Options, Timeout)]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,255})(?![A-Za-z0-9_])", Options, Timeout)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}", Options, Timeout)]
    private static partial Regex GitLabToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])xox[abposre]-(?:[0-9]+-)*[A-Za-z0-9-]{10,}", Options, Timeout)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]+/[A-Z0-9]+/[A-Za-z0-9]{16,}", Options, Timeout)]
    private static partial Regex SlackWebhook();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{24,})(?![A-Za-z0-9_])", Options, Timeout)]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[A-Za-z0-9_-]{28})(?![A-Za-z0-9_-])", Options, Timeout)]
    private static partial Regex GoogleApiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])ya29\.[0-9A-Za-z_-]{20,}", Options, Timeout)]
    private static partial Regex GoogleOAuth();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", Options, Timeout)]
    private static partial Regex SendGridKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])", Options, Timeout)]
    private static partial Regex TwilioKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])", Options, Timeout)]
    private static partial Regex NpmToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9_])", Options, Timeout)]
    private static partial Regex HuggingFaceToken();

    [GeneratedRegex(@"\b[Bb]earer\s+(?<v>[A-Za-z0-9_\-.=~+/]{16,})", Options, Timeout)]
    private static partial Regex BearerToken();

    [GeneratedRegex(
        @"(?i)(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,64}?(?:api[_.-]?key|apikey|secret|token|access[_.-]?key|auth[_.-]?key|private[_.-]?key|client[_.-]?secret|account[_.-]?key|signing[_.-]?key|credentials?)(?![A-Za-z0-9]{0,64}(?:hash|sha|digest|checksum|_id|id\b|count|type|url|uri|limit|ttl|expir|length|name|path|file|version))[A-Za-z0-9_.-]{0,40}[""']?\s*(?::|=|=>|\bis\b)\s*[""']?(?<v>[A-Za-z0-9_\-./+=~]{12,})",
        Options,
        Timeout)]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z2-7]{16}(?![A-Z0-9])", Options, Timeout)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"(?i)(?:aws[_. -]?secret(?:[_. -]?access)?|secret[_. -]?access)[_. -]?key[""']?\s*(?::|=|=>)\s*[""']?(?<v>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", Options, Timeout)]
    private static partial Regex AwsSecretKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", Options, Timeout)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@""'<>]+:(?<v>[^\s@/""'<>]+)@[A-Za-z0-9.\-\[\]]+", Options, Timeout)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?i)(?<![A-Za-z0-9_])(?:(?:[A-Za-z0-9]+_)*password|pwd|passwd)\s*=\s*(?<v>""[^""]+""|'[^']+'|[^;'""\s,]+)", Options, Timeout)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex(@"(?i)\b(?:password|passwd|passphrase|passcode|pass ?word|wifi key)s?\b[""']?\s*(?:[:=]|\bis\b|\bwas\b|\bto\b|\bset to\b)\s*[""'`]?(?<v>[^\s""'`,;]{4,})", Options, Timeout)]
    private static partial Regex PasswordStatement();

    [GeneratedRegex(@"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])", Options, Timeout)]
    private static partial Regex CardNumber();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", Options, Timeout)]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b", Options, Timeout)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(?\d{1,5}\)?){2,6}(?![\d\-])", Options, Timeout)]
    private static partial Regex PhoneInternational();

    [GeneratedRegex(@"(?<![\w\-.+/])(?:\(\d{3}\) ?|\d{3}[\-. ])\d{3}[\-. ]\d{4}(?![\w\-]|\.\d)", Options, Timeout)]
    private static partial Regex PhoneNanp();

    [GeneratedRegex(@"(?i)\b(?:phone|tel|telephone|mobile|cell|call|ring|text|whatsapp|fax|landline|number)\b[^\d\n]{0,20}(?<v>0\d{2,4}[ \-]?\d{3,4}[ \-]?\d{3,4}|0\d(?:[ .\-]?\d{2}){4})(?![\d\-])", Options, Timeout)]
    private static partial Regex PhoneNational();

    [GeneratedRegex(@"(?<![\d\-/.])\d{3}-\d{2}-\d{4}(?![\d\-/])", Options, Timeout)]
    private static partial Regex Ssn();

    [GeneratedRegex(@"(?i)\b(?:ssn|social security(?: number| no\.?)?|ss#)\W{0,5}(?:is\W{0,3})?(?<v>\d{3}[ ]?\d{2}[ ]?\d{4})(?!\d)", Options, Timeout)]
    private static partial Regex SsnLabelled();

    [GeneratedRegex(@"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", Options, Timeout)]
    private static partial Regex UkNino();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/=_\-])[A-Za-z0-9+/_\-]{20,}={0,2}(?![A-Za-z0-9+/=_\-])", Options, Timeout)]
    private static partial Regex HighEntropyCandidate();
}
