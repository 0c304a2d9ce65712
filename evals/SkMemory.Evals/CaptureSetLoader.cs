using System.Globalization;
using System.Text.Json;

namespace SkMemory.Evals;

/// <summary>
/// Reads labelled capture sets (the JSON shape of <c>evals/data/capture/seeded.json</c>) and checks that every label cites
/// turns that exist, so a typo in a label fails the load instead of silently lowering a score.
/// </summary>
public static class CaptureSetLoader
{
    /// <summary>The name of the seeded set shipped inside this assembly (from <c>evals/data/capture/seeded.json</c>).</summary>
    public const string SeededName = "seeded";

    private const string ResourcePrefix = "SkMemory.Evals.Capture.";

    /// <summary>Loads the seeded set shipped inside this assembly.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The set.</returns>
    public static async Task<CaptureSet> LoadSeededAsync(CancellationToken cancellationToken = default)
    {
        // Embedded, not read from the repository folder: the CLI runs from anywhere.
        var name = ResourcePrefix + SeededName + ".json";
        using var stream = typeof(CaptureSetLoader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The evals assembly has no resource '{name}'; rebuild it (the project embeds evals/data/capture/*.json).");
        using var reader = new StreamReader(stream);
        return Parse(await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Loads a set from a file.</summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The set.</returns>
    /// <exception cref="FormatException">The file is not a valid capture set (the message names the problem).</exception>
    public static async Task<CaptureSet> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Parses and checks a set.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The set.</returns>
    /// <exception cref="FormatException">The JSON is not a valid capture set (the message names the problem).</exception>
    public static CaptureSet Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var conversations = new List<CaptureConversation>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in RequiredList(root, "conversations", "the set"))
        {
            var conversation = ParseConversation(item);
            if (!ids.Add(conversation.Id))
            {
                throw new FormatException($"Conversation id '{conversation.Id}' is used twice.");
            }

            conversations.Add(conversation);
        }

        if (conversations.Count == 0)
        {
            throw new FormatException("The set has no conversation.");
        }

        return new CaptureSet(RequiredString(root, "name", "the set"), OptionalString(root, "description") ?? string.Empty, conversations);
    }

    private static CaptureConversation ParseConversation(JsonElement item)
    {
        var id = RequiredString(item, "id", "a conversation");
        var where = $"conversation '{id}'";
        var subject = OptionalString(item, "subject");
        var sessions = new List<CaptureSession>();
        var messages = new Dictionary<string, MemoryMessage>(StringComparer.Ordinal);
        foreach (var session in RequiredList(item, "sessions", where))
        {
            var sessionId = RequiredString(session, "id", where);
            var at = DateTimeOffset.Parse(RequiredString(session, "at", $"{where} session '{sessionId}'"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var turns = new List<MemoryMessage>();
            foreach (var turn in RequiredList(session, "messages", $"{where} session '{sessionId}'"))
            {
                var messageId = RequiredString(turn, "id", $"{where} session '{sessionId}'");
                var role = OptionalString(turn, "role") is { } name
                    ? MemoryJson.TryParseEnum<MemoryMessageRole>(name, out var parsed) ? parsed : throw new FormatException($"{where}: message '{messageId}' has role '{name}'; use one of {string.Join(", ", MemoryJson.EnumNamesOf<MemoryMessageRole>())}.")
                    : MemoryMessageRole.User;

                // A minute per turn: turns of one session are ordered in time, so a correction later in a session is newer.
                var message = new MemoryMessage
                {
                    Id = messageId,
                    Speaker = RequiredString(turn, "speaker", $"{where} message '{messageId}'"),
                    Role = role,
                    Text = RequiredString(turn, "text", $"{where} message '{messageId}'"),
                    ObservedAt = at.AddMinutes(turns.Count),
                    Session = sessionId,
                };
                if (!messages.TryAdd(messageId, message))
                {
                    throw new FormatException($"{where}: message id '{messageId}' is used twice.");
                }

                turns.Add(message);
            }

            sessions.Add(new CaptureSession(sessionId, turns));
        }

        var subjects = subject is not null ? new HashSet<string>(StringComparer.Ordinal) { subject } : messages.Values.Select(m => m.Speaker.Trim()).ToHashSet(StringComparer.Ordinal);
        var memories = new List<CaptureMemoryLabel>();
        foreach (var label in RequiredList(item, "memories", where))
        {
            memories.Add(ParseMemory(label, where, messages, subjects));
        }

        var rejections = new List<CaptureRejectionLabel>();
        foreach (var label in RequiredList(item, "rejections", where))
        {
            var messageId = RequiredString(label, "message", $"{where} rejection");
            var reasonName = RequiredString(label, "reason", $"{where} rejection of '{messageId}'");
            if (!messages.ContainsKey(messageId))
            {
                throw new FormatException($"{where}: a rejection cites message '{messageId}', which is not in the conversation.");
            }

            if (!MemoryJson.TryParseEnum<MemoryRejectionReason>(reasonName, out var reason))
            {
                throw new FormatException($"{where}: the rejection of '{messageId}' has reason '{reasonName}'; use one of {string.Join(", ", MemoryJson.EnumNamesOf<MemoryRejectionReason>())}.");
            }

            // A turn is either evidence or contamination: scoring counts any memory citing a rejected turn as a leak.
            if (memories.Any(m => m.Evidence.Contains(messageId, StringComparer.Ordinal)))
            {
                throw new FormatException($"{where}: message '{messageId}' is both a memory's evidence and an expected rejection.");
            }

            rejections.Add(new CaptureRejectionLabel(messageId, reason, OptionalString(label, "why") ?? string.Empty));
        }

        return new CaptureConversation(id, OptionalString(item, "description") ?? string.Empty, subject, sessions, memories, rejections);
    }

    private static CaptureMemoryLabel ParseMemory(JsonElement label, string where, Dictionary<string, MemoryMessage> messages, HashSet<string> subjects)
    {
        var type = RequiredString(label, "type", $"{where} memory");
        var text = OptionalString(label, "text") ?? string.Empty;
        var what = $"{where} memory '{(text.Length > 0 ? text : type)}'";
        if (!MemoryTypes.BuiltIn.Contains(type, StringComparer.Ordinal))
        {
            throw new FormatException($"{what}: type '{type}' is not a built-in type ({string.Join(", ", MemoryTypes.BuiltIn)}).");
        }

        var subject = RequiredString(label, "subject", what);
        if (!subjects.Contains(subject))
        {
            throw new FormatException($"{what}: subject '{subject}' is neither the conversation's subject nor one of its speakers.");
        }

        var evidence = RequiredList(label, "evidence", what).Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException($"{what}: evidence must be message ids.")).ToList();
        if (evidence.Count == 0)
        {
            throw new FormatException($"{what}: cites no message.");
        }

        foreach (var id in evidence)
        {
            if (!messages.TryGetValue(id, out var message))
            {
                throw new FormatException($"{what}: cites message '{id}', which is not in the conversation.");
            }

            if (message.Role != MemoryMessageRole.User)
            {
                throw new FormatException($"{what}: cites message '{id}', which is not a user's turn; memories rest on what people said.");
            }
        }

        var statusName = OptionalString(label, "status") ?? "active";
        var status = statusName switch
        {
            "active" => MemoryStatus.Active,
            "superseded" => MemoryStatus.Superseded,
            _ => throw new FormatException($"{what}: status '{statusName}' must be 'active' or 'superseded'."),
        };

        CaptureDateRange? validFrom = null;
        if (label.TryGetProperty("valid_from", out var range) && range.ValueKind == JsonValueKind.Object)
        {
            var earliest = DateOnly.ParseExact(RequiredString(range, "earliest", what), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var latest = DateOnly.ParseExact(RequiredString(range, "latest", what), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            validFrom = latest >= earliest ? new CaptureDateRange(earliest, latest) : throw new FormatException($"{what}: valid_from ends before it starts.");
        }

        return new CaptureMemoryLabel(type, subject, evidence, OptionalString(label, "key"), status, text, validFrom);
    }

    private static JsonElement.ArrayEnumerator RequiredList(JsonElement element, string name, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new FormatException($"{Capitalize(where)} has no '{name}' list.");

    private static string RequiredString(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new FormatException($"{Capitalize(where)} has no '{name}' string.");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
