using System.Text.Json;
using System.Text.RegularExpressions;

namespace SkMemory.Redaction;

/// <summary>
/// What to do with each kind of finding: <see cref="MemoryRedactionAction.Redact"/>, <see cref="MemoryRedactionAction.Tokenize"/>,
/// <see cref="MemoryRedactionAction.Tag"/> or <see cref="MemoryRedactionAction.Block"/>, with overrides per memory type, per
/// tenant, and per tenant and type. The most specific wins: tenant and type, tenant, type, kind, then
/// <see cref="DefaultAction"/>. Load one from JSON with <see cref="Parse"/> or <see cref="LoadAsync"/> (see docs/redaction.md).
/// </summary>
public sealed partial class MemoryRedactionPolicy
{
    private static readonly string[] TopLevelFields = ["default_action", "min_confidence", "kinds", "types", "tenants"];

    /// <summary>Gets the built-in policy: secrets (keys, tokens, passwords, private keys, random strings) are redacted;
    /// personal data (emails, phones, cards, IBANs, government ids) is tokenized; anything else is redacted.</summary>
    public static MemoryRedactionPolicy Default { get; } = new();

    /// <summary>Gets the built-in action per kind.</summary>
    public static IReadOnlyDictionary<string, MemoryRedactionAction> DefaultKinds { get; } = new Dictionary<string, MemoryRedactionAction>(StringComparer.Ordinal)
    {
        [MemoryRedactionKinds.ApiKey] = MemoryRedactionAction.Redact,
        [MemoryRedactionKinds.AwsKey] = MemoryRedactionAction.Redact,
        [MemoryRedactionKinds.Jwt] = MemoryRedactionAction.Redact,
        [MemoryRedactionKinds.PrivateKey] = MemoryRedactionAction.Redact,
        [MemoryRedactionKinds.Password] = MemoryRedactionAction.Redact,
        [MemoryRedactionKinds.HighEntropy] = MemoryRedactionAction.Redact,
        [MemoryRedactionKinds.CreditCard] = MemoryRedactionAction.Tokenize,
        [MemoryRedactionKinds.Iban] = MemoryRedactionAction.Tokenize,
        [MemoryRedactionKinds.GovernmentId] = MemoryRedactionAction.Tokenize,
        [MemoryRedactionKinds.Email] = MemoryRedactionAction.Tokenize,
        [MemoryRedactionKinds.Phone] = MemoryRedactionAction.Tokenize,
    };

    /// <summary>Gets the action for kinds listed nowhere (a classifier's own kinds). Default redact.</summary>
    public MemoryRedactionAction DefaultAction { get; init; } = MemoryRedactionAction.Redact;

    /// <summary>Gets the least confidence a finding needs to be acted on, 0..1. Default 0: every finding counts.</summary>
    public double MinimumConfidence { get; init; }

    /// <summary>Gets the action per kind; kinds not listed fall back to <see cref="DefaultKinds"/>, then <see cref="DefaultAction"/>.</summary>
    public IReadOnlyDictionary<string, MemoryRedactionAction> Kinds { get; init; } = new Dictionary<string, MemoryRedactionAction>(StringComparer.Ordinal);

    /// <summary>Gets the action per memory type, then kind.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>> Types { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>>(StringComparer.Ordinal);

    /// <summary>Gets each tenant's overrides.</summary>
    public IReadOnlyDictionary<string, MemoryRedactionTenantPolicy> Tenants { get; init; } = new Dictionary<string, MemoryRedactionTenantPolicy>(StringComparer.Ordinal);

    /// <summary>Gets the action for a kind found in a tenant's memory of a type.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="type">The memory type, or null (a query, a capture input).</param>
    /// <returns>The action.</returns>
    public MemoryRedactionAction Resolve(string kind, string tenant, string? type)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(tenant);
        if (Tenants.TryGetValue(tenant, out var t))
        {
            if (type is not null && t.Types.TryGetValue(type, out var tk) && tk.TryGetValue(kind, out var a1))
            {
                return a1;
            }

            if (t.Kinds.TryGetValue(kind, out var a2))
            {
                return a2;
            }
        }

        if (type is not null && Types.TryGetValue(type, out var k) && k.TryGetValue(kind, out var a3))
        {
            return a3;
        }

        return Kinds.TryGetValue(kind, out var a4) ? a4 : DefaultKinds.TryGetValue(kind, out var a5) ? a5 : DefaultAction;
    }

    /// <summary>Reads a policy from JSON (see docs/redaction.md).</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="MemoryValidationException">The JSON is malformed or a field is invalid; the field is named.</exception>
    public static MemoryRedactionPolicy Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new MemoryValidationException("policy", $"is not valid JSON ({ex.Message}); fix the file and load it again");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MemoryValidationException("policy", "must be a JSON object with default_action, min_confidence, kinds, types and tenants");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!TopLevelFields.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw new MemoryValidationException(property.Name, $"is not a policy field; use {string.Join(", ", TopLevelFields)}");
                }
            }

            var minConfidence = 0.0;
            if (root.TryGetProperty("min_confidence", out var mc))
            {
                if (mc.ValueKind != JsonValueKind.Number || !mc.TryGetDouble(out minConfidence) || minConfidence is < 0 or > 1)
                {
                    throw new MemoryValidationException("min_confidence", "must be a number from 0 to 1");
                }
            }

            var tenants = new Dictionary<string, MemoryRedactionTenantPolicy>(StringComparer.Ordinal);
            if (root.TryGetProperty("tenants", out var ts))
            {
                foreach (var tenant in Object(ts, "tenants").EnumerateObject())
                {
                    var field = $"tenants.{tenant.Name}";
                    foreach (var property in Object(tenant.Value, field).EnumerateObject())
                    {
                        if (property.Name is not ("kinds" or "types"))
                        {
                            throw new MemoryValidationException($"{field}.{property.Name}", "is not a tenant policy field; use kinds or types");
                        }
                    }

                    tenants[tenant.Name] = new MemoryRedactionTenantPolicy
                    {
                        Kinds = tenant.Value.TryGetProperty("kinds", out var k) ? Actions(k, $"{field}.kinds") : new Dictionary<string, MemoryRedactionAction>(StringComparer.Ordinal),
                        Types = tenant.Value.TryGetProperty("types", out var ty) ? TypeActions(ty, $"{field}.types") : new Dictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>>(StringComparer.Ordinal),
                    };
                }
            }

            return new MemoryRedactionPolicy
            {
                DefaultAction = root.TryGetProperty("default_action", out var d) ? Action(d, "default_action") : MemoryRedactionAction.Redact,
                MinimumConfidence = minConfidence,
                Kinds = root.TryGetProperty("kinds", out var kinds) ? Actions(kinds, "kinds") : new Dictionary<string, MemoryRedactionAction>(StringComparer.Ordinal),
                Types = root.TryGetProperty("types", out var types) ? TypeActions(types, "types") : new Dictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>>(StringComparer.Ordinal),
                Tenants = tenants,
            };
        }
    }

    /// <summary>Reads a policy from a JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="MemoryValidationException">The file is malformed or a field is invalid; the field is named.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async Task<MemoryRedactionPolicy> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(json);
        }
        catch (MemoryValidationException ex)
        {
            throw new MemoryValidationException(ex.Field, $"{ex.Message[(ex.Field.Length + 2)..]} (in {path})");
        }
    }

    private static JsonElement Object(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new MemoryValidationException(field, "must be a JSON object");

    private static Dictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>> TypeActions(JsonElement element, string field)
    {
        var types = new Dictionary<string, IReadOnlyDictionary<string, MemoryRedactionAction>>(StringComparer.Ordinal);
        foreach (var type in Object(element, field).EnumerateObject())
        {
            types[type.Name] = Actions(type.Value, $"{field}.{type.Name}");
        }

        return types;
    }

    private static Dictionary<string, MemoryRedactionAction> Actions(JsonElement element, string field)
    {
        var actions = new Dictionary<string, MemoryRedactionAction>(StringComparer.Ordinal);
        foreach (var kind in Object(element, field).EnumerateObject())
        {
            if (!KindName().IsMatch(kind.Name))
            {
                throw new MemoryValidationException($"{field}.{kind.Name}", $"is not a kind name; kinds are [a-z0-9_]+ ({string.Join(", ", MemoryRedactionKinds.All)}, or a classifier's kind)");
            }

            actions[kind.Name] = Action(kind.Value, $"{field}.{kind.Name}");
        }

        return actions;
    }

    private static MemoryRedactionAction Action(JsonElement element, string field) => element.ValueKind == JsonValueKind.String
        ? element.GetString() switch
        {
            "redact" => MemoryRedactionAction.Redact,
            "tokenize" => MemoryRedactionAction.Tokenize,
            "tag" => MemoryRedactionAction.Tag,
            "block" => MemoryRedactionAction.Block,
            var other => throw new MemoryValidationException(field, $"'{other}' is not an action; use redact, tokenize, tag or block"),
        }
        : throw new MemoryValidationException(field, "must be a string: redact, tokenize, tag or block");

    [GeneratedRegex("^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KindName();
}
