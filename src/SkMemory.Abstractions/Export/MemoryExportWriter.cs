using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SkMemory;

/// <summary>Writes the JSON Lines export format: a header, the events, the current objects, and an end line with totals.</summary>
public sealed class MemoryExportWriter : IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Stream _destination;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly IProgress<MemoryTransferProgress>? _progress;
    private long _events;
    private long _objects;
    private long _lines;
    private bool _ended;

    /// <summary>Initializes a new instance of the <see cref="MemoryExportWriter"/> class.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="progress">A receiver of progress.</param>
    public MemoryExportWriter(Stream destination, IProgress<MemoryTransferProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _destination = destination;
        _progress = progress;
    }

    /// <summary>Gets the number of events written.</summary>
    public long EventCount => _events;

    /// <summary>Gets the number of objects written.</summary>
    public long ObjectCount => _objects;

    /// <summary>Writes the header line.</summary>
    /// <param name="header">The header.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public Task WriteHeaderAsync(MemoryExportHeader header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        return WriteLineAsync(
            w =>
            {
                w.WriteString("kind", "header");
                w.WriteString("format", header.Format);
                w.WriteNumber("format_version", header.FormatVersion);
                w.WriteNumber("record_schema_version", header.RecordSchemaVersion);
                w.WriteString("exported_at", MemoryEventChain.FormatTimestamp(header.ExportedAt));
                if (header.Tenant is null)
                {
                    w.WriteNull("tenant");
                }
                else
                {
                    w.WriteString("tenant", header.Tenant);
                }

                w.WriteString("producer", header.Producer);
            },
            cancellationToken);
    }

    /// <summary>Writes one event line.</summary>
    /// <param name="e">The event.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task WriteEventAsync(MemoryEvent e, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        await WriteLineAsync(
            w =>
            {
                w.WriteString("kind", "event");
                w.WriteString("tenant", e.Tenant);
                w.WriteNumber("sequence", e.Sequence);
                w.WriteString("event_id", e.EventId.ToString("D"));
                w.WriteString("memory_id", e.MemoryId.ToString("D"));
                w.WriteString("event_type", MemoryJson.EnumName(e.EventType));
                w.WriteNumber("stream_version", e.StreamVersion);
                w.WriteString("occurred_at", MemoryEventChain.FormatTimestamp(e.OccurredAt));
                w.WriteStartObject("actor");
                w.WriteString("kind", MemoryJson.EnumName(e.Actor.Kind));
                w.WriteString("id", e.Actor.Id);
                w.WriteEndObject();
                if (e.Reason is not null)
                {
                    w.WriteString("reason", e.Reason);
                }

                w.WriteString("payload_hash", e.PayloadHash);
                w.WriteString("previous_hash", e.PreviousHash);
                w.WriteString("hash", e.Hash);
                w.WritePropertyName("payload");
                if (e.Payload is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    // Verbatim, so the payload hash still matches the bytes on the other side.
                    w.WriteRawValue(e.Payload, skipInputValidation: true);
                }
            },
            cancellationToken).ConfigureAwait(false);
        _events++;
    }

    /// <summary>Writes one current-object line.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task WriteObjectAsync(MemoryRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await WriteLineAsync(
            w =>
            {
                w.WriteString("kind", "object");
                w.WritePropertyName("record");
                JsonSerializer.Serialize(w, record, MemoryJsonContext.Default.MemoryRecord);
            },
            cancellationToken).ConfigureAwait(false);
        _objects++;
    }

    /// <summary>Writes one current-object line from a record's JSON form as stored (an event payload), without re-serializing it.</summary>
    /// <param name="recordJson">The record's JSON, as <see cref="MemoryJson.SerializeRecord"/> wrote it.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task WriteObjectAsync(string recordJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordJson);
        await WriteLineAsync(
            w =>
            {
                w.WriteString("kind", "object");
                w.WritePropertyName("record");
                w.WriteRawValue(recordJson, skipInputValidation: true);
            },
            cancellationToken).ConfigureAwait(false);
        _objects++;
    }

    /// <summary>Writes the end line with the totals, and flushes.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task WriteEndAsync(CancellationToken cancellationToken = default)
    {
        await WriteLineAsync(
            w =>
            {
                w.WriteString("kind", "end");
                w.WriteNumber("event_count", _events);
                w.WriteNumber("object_count", _objects);
            },
            cancellationToken).ConfigureAwait(false);
        _ended = true;
        await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            // An export without its end line is recognizably truncated; flush what was written so far.
            await _destination.FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteLineAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer, LineOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await _destination.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await _destination.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        _lines++;
        if (_progress is not null && (_lines % 1000 == 0))
        {
            _progress.Report(new MemoryTransferProgress(_lines, _events, _objects, null));
        }
    }
}
