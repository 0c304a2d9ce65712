using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SkMemory.Governance.Retention;

/// <summary>
/// Retention as code: rules by memory type (and scope kind), a default for types without a rule, the grace after which a
/// revoked consent's memories are purged, and how long a failed extraction's raw input is kept. Loaded from a JSON policy
/// file and validated at load (<see cref="Load"/>); the numbers of the default policy are in docs/retention.md.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class MemoryRetentionPolicy
{
    /// <summary>The policy file format version this library reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The largest number of days a rule may name (about a century).</summary>
    public const int MaxDays = 36_500;

    private const string DefaultResourceName = "SkMemory.retention.policy.json";
    private static readonly Lazy<string> DefaultJson = new(ReadDefaultJson);
    private readonly Dictionary<(string Type, MemoryScopeKind? Scope), MemoryRetentionRule> _byKey;

    private MemoryRetentionPolicy(string source, IReadOnlyList<MemoryRetentionRule> rules, MemoryRetentionRule fallback, int? consentRevokedPurgeAfterDays, int? failedExtractionsPurgeAfterDays)
    {
        Source = source;
        Rules = rules;
        Default = fallback;
        ConsentRevokedPurgeAfterDays = consentRevokedPurgeAfterDays;
        FailedExtractionsPurgeAfterDays = failedExtractionsPurgeAfterDays;
        _byKey = rules.ToDictionary(r => (r.Type, r.Scope));
    }

    /// <summary>Gets where the policy came from: its file, or <c>default policy</c>.</summary>
    public string Source { get; }

    /// <summary>Gets the rules, in file order.</summary>
    public IReadOnlyList<MemoryRetentionRule> Rules { get; }

    /// <summary>
    /// Gets the rule for memories no rule names (type <c>*</c>): by default it keeps them, and purges memories expired
    /// otherwise (their own time to live, a person) after its <see cref="MemoryRetentionRule.PurgeAfterDays"/>.
    /// </summary>
    public MemoryRetentionRule Default { get; }

    /// <summary>Gets the days after a subject revoked consent for a scope (or let it lapse) at which their memories in that scope are purged; <see langword="null"/> never.</summary>
    public int? ConsentRevokedPurgeAfterDays { get; }

    /// <summary>Gets the days after an ingestion job failed at which its raw input is deleted (0: at the next sweep); <see langword="null"/> never.</summary>
    public int? FailedExtractionsPurgeAfterDays { get; }

    /// <summary>Gets the types some rule names.</summary>
    public IReadOnlyCollection<string> RuleTypes => _byKey.Keys.Select(k => k.Type).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Gets the default policy shipped with the library (docs/retention.policy.json), validated against the built-in types.</summary>
    /// <returns>The policy.</returns>
    public static MemoryRetentionPolicy CreateDefault() => Parse(DefaultJson.Value, "default policy");

    /// <summary>Gets the text of the default policy file, to copy and change.</summary>
    /// <returns>The JSON.</returns>
    public static string GetDefaultJson() => DefaultJson.Value;

    /// <summary>Loads and validates a policy file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="types">The memory types the store knows; the built-in ones when <see langword="null"/>.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="MemoryRetentionPolicyException">The file is missing, unreadable or invalid; the message names the rule and field.</exception>
    public static MemoryRetentionPolicy Load(string path, MemoryTypeRegistry? types = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string json;
        try
        {
            json = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MemoryRetentionPolicyException(path, "(file)", $"cannot be read ({e.Message})", e);
        }

        return Parse(json, path, types);
    }

    /// <summary>Parses and validates a policy's JSON.</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">Where it came from, for error messages.</param>
    /// <param name="types">The memory types the store knows; the built-in ones when <see langword="null"/>.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="MemoryRetentionPolicyException">The policy is invalid; the message names the rule and field.</exception>
    public static MemoryRetentionPolicy Parse(string json, string source = "(inline)", MemoryTypeRegistry? types = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        types ??= new MemoryTypeRegistry();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new MemoryRetentionPolicyException(source, "(file)", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message})", e);
        }

        using (document)
        {
            return Read(document.RootElement, source, types);
        }
    }

    /// <summary>Finds the rule for a memory: its type and scope kind's rule, else its type's, else <see cref="Default"/>.</summary>
    /// <param name="type">The memory type.</param>
    /// <param name="scope">The scope kind.</param>
    /// <returns>The rule.</returns>
    public MemoryRetentionRule Resolve(string type, MemoryScopeKind scope) =>
        _byKey.TryGetValue((type, scope), out var scoped) ? scoped
        : _byKey.TryGetValue((type, null), out var typed) ? typed
        : Default;

    /// <summary>Gets the purge delay of memories expired under <paramref name="rule"/>: its own, else the default's.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The days, or <see langword="null"/> to keep the content.</returns>
    public int? PurgeAfterDaysOf(MemoryRetentionRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.PurgeAfterDays ?? Default.PurgeAfterDays;
    }

    private static MemoryRetentionPolicy Read(JsonElement root, string source, MemoryTypeRegistry types)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MemoryRetentionPolicyException(source, "(root)", "must be a JSON object with version, rules, default, consentRevoked and failedExtractions");
        }

        Fields(root, source, "(root)", "$comment", "version", "rules", "default", "consentRevoked", "failedExtractions");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != CurrentVersion)
        {
            throw new MemoryRetentionPolicyException(source, "version", $"must be {CurrentVersion} (the format this library reads)");
        }

        var rules = new List<MemoryRetentionRule>();
        if (root.TryGetProperty("rules", out var array))
        {
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw new MemoryRetentionPolicyException(source, "rules", "must be an array of rules");
            }

            var seen = new Dictionary<(string, MemoryScopeKind?), int>();
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var path = $"rules[{index}]";
                var rule = ReadRule(element, source, path, types);
                if (seen.TryGetValue((rule.Type, rule.Scope), out var first))
                {
                    throw new MemoryRetentionPolicyException(source, path, $"duplicate rule for {rule.Name}: rules[{first}] already covers it; merge the two into one rule");
                }

                seen[(rule.Type, rule.Scope)] = index++;
                rules.Add(rule);
            }
        }

        var fallback = new MemoryRetentionRule { Type = "*" };
        if (root.TryGetProperty("default", out var defaults))
        {
            Object(defaults, source, "default");
            Fields(defaults, source, "default", "expireAfterDays", "anchor", "purgeAfterDays");
            fallback = fallback with
            {
                ExpireAfterDays = Days(defaults, source, "default", "expireAfterDays"),
                Anchor = Anchor(defaults, source, "default"),
                PurgeAfterDays = Days(defaults, source, "default", "purgeAfterDays"),
            };
        }

        return new MemoryRetentionPolicy(
            source,
            rules,
            fallback,
            Section(root, source, "consentRevoked"),
            Section(root, source, "failedExtractions"));
    }

    private static MemoryRetentionRule ReadRule(JsonElement element, string source, string path, MemoryTypeRegistry types)
    {
        Object(element, source, path);
        Fields(element, source, path, "type", "scope", "expireAfterDays", "anchor", "purgeAfterDays", "$comment");
        if (!element.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(typeElement.GetString()))
        {
            throw new MemoryRetentionPolicyException(source, path + ".type", "is required: name the memory type the rule covers");
        }

        var type = typeElement.GetString()!;
        if (!types.TryGet(type, out _))
        {
            throw new MemoryRetentionPolicyException(source, path + ".type", $"unknown memory type \"{type}\"; known types: {string.Join(", ", types.Types.Select(t => t.Name))} (register custom types in MemoryStoreOptions.Types)");
        }

        MemoryScopeKind? scope = null;
        if (element.TryGetProperty("scope", out var scopeElement) && scopeElement.ValueKind != JsonValueKind.Null)
        {
            if (scopeElement.ValueKind != JsonValueKind.String || !MemoryJson.TryParseEnum<MemoryScopeKind>(scopeElement.GetString()!, out var kind))
            {
                throw new MemoryRetentionPolicyException(source, path + ".scope", $"unknown scope {scopeElement.GetRawText()}; use {string.Join(", ", MemoryJson.EnumNamesOf<MemoryScopeKind>())}, or leave it out for every scope");
            }

            scope = kind;
        }

        return new MemoryRetentionRule
        {
            Type = type,
            Scope = scope,
            ExpireAfterDays = Days(element, source, path, "expireAfterDays"),
            Anchor = Anchor(element, source, path),
            PurgeAfterDays = Days(element, source, path, "purgeAfterDays"),
        };
    }

    private static int? Section(JsonElement root, string source, string name)
    {
        if (!root.TryGetProperty(name, out var section) || section.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Object(section, source, name);
        Fields(section, source, name, "purgeAfterDays", "$comment");
        return Days(section, source, name, "purgeAfterDays");
    }

    private static MemoryRetentionAnchor Anchor(JsonElement element, string source, string path)
    {
        if (!element.TryGetProperty("anchor", out var anchor) || anchor.ValueKind == JsonValueKind.Null)
        {
            return MemoryRetentionAnchor.LastTouch;
        }

        return anchor.ValueKind == JsonValueKind.String && MemoryRetentionAnchor.TryParse(anchor.GetString(), out var parsed)
            ? parsed
            : throw new MemoryRetentionPolicyException(source, path + ".anchor", $"unknown anchor {anchor.GetRawText()}; use {MemoryRetentionAnchor.Names}");
    }

    private static int? Days(JsonElement element, string source, string path, string field)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var days))
        {
            throw new MemoryRetentionPolicyException(source, $"{path}.{field}", $"must be a whole number of days; it is {value.GetRawText()}");
        }

        return days switch
        {
            < 0 => throw new MemoryRetentionPolicyException(source, $"{path}.{field}", string.Create(CultureInfo.InvariantCulture, $"must not be negative; it is {days} (use 0 for at once, or leave it out to keep)")),
            > MaxDays => throw new MemoryRetentionPolicyException(source, $"{path}.{field}", string.Create(CultureInfo.InvariantCulture, $"must be at most {MaxDays}; it is {days} (leave it out to keep forever)")),
            _ => days,
        };
    }

    private static void Object(JsonElement element, string source, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new MemoryRetentionPolicyException(source, path, $"must be a JSON object; it is {element.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    private static void Fields(JsonElement element, string source, string path, params string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new MemoryRetentionPolicyException(source, $"{path}.{property.Name}", $"unknown field; known fields here: {string.Join(", ", known.Where(k => k != "$comment"))}");
            }
        }
    }

    private static string ReadDefaultJson()
    {
        using var stream = typeof(MemoryRetentionPolicy).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"The default retention policy resource '{DefaultResourceName}' is missing from the SkMemory assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
