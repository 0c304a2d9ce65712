using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SkMemory.Cli;

/// <summary>Writes --json output: one JSON document per command, in the contract's JSON forms (<see cref="MemoryJson"/>).</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Writes one JSON object, built by <paramref name="write"/> between its braces, as one line.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="write">Writes the object's properties.</param>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(write);
        output.WriteLine(Render(w =>
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }));
    }

    /// <summary>Writes an export or import result: the file, the counts and the tenants.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="fileProperty">The name of the property holding the file path.</param>
    /// <param name="path">The file path.</param>
    /// <param name="result">The result.</param>
    public static void WriteTransfer(TextWriter output, string fileProperty, string path, MemoryTransferResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Write(output, w =>
        {
            w.WriteString(fileProperty, path);
            w.WriteNumber("events", result.Events);
            w.WriteNumber("objects", result.Objects);
            w.WriteStartArray("tenants");
            foreach (var tenant in result.Tenants)
            {
                w.WriteStringValue(tenant);
            }

            w.WriteEndArray();
        });
    }

    /// <summary>Creates a writer over a stream (see <see cref="CliContext.OpenOutputStream"/>) with the options of every other --json output, for documents written a part at a time.</summary>
    /// <param name="stream">Where to write.</param>
    /// <returns>The writer; it writes to the stream when flushed.</returns>
    public static Utf8JsonWriter CreateWriter(Stream stream) => new(stream, WriterOptions);

    /// <summary>Renders JSON to a string.</summary>
    /// <param name="write">Writes one JSON value.</param>
    /// <returns>The JSON text.</returns>
    public static string Render(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a record as a property.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="record">The record.</param>
    public static void WriteRecord(Utf8JsonWriter writer, string name, MemoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(name);
        JsonSerializer.Serialize(writer, record, MemoryJsonContext.Default.MemoryRecord);
    }

    /// <summary>Renders a record as compact JSON.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The JSON text.</returns>
    public static string RenderRecord(MemoryRecord record) =>
        Render(w => JsonSerializer.Serialize(w, record, MemoryJsonContext.Default.MemoryRecord));
}
