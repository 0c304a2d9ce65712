using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkMemory.Packing;

namespace SkMemory.Capture;

/// <summary>
/// What the chat-model capture and retrieval steps share: the ask-check-retry exchange, quoted-data rendering, reply clean-up and
/// short texts for problems.
/// </summary>
internal static class ChatClientMemoryReply
{
    /// <summary>The longest bad reply that a retry repeats back to the model; longer ones are left out to keep the request small.</summary>
    public const int MaxEchoedReplyCharacters = 32_000;

    /// <summary>How many problems a correction message and a rejection list before saying how many more there were.</summary>
    public const int MaxListedProblems = 12;

    /// <summary>Gets a chat-model step's name: <c>chat:</c> and the model id (the options' or the client's default), or <c>chat</c>.</summary>
    public static string StepName(IChatClient chatClient, string? modelId)
    {
        var model = modelId ?? chatClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        return string.IsNullOrWhiteSpace(model) ? "chat" : "chat:" + model;
    }

    /// <summary>
    /// Asks the model and reads its reply; an unusable reply is retried once, with the reply itself (when at most
    /// <paramref name="maxEchoedReplyCharacters"/> long) and a message that says what was wrong. Cancellation of
    /// <paramref name="cancellationToken"/> propagates; any other failure of the chat client ends the exchange.
    /// </summary>
    /// <param name="chatClient">The chat client to ask.</param>
    /// <param name="messages">The messages to send; the retry's messages are added to them.</param>
    /// <param name="chatOptions">Creates the options of each call.</param>
    /// <param name="read">Reads a reply: its value when usable, else what is wrong with it.</param>
    /// <param name="logRetrying">Logs that a reply was unusable and the model is asked once more.</param>
    /// <param name="correction">The message that tells the model what was wrong with its reply.</param>
    /// <param name="maxEchoedReplyCharacters">The longest bad reply that the retry repeats back to the model.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The value of a usable reply; else the last reply's problem after two unusable ones; else the client's failure.</returns>
    public static async Task<(TValue? Value, TProblem? Problem, Exception? Failure)> AskAsync<TValue, TProblem>(
        IChatClient chatClient,
        List<ChatMessage> messages,
        Func<ChatOptions> chatOptions,
        Func<string, (TValue? Value, TProblem? Problem)> read,
        Action<TProblem> logRetrying,
        Func<TProblem, string> correction,
        int maxEchoedReplyCharacters,
        CancellationToken cancellationToken)
        where TValue : class
        where TProblem : class
    {
        for (var attempt = 1; ; attempt++)
        {
            string reply;
            try
            {
                var response = await chatClient.GetResponseAsync(messages.ToArray(), chatOptions(), cancellationToken).ConfigureAwait(false);
                reply = response.Text;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                return (null, null, exception);
            }

            var (value, problem) = read(reply);
            if (value is not null)
            {
                return (value, null, null);
            }

            if (attempt == 2)
            {
                return (null, problem, null);
            }

            logRetrying(problem!);
            if (reply.Length > 0 && reply.Length <= maxEchoedReplyCharacters)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, reply));
            }

            messages.Add(new ChatMessage(ChatRole.User, correction(problem!)));
        }
    }

    /// <summary>Parses a reply as JSON (a Markdown code fence around it is tolerated), or says why it cannot be parsed.</summary>
    /// <param name="reply">The reply text.</param>
    /// <param name="maxDepth">The deepest nesting allowed.</param>
    /// <param name="document">The parsed reply, which the caller disposes.</param>
    /// <param name="problem">What is wrong with the reply, without quoting it.</param>
    /// <returns>Whether the reply is JSON.</returns>
    public static bool TryParse(string reply, int maxDepth, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? problem)
    {
        document = null;
        var json = StripCodeFence(reply);
        if (json.Length == 0)
        {
            problem = "the reply was empty";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException exception)
        {
            problem = SyntaxProblem(exception);
            return false;
        }

        problem = null;
        return true;
    }

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
