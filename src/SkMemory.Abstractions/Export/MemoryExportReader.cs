using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SkMemory;

/// <summary>
/// Reads the JSON Lines export format line by line, checking the header, each line's fields, payload hashes and the end
/// line. Every problem is a <see cref="MemoryImportException"/> naming the line and field.
/// </summary>
public static class MemoryExportReader
{
    /// <summary>Reads an export after validating its header.</summary>
    /// <param name="source">The export stream.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The items after the header, in file order; the last is the end line.</returns>
    /// <exception cref="MemoryImportException">A line is malformed, or the file is truncated.</exception>
    public static async IAsyncEnumerable<MemoryExportItem> ReadAsync(Stream source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var reader = new StreamReader(source, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        long lineNumber = 0;
        long events = 0;
        long objects = 0;
        MemoryExportEnd? end = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DecoderFallbackException ex)
            {
                throw Invalid(lineNumber + 1, null, "the file is not valid UTF-8", ex);
            }

            if (line is null)
            {
                break;
            }

            lineNumber++;
            if (end is not null)
            {
                throw Invalid(lineNumber, null, "content after the end line");
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                throw Invalid(lineNumber, null, "empty line");
            }

            using var doc = Parse(line, lineNumber);
            var root = doc.RootElement;
            var kind = RequiredString(root, "kind", lineNumber);
            if (lineNumber == 1)
            {
                if (kind != "header")
                {
                    throw Invalid(1, "kind", $"the first line must be the export header (kind \"header\"), found \"{kind}\"; is this a SkMemory export?");
                }

                ReadHeader(root);
                continue;
            }

            switch (kind)
            {
                case "event":
                    events++;
                    yield return new MemoryExportItem(lineNumber, ReadEvent(root, lineNumber), null, null);
                    break;
                case "object":
                    objects++;
                    yield return new MemoryExportItem(lineNumber, null, ReadObject(root, lineNumber), null);
                    break;
                case "end":
                    end = new MemoryExportEnd(RequiredInt64(root, "event_count", lineNumber), RequiredInt64(root, "object_count", lineNumber));
                    if (end.EventCount != events)
                    {
                        throw Invalid(lineNumber, "event_count", $"the end line counts {end.EventCount} events, but the file has {events}: lines are missing");
                    }

                    if (end.ObjectCount != objects)
                    {
                        throw Invalid(lineNumber, "object_count", $"the end line counts {end.ObjectCount} objects, but the file has {objects}: lines are missing");
                    }

                    yield return new MemoryExportItem(lineNumber, null, null, end);
                    break;
                case "header":
                    throw Invalid(lineNumber, "kind", "a second header line");
                default:
                    throw Invalid(lineNumber, "kind", $"unknown line kind \"{kind}\" (expected event, object or end)");
            }
        }

        if (lineNumber == 0)
        {
            throw Invalid(1, null, "the file is empty");
        }

        if (end is null)
        {
            throw Invalid(lineNumber, null, $"the file is truncated: it ends after line {lineNumber} without the end line");
        }
    }

    private static void ReadHeader(JsonElement root)
    {
        var format = RequiredString(root, "format", 1);
        if (format != MemoryExportFormat.Name)
        {
            throw Invalid(1, "format", $"expected \"{MemoryExportFormat.Name}\", found \"{format}\"");
        }

        var version = RequiredInt64(root, "format_version", 1);
        if (version != MemoryExportFormat.Version)
        {
            throw Invalid(1, "format_version", $"export format version {version} is not supported; this SkMemory reads version {MemoryExportFormat.Version}");
        }

        var recordVersion = RequiredInt64(root, "record_schema_version", 1);
        if (recordVersion != MemoryRecord.CurrentSchemaVersion)
        {
            throw Invalid(1, "record_schema_version", $"record schema version {recordVersion} is not supported; this SkMemory reads version {MemoryRecord.CurrentSchemaVersion}");
        }
    }

    private static MemoryEvent ReadEvent(JsonElement root, long line)
    {
        var actor = Required(root, "actor", line, JsonValueKind.Object);
        var actorKindName = RequiredString(actor, "kind", line, "actor.kind");
        if (!MemoryJson.TryParseEnum<MemoryActorKind>(actorKindName, out var actorKind))
        {
            throw Invalid(line, "actor.kind", $"unknown actor kind \"{actorKindName}\" (expected one of {string.Join(", ", MemoryJson.EnumNamesOf<MemoryActorKind>())})");
        }

        var eventTypeName = RequiredString(root, "event_type", line);
        if (!MemoryJson.TryParseEnum<MemoryEventType>(eventTypeName, out var eventType))
        {
            throw Invalid(line, "event_type", $"unknown event type \"{eventTypeName}\"");
        }

        string? payload = null;
        if (!root.TryGetProperty("payload", out var payloadElement))
        {
            throw Invalid(line, "payload", "missing (write null for an erased payload)");
        }

        var payloadHash = RequiredHash(root, "payload_hash", line);
        if (payloadElement.ValueKind == JsonValueKind.Object)
        {
            payload = payloadElement.GetRawText();
            if (MemoryEventChain.ComputePayloadHash(payload) != payloadHash)
            {
                throw Invalid(line, "payload_hash", "does not match the payload: the payload was altered");
            }

            try
            {
                MemoryJson.DeserializeRecord(payloadElement);
            }
            catch (MemoryValidationException ex)
            {
                throw Invalid(line, "payload." + ex.Field, ex.Message, ex);
            }
            catch (JsonException ex)
            {
                throw Invalid(line, "payload" + (ex.Path is { Length: > 1 } p ? p.TrimStart('$') : string.Empty), $"not a valid memory record: {ex.Message}", ex);
            }
        }
        else if (payloadElement.ValueKind != JsonValueKind.Null)
        {
            throw Invalid(line, "payload", $"expected an object or null, found {payloadElement.ValueKind}");
        }

        var sequence = RequiredInt64(root, "sequence", line);
        if (sequence < 1)
        {
            throw Invalid(line, "sequence", "must be 1 or more");
        }

        var streamVersion = RequiredInt64(root, "stream_version", line);
        if (streamVersion < 1)
        {
            throw Invalid(line, "stream_version", "must be 1 or more");
        }

        return new MemoryEvent
        {
            Tenant = RequiredString(root, "tenant", line),
            Sequence = sequence,
            EventId = RequiredGuid(root, "event_id", line),
            MemoryId = RequiredGuid(root, "memory_id", line),
            EventType = eventType,
            StreamVersion = streamVersion,
            OccurredAt = RequiredTimestamp(root, "occurred_at", line),
            Actor = new MemoryActor(actorKind, RequiredString(actor, "id", line, "actor.id")),
            Reason = root.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null,
            Payload = payload,
            PayloadHash = payloadHash,
            PreviousHash = RequiredHash(root, "previous_hash", line),
            Hash = RequiredHash(root, "hash", line),
        };
    }

    private static MemoryRecord ReadObject(JsonElement root, long line)
    {
        var record = Required(root, "record", line, JsonValueKind.Object);
        try
        {
            return MemoryJson.DeserializeRecord(record);
        }
        catch (MemoryValidationException ex)
        {
            throw Invalid(line, "record." + ex.Field, ex.Message, ex);
        }
        catch (JsonException ex)
        {
            throw Invalid(line, "record" + (ex.Path is { Length: > 1 } p ? p.TrimStart('$') : string.Empty), $"not a valid memory record: {ex.Message}", ex);
        }
    }

    private static JsonDocument Parse(string line, long lineNumber)
    {
        try
        {
            var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw Invalid(lineNumber, null, "expected a JSON object");
            }

            return doc;
        }
        catch (JsonException ex)
        {
            throw Invalid(lineNumber, null, $"not valid JSON (truncated or corrupted line?): {ex.Message}", ex);
        }
    }

    private static JsonElement Required(JsonElement root, string name, long line, JsonValueKind kind, string? field = null)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Invalid(line, field ?? name, "missing");
        }

        if (value.ValueKind != kind)
        {
            throw Invalid(line, field ?? name, $"expected {kind.ToString().ToLowerInvariant()}, found {value.ValueKind.ToString().ToLowerInvariant()}");
        }

        return value;
    }

    private static string RequiredString(JsonElement root, string name, long line, string? field = null)
    {
        var value = Required(root, name, line, JsonValueKind.String, field).GetString()!;
        return value.Length == 0 ? throw Invalid(line, field ?? name, "empty") : value;
    }

    private static long RequiredInt64(JsonElement root, string name, long line) =>
        Required(root, name, line, JsonValueKind.Number).TryGetInt64(out var value) ? value : throw Invalid(line, name, "expected an integer");

    private static Guid RequiredGuid(JsonElement root, string name, long line) =>
        Guid.TryParseExact(RequiredString(root, name, line), "D", out var value) ? value : throw Invalid(line, name, "expected a UUID");

    private static string RequiredHash(JsonElement root, string name, long line)
    {
        var value = RequiredString(root, name, line);
        return value.Length == 64 && value.All(char.IsAsciiHexDigitLower) ? value : throw Invalid(line, name, "expected 64 lower-case hex digits");
    }

    private static DateTimeOffset RequiredTimestamp(JsonElement root, string name, long line) =>
        DateTimeOffset.TryParse(RequiredString(root, name, line), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw Invalid(line, name, "expected an ISO 8601 timestamp");

    private static MemoryImportException Invalid(long line, string? field, string problem, Exception? inner = null) =>
        new(MemoryErrorCode.ImportInvalid, line, field, problem, inner);
}
