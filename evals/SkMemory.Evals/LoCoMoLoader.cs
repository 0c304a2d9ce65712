using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SkMemory.Evals;

/// <summary>Reads LoCoMo conversation files (one JSON object per file, as in snap-research/locomo).</summary>
public static partial class LoCoMoLoader
{
    private static readonly string[] DateTimeFormats = ["h:mm tt 'on' d MMMM, yyyy", "h:mm tt 'on' d MMM, yyyy"];

    /// <summary>Loads every <c>*.json</c> conversation in a folder, ordered by file name.</summary>
    /// <param name="folder">The data folder.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The conversations.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds no JSON file.</exception>
    public static async Task<IReadOnlyList<LoCoMoConversation>> LoadFolderAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The LoCoMo data folder '{folder}' does not exist.");
        }

        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"The LoCoMo data folder '{folder}' holds no .json conversation file.");
        }

        var conversations = new List<LoCoMoConversation>(files.Count);
        foreach (var file in files)
        {
            var json = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            conversations.Add(Parse(Path.GetFileNameWithoutExtension(file), json));
        }

        return conversations;
    }

    /// <summary>Parses one conversation.</summary>
    /// <param name="id">The conversation id.</param>
    /// <param name="json">The file's JSON.</param>
    /// <returns>The conversation.</returns>
    /// <exception cref="FormatException">The JSON is not LoCoMo-shaped.</exception>
    public static LoCoMoConversation Parse(string id, string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{id}: the file is not a JSON object.");
        }

        // Some releases nest the sessions under "conversation"; the split here has them at the top level.
        var holder = root.TryGetProperty("conversation", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        var sessions = new List<LoCoMoSession>();
        foreach (var property in holder.EnumerateObject())
        {
            var match = SessionKey().Match(property.Name);
            if (!match.Success || property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
            {
                continue;
            }

            var number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var dateKey = $"session_{number}_date_time";
            if (!holder.TryGetProperty(dateKey, out var date) || date.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"{id}: session {number} has no '{dateKey}'.");
            }

            var turns = new List<LoCoMoTurn>();
            foreach (var turn in property.Value.EnumerateArray())
            {
                turns.Add(new LoCoMoTurn(
                    RequiredString(turn, "dia_id", id),
                    number,
                    RequiredString(turn, "speaker", id),
                    RequiredString(turn, "text", id),
                    OptionalString(turn, "blip_caption")));
            }

            sessions.Add(new LoCoMoSession(number, ParseDateTime(date.GetString()!), turns));
        }

        sessions.Sort((a, b) => a.Number.CompareTo(b.Number));
        var known = sessions.SelectMany(s => s.Turns).Select(t => t.DiaId).ToHashSet(StringComparer.Ordinal);
        var questions = new List<LoCoMoQuestion>();
        if (root.TryGetProperty("qa", out var qa) && qa.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in qa.EnumerateArray())
            {
                var evidence = new List<string>();
                if (item.TryGetProperty("evidence", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var raw in list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String))
                    {
                        evidence.AddRange(NormalizeEvidence(raw.GetString()!).Where(known.Contains));
                    }
                }

                questions.Add(new LoCoMoQuestion(
                    RequiredString(item, "question", id),
                    OptionalScalar(item, "answer") ?? OptionalScalar(item, "adversarial_answer"),
                    evidence.Distinct(StringComparer.Ordinal).ToList(),
                    item.TryGetProperty("category", out var category) && category.TryGetInt32(out var c) ? c : 0));
            }
        }

        return new LoCoMoConversation(
            id,
            OptionalString(holder, "speaker_a") ?? string.Empty,
            OptionalString(holder, "speaker_b") ?? string.Empty,
            sessions,
            questions)
        {
            Observations = ParseObservations(root, holder, known),
        };
    }

    /// <summary>
    /// Reads <c>session_N_observation</c>: <c>{ speaker: [[text, evidence], ...] }</c>, where evidence is one turn id or a
    /// list of them. Evidence is normalized like the questions'; an observation left with no existing turn is dropped.
    /// </summary>
    private static List<LoCoMoObservation> ParseObservations(JsonElement root, JsonElement holder, HashSet<string> known)
    {
        var observations = new List<LoCoMoObservation>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in new[] { holder, root })
        {
            foreach (var property in element.EnumerateObject())
            {
                var match = ObservationKey().Match(property.Name);
                if (!match.Success || property.Value.ValueKind != JsonValueKind.Object || !seen.Add(property.Name))
                {
                    continue;
                }

                var session = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                foreach (var speaker in property.Value.EnumerateObject().Where(s => s.Value.ValueKind == JsonValueKind.Array))
                {
                    foreach (var item in speaker.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() < 2 || item[0].ValueKind != JsonValueKind.String)
                        {
                            continue;
                        }

                        var raw = item[1].ValueKind switch
                        {
                            JsonValueKind.String => [item[1].GetString()!],
                            JsonValueKind.Array => item[1].EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
                            _ => new List<string>(),
                        };
                        var evidence = raw.SelectMany(NormalizeEvidence).Where(known.Contains).Distinct(StringComparer.Ordinal).ToList();
                        if (evidence.Count > 0)
                        {
                            observations.Add(new LoCoMoObservation(session, speaker.Name, item[0].GetString()!, evidence));
                        }
                    }
                }
            }
        }

        // Both places are read when sessions are nested under "conversation" (a name seen once is read once). Keys come in file order ("session_10" may precede "session_2"); sessions in order read better.
        return [.. observations.OrderBy(o => o.Session)];
    }

    /// <summary>Parses a LoCoMo session date-time such as <c>"1:56 pm on 8 May, 2023"</c>, read as UTC.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The instant.</returns>
    /// <exception cref="FormatException">The text is not in that form.</exception>
    public static DateTimeOffset ParseDateTime(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (DateTime.TryParseExact(trimmed, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
        }

        throw new FormatException($"'{text}' is not a LoCoMo date-time like '1:56 pm on 8 May, 2023'.");
    }

    /// <summary>
    /// Splits and repairs one evidence entry: the data has a few entries like <c>"D8:6; D9:17"</c> or <c>"D:11:26"</c>.
    /// </summary>
    /// <param name="raw">The entry.</param>
    /// <returns>The turn ids it names.</returns>
    internal static IEnumerable<string> NormalizeEvidence(string raw) =>
        EvidenceId().Matches(raw).Select(m => $"D{m.Groups[1].Value}:{m.Groups[2].Value}");

    private static string RequiredString(JsonElement element, string name, string id) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{id}: an item has no string '{name}'.");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? OptionalScalar(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText()
        : null;

    [GeneratedRegex(@"^session_(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionKey();

    [GeneratedRegex(@"^session_(\d+)_observation$", RegexOptions.CultureInvariant)]
    private static partial Regex ObservationKey();

    [GeneratedRegex(@"D:?(\d+):(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex EvidenceId();
}
