using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SkMemory.Storage;

/// <summary>Validates requests at the store boundary; every rule names the JSON field it checks.</summary>
internal static class MemoryRequestValidator
{
    private const int MaxTenantLength = 128;
    private const int MaxSubjectLength = 256;
    private const int MaxNameLength = 128;
    private const int MaxReasonLength = 2000;
    private const int MaxMetadataEntries = 64;
    private const int MaxMetadataKeyLength = 64;
    private const int MaxMetadataValueLength = 1024;
    private const int MaxIdempotencyKeyLength = 256;
    public const int MaxEvidenceItems = 256;
    public const int MaxIngestedItemKeyLength = 512;

    public static void Tenant(string? tenant) => Name(tenant, "tenant", MaxTenantLength);

    public static void Subject(string? subject) => Name(subject, "subject", MaxSubjectLength);

    /// <summary>Checks an ingestion job id: a name like a tenant's (the pipeline makes <c>ing_</c> and 32 hex digits).</summary>
    public static void IngestionJobId(string? id, string field) => Name(id, field, MaxNameLength);

    /// <summary>
    /// Checks an ingested item's key. Keys embed caller ids (message and tool call ids), so control characters are allowed;
    /// NUL and unpaired surrogates are not (no store keeps them), and the length keeps a (tenant, key) B-tree entry within
    /// Postgres's index row limit.
    /// </summary>
    public static void IngestedItemKey(string? key, string field)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new MemoryValidationException(field, "is required and must not be empty");
        }

        if (key.Length > MaxIngestedItemKeyLength)
        {
            throw new MemoryValidationException(field, $"is {key.Length} characters; at most {MaxIngestedItemKeyLength} are allowed");
        }

        WellFormed(key, field);
    }

    /// <summary>Validates every field of a write request (the write path's and the bulk loader's one check).</summary>
    /// <param name="request">The request.</param>
    /// <param name="options">The store's options (types, value size limit).</param>
    /// <returns>The registered type and the checked value.</returns>
    public static (MemoryTypeDefinition Type, MemoryValue Value) Write(MemoryWriteRequest request, MemoryStoreOptions options)
    {
        Tenant(request.Tenant);
        var type = Type(request.Type, options.Types);
        Scope(request.Scope);
        Subject(request.Subject);
        Actor(request.Actor);
        var value = Value(request.Value, type, options.MaxValueBytes);
        Provenance(request.Provenance);
        Unit(request.Confidence, "confidence");
        Unit(request.Salience, "salience");
        DecayPolicy(request.DecayPolicy);
        Ttl(request.Ttl);
        Metadata(request.Metadata);
        IdempotencyKey(request.IdempotencyKey);
        Reason(request.Reason, required: false);
        return (type, value);
    }

    public static MemoryTypeDefinition Type(string? type, MemoryTypeRegistry registry)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            throw new MemoryValidationException("type", "is required");
        }

        return registry.TryGet(type, out var definition)
            ? definition
            : throw new MemoryValidationException("type", $"unknown memory type \"{type}\"; registered types: {string.Join(", ", registry.Types.Select(t => t.Name))}");
    }

    public static void Scope(MemoryScope? scope)
    {
        if (scope is null)
        {
            throw new MemoryValidationException("scope", "is required");
        }

        if (!Enum.IsDefined(scope.Kind))
        {
            throw new MemoryValidationException("scope.kind", $"unknown scope kind {(int)scope.Kind}");
        }

        if (scope.Kind == MemoryScopeKind.Team)
        {
            Name(scope.Team, "scope.team", MaxNameLength);
        }
        else if (scope.Team is not null)
        {
            throw new MemoryValidationException("scope.team", $"only team scopes name a team; this scope is {MemoryJson.EnumName(scope.Kind)}");
        }

        OptionalName(scope.Agent, "scope.agent");
        OptionalName(scope.Session, "scope.session");
    }

    public static void Actor(MemoryActor? actor)
    {
        if (actor is null)
        {
            throw new MemoryValidationException("actor", "is required");
        }

        if (!Enum.IsDefined(actor.Kind))
        {
            throw new MemoryValidationException("actor.kind", $"unknown actor kind {(int)actor.Kind}");
        }

        Name(actor.Id, "actor.id", MaxSubjectLength);
    }

    /// <summary>Validates a value and returns it with its structured part in compact canonical form.</summary>
    public static MemoryValue Value(MemoryValue? value, MemoryTypeDefinition type, int maxBytes)
    {
        if (value is null)
        {
            throw new MemoryValidationException("value", "is required");
        }

        if (string.IsNullOrWhiteSpace(value.Text))
        {
            throw new MemoryValidationException("value.text", "is required and must not be blank");
        }

        WellFormed(value.Text, "value.text");

        JsonElement? structured = null;
        var size = Encoding.UTF8.GetByteCount(value.Text);
        if (value.Structured is { } element)
        {
            if (element.ValueKind == JsonValueKind.Undefined)
            {
                throw new MemoryValidationException("value.structured", "is not a JSON value");
            }

            var compact = JsonSerializer.SerializeToUtf8Bytes(element, MemoryJsonContext.Default.JsonElement);
            size += compact.Length;
            if (size <= maxBytes)
            {
                using var doc = JsonDocument.Parse(compact);
                structured = doc.RootElement.Clone();
                if (type.Validate(structured.Value) is { } problem)
                {
                    throw new MemoryValidationException("value.structured", $"does not match the JSON schema of type \"{type.Name}\": {problem}");
                }
            }
        }

        if (size > maxBytes)
        {
            throw new MemoryValidationException("value", $"is {size} bytes; the limit is {maxBytes} bytes (MemoryStoreOptions.MaxValueBytes). Store a summary and keep the source as evidence.");
        }

        return new MemoryValue(value.Text, structured);
    }

    public static void Unit(double value, string field)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            throw new MemoryValidationException(field, string.Create(CultureInfo.InvariantCulture, $"must be between 0 and 1; it is {value}"));
        }
    }

    public static void Provenance(MemoryProvenance? provenance)
    {
        if (provenance is null)
        {
            throw new MemoryValidationException("provenance", "is required (use MemoryProvenance.Manual when there is no evidence)");
        }

        if (!Enum.IsDefined(provenance.SourceKind))
        {
            throw new MemoryValidationException("provenance.source_kind", $"unknown source kind {(int)provenance.SourceKind}");
        }

        Items(provenance.MessageIds, "provenance.message_ids");
        Items(provenance.ToolCallIds, "provenance.tool_call_ids");
        Items(provenance.FileHashes, "provenance.file_hashes");
        Items(provenance.QuotedSpans, "provenance.quoted_spans");
    }

    public static void DecayPolicy(MemoryDecayPolicy? policy)
    {
        if (policy is null)
        {
            throw new MemoryValidationException("decay_policy", "is required (use MemoryDecayPolicy.None)");
        }

        if (policy.Kind == MemoryDecayKind.Exponential && policy.HalfLife is not { Ticks: > 0 })
        {
            throw new MemoryValidationException("decay_policy.half_life", "exponential decay needs a positive half-life");
        }
    }

    public static void Ttl(TimeSpan? ttl)
    {
        if (ttl is { } value && value <= TimeSpan.Zero)
        {
            throw new MemoryValidationException("ttl", $"must be positive; it is {value}");
        }
    }

    public static void Metadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            throw new MemoryValidationException("metadata", $"has {metadata.Count} entries; at most {MaxMetadataEntries} are allowed");
        }

        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxMetadataKeyLength)
            {
                throw new MemoryValidationException("metadata", $"keys must be 1..{MaxMetadataKeyLength} non-blank characters; found \"{key}\"");
            }

            if (value is null || value.Length > MaxMetadataValueLength)
            {
                throw new MemoryValidationException($"metadata.{key}", $"values must be non-null strings of at most {MaxMetadataValueLength} characters");
            }

            if (key.Any(char.IsControl) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new MemoryValidationException("metadata", $"keys must not contain control characters and values must not contain NUL; found one in \"{key}\"");
            }

            WellFormed(key, "metadata");
            WellFormed(value, $"metadata.{key}");
        }
    }

    public static void IdempotencyKey(string? key)
    {
        if (key is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(key) || key.Length > MaxIdempotencyKeyLength || key.Any(char.IsControl))
        {
            throw new MemoryValidationException("idempotency_key", $"must be 1..{MaxIdempotencyKeyLength} non-blank characters without control characters when given");
        }

        WellFormed(key, "idempotency_key");
    }

    public static void Reason(string? reason, bool required)
    {
        if (reason is null || reason.Trim().Length == 0)
        {
            if (required)
            {
                throw new MemoryValidationException("reason", "is required: say why (it is kept in the record and the audit log)");
            }

            if (reason is not null)
            {
                throw new MemoryValidationException("reason", "must not be blank when given");
            }

            return;
        }

        if (reason.Length > MaxReasonLength)
        {
            throw new MemoryValidationException("reason", $"is {reason.Length} characters; at most {MaxReasonLength} are allowed");
        }

        WellFormed(reason, "reason");
    }

    public static void ExpectedVersion(long? version)
    {
        if (version is < 1)
        {
            throw new MemoryValidationException("expected_version", $"must be 1 or more; it is {version}");
        }
    }

    /// <summary>Checks a whole record (an imported payload) against the rules every write meets.</summary>
    public static void Record(MemoryRecord record, MemoryTypeDefinition type, int maxValueBytes)
    {
        Tenant(record.Tenant);
        Scope(record.Scope);
        Subject(record.Subject);
        Actor(record.Actor);
        Value(record.Value, type, maxValueBytes);
        Provenance(record.Provenance);
        Unit(record.Confidence, "confidence");
        Unit(record.Salience, "salience");
        DecayPolicy(record.DecayPolicy);
        Ttl(record.Ttl);
        Metadata(record.Metadata);
        IdempotencyKey(record.IdempotencyKey);
        if (record.DeletionReason is not null)
        {
            Reason(record.DeletionReason, required: false);
        }
    }

    /// <summary>The fields every change of an existing memory (update, supersede) carries; optional ones are checked when set.</summary>
    public static void Change(string tenant, long? expectedVersion, MemoryActor actor, string? reason, MemoryProvenance? provenance, double? confidence, double? salience)
    {
        Tenant(tenant);
        ExpectedVersion(expectedVersion);
        Actor(actor);
        Reason(reason, required: false);
        if (provenance is not null)
        {
            Provenance(provenance);
        }

        if (confidence is { } c)
        {
            Unit(c, "confidence");
        }

        if (salience is { } s)
        {
            Unit(s, "salience");
        }
    }

    public static void Filter(MemoryFilter filter, MemoryTypeRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Tenant(filter.Tenant);
        if (filter.Subject is not null)
        {
            Subject(filter.Subject);
        }

        if (filter.Ids is { Count: > MemoryFilter.MaxIds } ids)
        {
            throw new MemoryValidationException("ids", $"at most {MemoryFilter.MaxIds} ids may be listed; {ids.Count} were");
        }

        if (filter.Types is { } types)
        {
            foreach (var type in types)
            {
                if (!registry.TryGet(type, out _))
                {
                    throw new MemoryValidationException("types", $"unknown memory type \"{type}\"");
                }
            }
        }

        foreach (var kind in filter.ScopeKinds ?? [])
        {
            if (!Enum.IsDefined(kind))
            {
                throw new MemoryValidationException("scope_kinds", $"unknown scope kind {(int)kind}");
            }
        }

        foreach (var status in filter.Statuses ?? [])
        {
            if (!Enum.IsDefined(status))
            {
                throw new MemoryValidationException("statuses", $"unknown status {(int)status}");
            }
        }

        if (filter.CreatedFrom >= filter.CreatedTo)
        {
            throw new MemoryValidationException("created_from", "must be before created_to");
        }

        if (filter.UpdatedFrom >= filter.UpdatedTo)
        {
            throw new MemoryValidationException("updated_from", "must be before updated_to");
        }

        Metadata(filter.Metadata);
    }

    /// <summary>
    /// The hash that recognizes "the same memory": type, scope, subject and value, with text compared after trimming,
    /// collapsing whitespace and ignoring case.
    /// </summary>
    public static string ContentHash(string type, MemoryScope scope, string subject, MemoryValue value)
    {
        var builder = new StringBuilder(256)
            .Append("skmemory-content-v1\n")
            .Append(type).Append('\n')
            .Append(MemoryJson.EnumName(scope.Kind)).Append('\n')
            .Append(scope.Team).Append('\n')
            .Append(scope.Agent).Append('\n')
            .Append(scope.Session).Append('\n')
            .Append(subject).Append('\n')
            .Append(NormalizeText(value.Text)).Append('\n')
            .Append(value.Structured?.GetRawText());
        return MemoryEventChain.Sha256Hex(builder.ToString());
    }

    private static string NormalizeText(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static void Name(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new MemoryValidationException(field, "is required and must not be blank");
        }

        if (value.Length > maxLength)
        {
            throw new MemoryValidationException(field, $"is {value.Length} characters; at most {maxLength} are allowed");
        }

        if (value.Any(char.IsControl))
        {
            throw new MemoryValidationException(field, "must not contain control characters");
        }

        WellFormed(value, field);
    }

    /// <summary>Rejects NUL and unpaired surrogates: no store can keep them, and JSON would silently change them.</summary>
    private static void WellFormed(string value, string field)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new MemoryValidationException(field, "must not contain NUL characters");
        }

        if (!IsValidUtf16(value))
        {
            throw new MemoryValidationException(field, "is not valid Unicode text (it contains an unpaired surrogate)");
        }
    }

    private static void OptionalName(string? value, string field)
    {
        if (value is not null)
        {
            Name(value, field, MaxNameLength);
        }
    }

    private static void Items(IReadOnlyList<string>? items, string field)
    {
        if (items is null)
        {
            throw new MemoryValidationException(field, "must be a list (empty when there is nothing)");
        }

        if (items.Count > MaxEvidenceItems)
        {
            throw new MemoryValidationException(field, $"has {items.Count} items; at most {MaxEvidenceItems} are allowed");
        }

        if (items.Any(string.IsNullOrEmpty))
        {
            throw new MemoryValidationException(field, "must not contain empty items");
        }
    }

    private static bool IsValidUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
