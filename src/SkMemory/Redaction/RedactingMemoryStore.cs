using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SkMemory.Redaction;

/// <summary>
/// Store middleware that redacts every value before the store below sees it: the text, the string values of the structured
/// value and the quoted spans of the evidence of writes, updates, supersedes and merges, and the text of searches (so no
/// secret reaches an embedding vendor). A finding the policy blocks refuses the write with <see cref="MemoryErrorCode.Blocked"/>
/// and nothing is stored. Tagged kinds are listed in the metadata key <c>redaction.tags</c>; redacted or tokenized kinds in
/// <c>redaction.redacted</c>.
/// </summary>
/// <remarks>Thread-safe when the inner store is. Metadata values are not redacted: do not put secrets in metadata.</remarks>
public sealed class RedactingMemoryStore : DelegatingMemoryStore
{
    /// <summary>The metadata key listing tagged kinds, comma-separated.</summary>
    public const string TagsMetadataKey = "redaction.tags";

    /// <summary>The metadata key listing redacted or tokenized kinds, comma-separated.</summary>
    public const string RedactedMetadataKey = "redaction.redacted";

    private readonly MemoryRedactor _redactor;
    private readonly MemoryRedactionOptions _options;

    /// <summary>Initializes a new instance of the <see cref="RedactingMemoryStore"/> class.</summary>
    /// <param name="innerStore">The store below.</param>
    /// <param name="options">The options, or null for the built-in rules and policy; the vault is the inner store's unless set.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerStore"/> is <see langword="null"/>.</exception>
    public RedactingMemoryStore(IMemoryStore innerStore, MemoryRedactionOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(innerStore)
    {
        _options = options ?? new MemoryRedactionOptions();
        _redactor = new MemoryRedactor(_options, innerStore.GetService(typeof(IMemoryTokenVault)) as IMemoryTokenVault, loggerFactory);
    }

    /// <summary>Gets the redactor this store applies.</summary>
    public MemoryRedactor Redactor => _redactor;

    /// <inheritdoc />
    public override async Task<MemoryWriteResult> WriteAsync(MemoryWriteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = new MemoryRedactionContext { Tenant = request.Tenant, Type = request.Type, Subject = request.Subject };
        var pass = new Pass(_redactor, context);
        var value = await pass.ValueAsync(request.Value, "value", cancellationToken).ConfigureAwait(false);
        var provenance = await pass.ProvenanceAsync(request.Provenance, "provenance", cancellationToken).ConfigureAwait(false);
        pass.ThrowIfBlocked();
        if (!pass.Changed && pass.Tags.Count == 0)
        {
            return await base.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await base.WriteAsync(
            request with { Value = value!, Provenance = provenance!, Metadata = pass.Metadata(request.Metadata) },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> UpdateAsync(MemoryUpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var change = await RedactChangeAsync(request.Tenant, request.Id, request.Value, request.Provenance, request.Metadata, cancellationToken).ConfigureAwait(false);
        return await base.UpdateAsync(
            change is null ? request : request with { Value = change.Value, Provenance = change.Provenance, Metadata = change.Metadata },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<MemorySupersedeResult> SupersedeAsync(MemorySupersedeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var change = await RedactChangeAsync(request.Tenant, request.Id, request.Value, request.Provenance, request.Metadata, cancellationToken).ConfigureAwait(false);
        return await base.SupersedeAsync(
            change is null ? request : request with { Value = change.Value!, Provenance = change.Provenance, Metadata = change.Metadata },
            cancellationToken).ConfigureAwait(false);
    }

    // A change to an existing memory is redacted under the memory's own type and subject; null when nothing was found.
    private async Task<RedactedChange?> RedactChangeAsync(string tenant, Guid id, MemoryValue? value, MemoryProvenance? provenance, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var current = await InnerStore.GetAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        var pass = new Pass(_redactor, new MemoryRedactionContext { Tenant = tenant, Type = current?.Type, Subject = current?.Subject });
        var redactedValue = await pass.ValueAsync(value, "value", cancellationToken).ConfigureAwait(false);
        var redactedProvenance = await pass.ProvenanceAsync(provenance, "provenance", cancellationToken).ConfigureAwait(false);
        pass.ThrowIfBlocked();
        return !pass.Changed && pass.Tags.Count == 0
            ? null
            : new RedactedChange(redactedValue, redactedProvenance, pass.Metadata(metadata ?? current?.Metadata));
    }

    /// <inheritdoc />
    public override async Task<MemoryRecord> MergeAsync(MemoryMergeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = await InnerStore.GetAsync(request.Tenant, request.Id, cancellationToken).ConfigureAwait(false);
        var pass = new Pass(_redactor, new MemoryRedactionContext { Tenant = request.Tenant, Type = current?.Type, Subject = current?.Subject });
        var evidence = await pass.ProvenanceAsync(request.Evidence, "evidence", cancellationToken).ConfigureAwait(false);
        pass.ThrowIfBlocked();
        return await base.MergeAsync(pass.Changed ? request with { Evidence = evidence! } : request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_options.RedactSearchText || string.IsNullOrEmpty(request.Text))
        {
            return await base.SearchAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // A query is never stored, so nothing is tokenized or blocked: every finding is replaced by its redaction mark.
        var findings = await _redactor.FindAsync(request.Text, new MemoryRedactionContext { Tenant = request.Tenant, Field = "text" }, cancellationToken).ConfigureAwait(false);
        if (findings.Count == 0)
        {
            return await base.SearchAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var text = request.Text;
        foreach (var f in findings.Reverse())
        {
            text = string.Concat(text.AsSpan(0, f.Start), $"[redacted:{f.Kind}]", text.AsSpan(f.End));
        }

        return await base.SearchAsync(request with { Text = text }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(MemoryRedactor) ? _redactor : base.GetService(serviceType, serviceKey);
    }

    /// <summary>One request's redaction: every field through the redactor, the first block kept, tags and kinds gathered.</summary>
    private sealed class Pass(MemoryRedactor redactor, MemoryRedactionContext context)
    {
        private readonly SortedSet<string> _redacted = new(StringComparer.Ordinal);
        private int _changes;

        public SortedSet<string> Tags { get; } = new(StringComparer.Ordinal);

        public bool Changed { get; private set; }

        private string? BlockReason { get; set; }

        public async ValueTask<MemoryValue?> ValueAsync(MemoryValue? value, string field, CancellationToken cancellationToken)
        {
            if (value is null)
            {
                return null;
            }

            var text = await TextAsync(value.Text, field + ".text", cancellationToken).ConfigureAwait(false);
            JsonElement? structured = value.Structured;
            if (value.Structured is { } element && element.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String)
            {
                var buffer = new ArrayBufferWriter<byte>();
                var changesBefore = _changes;
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    await RewriteAsync(element, writer, field + ".structured", cancellationToken).ConfigureAwait(false);
                }

                if (_changes != changesBefore)
                {
                    using var document = JsonDocument.Parse(buffer.WrittenMemory);
                    structured = document.RootElement.Clone();
                }
            }

            return new MemoryValue(text, structured);
        }

        public async ValueTask<MemoryProvenance?> ProvenanceAsync(MemoryProvenance? provenance, string field, CancellationToken cancellationToken)
        {
            if (provenance is null || provenance.QuotedSpans.Count == 0)
            {
                return provenance;
            }

            var spans = new List<string>(provenance.QuotedSpans.Count);
            for (var i = 0; i < provenance.QuotedSpans.Count; i++)
            {
                spans.Add(await TextAsync(provenance.QuotedSpans[i], $"{field}.quoted_spans[{i}]", cancellationToken).ConfigureAwait(false));
            }

            return provenance with { QuotedSpans = spans };
        }

        public void ThrowIfBlocked()
        {
            if (BlockReason is not null)
            {
                throw new MemoryException(MemoryErrorCode.Blocked, BlockReason);
            }
        }

        public IReadOnlyDictionary<string, string>? Metadata(IReadOnlyDictionary<string, string>? metadata)
        {
            if (Tags.Count == 0 && _redacted.Count == 0)
            {
                return metadata;
            }

            var result = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
            Add(result, TagsMetadataKey, Tags);
            Add(result, RedactedMetadataKey, _redacted);
            return result;
        }

        private static void Add(Dictionary<string, string> metadata, string key, SortedSet<string> kinds)
        {
            if (kinds.Count == 0)
            {
                return;
            }

            if (metadata.TryGetValue(key, out var existing))
            {
                kinds = new SortedSet<string>(kinds.Concat(existing.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), StringComparer.Ordinal);
            }

            metadata[key] = string.Join(',', kinds);
        }

        private async ValueTask<string> TextAsync(string text, string field, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            var result = await redactor.RedactAsync(text, context with { Field = field }, cancellationToken).ConfigureAwait(false);
            if (result.IsBlocked)
            {
                BlockReason ??= result.BlockReason;
                return text;
            }

            Tags.UnionWith(result.Tags);
            for (var i = 0; i < result.Findings.Count; i++)
            {
                if (result.Actions[i] is MemoryRedactionAction.Redact or MemoryRedactionAction.Tokenize)
                {
                    _redacted.Add(result.Findings[i].Kind);
                }
            }

            if (result.Changed)
            {
                Changed = true;
                _changes++;
            }

            return result.Text;
        }

        private async ValueTask RewriteAsync(JsonElement element, Utf8JsonWriter writer, string field, CancellationToken cancellationToken)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var property in element.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        await RewriteAsync(property.Value, writer, $"{field}.{property.Name}", cancellationToken).ConfigureAwait(false);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    var i = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        await RewriteAsync(item, writer, $"{field}[{i++}]", cancellationToken).ConfigureAwait(false);
                    }

                    writer.WriteEndArray();
                    break;
                case JsonValueKind.String:
                    writer.WriteStringValue(await TextAsync(element.GetString()!, field, cancellationToken).ConfigureAwait(false));
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }
    }

    private sealed record RedactedChange(MemoryValue? Value, MemoryProvenance? Provenance, IReadOnlyDictionary<string, string>? Metadata);
}
