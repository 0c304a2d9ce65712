using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SkMemory.Packing;

namespace SkMemory.Capture;

/// <summary>What the chat-model capture steps share: quoted-data rendering, reply clean-up and short texts for problems.</summary>
internal static class ChatClientMemoryReply
{
    /// <summary>The longest bad reply that a retry repeats back to the model; longer ones are left out to keep the request small.</summary>
    public const int MaxEchoedReplyCharacters = 32_000;

    /// <summary>How many problems a correction message and a rejection list before saying how many more there were.</summary>
    public const int MaxListedProblems = 12;

    /// <summary>
    /// Renders a JSON object with the encoder that escapes quotes, angle brackets and line breaks, so text inside a string
    /// can never close it or look like markup or a new message.
    /// </summary>
    public static string Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MemoryPacketRenderer.QuotedDataEncoder }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses a JSON schema written as text into an element that outlives the parse.</summary>
    public static JsonElement Schema(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Removes a Markdown code fence around a reply: models add one even when asked for bare JSON.</summary>
    public static string StripCodeFence(string reply)
    {
        var text = reply.AsSpan().Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLineEnd = text.IndexOf('\n');
            text = firstLineEnd < 0 ? [] : text[(firstLineEnd + 1)..];
            text = text.TrimEnd();
            if (text.EndsWith("```", StringComparison.Ordinal))
            {
                text = text[..^3].TrimEnd();
            }
        }

        return text.ToString();
    }

    /// <summary>Describes a JSON syntax error by position, without quoting the reply (it may repeat personal text).</summary>
    public static string SyntaxProblem(JsonException exception) =>
        Invariant($"the reply is not valid JSON (line {(exception.LineNumber ?? 0) + 1}, byte {(exception.BytePositionInLine ?? 0) + 1})");

    /// <summary>Cuts text to at most <paramref name="max"/> characters, ending in <c>…</c>, without splitting a surrogate pair.</summary>
    public static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>A model-written name (an id, a type) shortened for a problem message, so a runaway value cannot flood a log.</summary>
    public static string Short(string text) => Clip(text, 64);

    /// <summary>Joins problems into one line, listing at most <see cref="MaxListedProblems"/>.</summary>
    public static string Join(IReadOnlyList<string> problems, string separator) =>
        problems.Count <= MaxListedProblems
            ? string.Join(separator, problems)
            : string.Join(separator, problems.Take(MaxListedProblems)) + separator + Invariant($"and {problems.Count - MaxListedProblems} more");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
