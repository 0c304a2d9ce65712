using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace SkMemory.Cli.Commands;

/// <summary>
/// Reads what <c>skmem ingest</c> extracts from: a JSON document in the contract's form of
/// <see cref="MemoryExtractionRequest"/> (snake_case), or JSON Lines of messages, from a file or stdin. Every problem is a
/// usage error that names the field and the line, raised before the store is opened.
/// </summary>
/// <remarks>
/// The tenant comes from the command line: the document may leave it out (a tenant it names must be the command's). Unknown
/// properties are errors, so a misspelt <c>tool_output</c> is not silently ignored. <c>scope</c> is the contract's object
/// (<c>{"kind":"team","team":"ops"}</c>) or the shorthand the CLI's --scope takes (<c>personal</c>, <c>public</c>,
/// <c>team:&lt;name&gt;</c>).
/// </remarks>
internal static partial class IngestInput
{
    /// <summary>The largest input read, in bytes; a larger file is refused before it is read.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>The properties of the input document, for help and errors.</summary>
    public const string DocumentShape =
        "{\"subject\"?, \"scope\"?, \"instructions\"?, \"messages\": [{\"id\", \"speaker\", \"role\"?, \"text\", \"observed_at\", \"session\"?}], "
        + "\"tool_outputs\": [{\"tool_call_id\", \"tool_name\", \"text\", \"observed_at\"}], \"documents\": [{\"name\", \"text\", \"observed_at\", \"external\"?}]}";

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static readonly JsonTypeInfo<MemoryExtractionRequest> RequestInfo = (JsonTypeInfo<MemoryExtractionRequest>)Options.GetTypeInfo(typeof(MemoryExtractionRequest));

    private static readonly JsonTypeInfo<MemoryMessage> MessageInfo = (JsonTypeInfo<MemoryMessage>)Options.GetTypeInfo(typeof(MemoryMessage));

    private static readonly JsonDocumentOptions SniffOptions = new() { MaxDepth = 64 };

    /// <summary>Reads the input.</summary>
    /// <param name="path">The file, or <c>-</c> for stdin.</param>
    /// <param name="tenant">The command's tenant.</param>
    /// <returns>The request, in the command's tenant, with every list present (empty when the input has none).</returns>
    /// <exception cref="CliException">The input cannot be read or is not valid (exit code 2); the message names the field and line.</exception>
    public static MemoryExtractionRequest Read(string path, string tenant)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tenant);
        var name = path == "-" ? "stdin" : path;
        var bytes = ReadAll(path);
        var span = bytes.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble))
        {
            span = span[Encoding.UTF8.Preamble.Length..];
        }

        if (IsBlank(span))
        {
            throw CliException.Invalid("file", $"{name} is empty", $"give a JSON document {DocumentShape}, or JSON Lines of messages (see docs/capture.md)");
        }

        var request = IsJsonLines(path, span) ? ReadLines(span, name, tenant) : ReadDocument(span, name);
        if (request.Tenant is { } named && !string.Equals(named, tenant, StringComparison.Ordinal))
        {
            throw CliException.Invalid(
                "tenant",
                $"{name} names tenant '{named}', but the command runs in tenant '{tenant}'",
                $"remove \"tenant\" from the input (the tenant comes from --tenant or ${GlobalOptions.TenantVariable}), or pass --tenant {named}");
        }

        // Lists the input leaves out are empty, not null, and the scope is personal by default: the source-generated
        // deserializer leaves init-only properties it does not see at their type's default.
        return request with
        {
            Tenant = tenant,
            Scope = request.Scope ?? MemoryScope.Personal,
            Messages = request.Messages ?? [],
            ToolOutputs = request.ToolOutputs ?? [],
            Documents = request.Documents ?? [],
        };
    }

    private static byte[] ReadAll(string path)
    {
        try
        {
            if (path == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                var chunk = new byte[1 << 16];
                int read;
                while ((read = stdin.Read(chunk)) > 0)
                {
                    if (buffer.Length + read > MaxBytes)
                    {
                        throw TooLarge("stdin");
                    }

                    buffer.Write(chunk, 0, read);
                }

                return buffer.ToArray();
            }

            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxBytes)
            {
                throw TooLarge(path);
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Invalid("file", $"cannot read {(path == "-" ? "stdin" : Path.GetFullPath(path))}: {ex.Message}", "pass the path of a JSON or JSON Lines file, or - to read stdin");
        }
    }

    private static CliException TooLarge(string name) =>
        CliException.Invalid(
            "file",
            string.Create(CultureInfo.InvariantCulture, $"{name} is larger than {MaxBytes / (1024 * 1024)} MB"),
            "split the conversation into several files and ingest each (items already ingested are skipped, so they may overlap)");

    /// <summary>
    /// JSON Lines when the file says so (<c>.jsonl</c>, <c>.ndjson</c>), or when its first line is a whole JSON object that
    /// looks like a message (it has <c>speaker</c> or <c>text</c>, which the document has not).
    /// </summary>
    private static bool IsJsonLines(string path, ReadOnlySpan<byte> content)
    {
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var first = FirstLine(content);
        if (first.IsEmpty || first[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            using var line = JsonDocument.Parse(first.ToArray(), SniffOptions);
            return line.RootElement.ValueKind == JsonValueKind.Object
                && (line.RootElement.TryGetProperty("speaker", out _) || line.RootElement.TryGetProperty("text", out _));
        }
        catch (JsonException)
        {
            // A document spread over several lines: its first line is not a whole object.
            return false;
        }
    }

    private static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> content)
    {
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = (end < 0 ? content : content[..end]).Trim(" \t\r"u8);
            if (!line.IsEmpty)
            {
                return line;
            }

            content = end < 0 ? [] : content[(end + 1)..];
        }

        return [];
    }

    private static MemoryExtractionRequest ReadDocument(ReadOnlySpan<byte> content, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(content, RequestInfo)
                ?? throw CliException.Invalid("file", $"{name} holds null, not a JSON object", $"give a JSON document {DocumentShape}");
        }
        catch (JsonException ex)
        {
            throw Describe(ex, name, prefix: null, lineOffset: 0);
        }
    }

    private static MemoryExtractionRequest ReadLines(ReadOnlySpan<byte> content, string name, string tenant)
    {
        var messages = new List<MemoryMessage>();
        var lineNumber = 0;
        while (!content.IsEmpty)
        {
            lineNumber++;
            var end = content.IndexOf((byte)'\n');
            var line = (end < 0 ? content : content[..end]).Trim(" \t\r"u8);
            content = end < 0 ? [] : content[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            try
            {
                messages.Add(JsonSerializer.Deserialize(line, MessageInfo)
                    ?? throw CliException.Invalid($"messages[{messages.Count}]", $"line {lineNumber} of {name} is null, not a message object", "write one message object per line: {\"id\", \"speaker\", \"text\", \"observed_at\", ...}"));
            }
            catch (JsonException ex)
            {
                throw Describe(ex, name, $"messages[{messages.Count}]", lineNumber - 1);
            }
        }

        return new MemoryExtractionRequest { Tenant = tenant, Messages = messages };
    }

    /// <summary>Turns the serializer's error into one that names the field, the problem and where it is.</summary>
    private static CliException Describe(JsonException ex, string name, string? prefix, long lineOffset)
    {
        var path = Field(ex.Path, prefix);
        var where = ex.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $"{name} line {line + 1 + lineOffset}, column {(ex.BytePositionInLine ?? 0) + 1}")
            : name;
        var detail = StripPosition(ex.Message);

        if (MissingRequired().Match(ex.Message) is { Success: true } missing)
        {
            var names = missing.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim('\'')).ToList();
            var field = Join(path, names[0]);
            return CliException.Invalid(
                field,
                $"is required{(names.Count > 1 ? $" (so are {string.Join(", ", names.Skip(1).Select(n => Join(path, n)))})" : string.Empty)}; the object ends at {where}",
                $"add {string.Join(", ", names.Select(n => $"\"{n}\""))} to it (the input is {DocumentShape})");
        }

        if (Unmapped().Match(ex.Message) is { Success: true } unmapped)
        {
            var property = unmapped.Groups["name"].Value;
            var known = Known(unmapped.Groups["type"].Value);
            var field = path.EndsWith(property, StringComparison.Ordinal) ? path : Join(path, property);
            return CliException.Invalid(
                field,
                $"is not a known property ({where})",
                known is null ? $"remove it; the input is {DocumentShape}" : $"remove it, or use one of {known}");
        }

        if (IsSyntaxError(ex))
        {
            return CliException.Invalid("file", $"{name} is not valid JSON at line {Line(ex, lineOffset)}, column {(ex.BytePositionInLine ?? 0) + 1}: {detail}", "fix the JSON there (a missing comma or quote, a trailing comma), then run the command again");
        }

        var last = path.Split('.')[^1];
        var (problem, hint) = last switch
        {
            "observed_at" => ("is not an ISO 8601 time", "write it like 2025-03-01T14:05:00Z (or with an offset, 2025-03-01T14:05:00+01:00)"),
            "role" => ("is not a role", "use user, assistant, system or tool"),
            "scope" => ("is not a scope", "use \"personal\", \"public\", \"team:<name>\" or an object {\"kind\": \"team\", \"team\": \"<name>\", \"agent\"?, \"session\"?}"),
            "external" => ("is not true or false", "write true for content from outside the subject (a web page), else false or leave it out"),
            "messages" or "tool_outputs" or "documents" => ("is not a list", $"make it a JSON array of objects (the input is {DocumentShape})"),
            _ when path == "input" => ("is not a JSON object", $"give a JSON document {DocumentShape}, or JSON Lines of messages"),
            _ when last.EndsWith(']') => ("is not a JSON object", $"the input is {DocumentShape}"),
            _ => ("has the wrong JSON type", $"the input is {DocumentShape}; text values are strings"),
        };
        return CliException.Invalid(path, $"{problem} ({where})", hint);
    }

    private static string Line(JsonException ex, long lineOffset) =>
        ((ex.LineNumber ?? 0) + 1 + lineOffset).ToString(CultureInfo.InvariantCulture);

    private static bool IsSyntaxError(JsonException ex) =>
        ex.InnerException?.GetType().Name == "JsonReaderException" || ex.GetType().Name == "JsonReaderException";

    /// <summary>The serializer's path (<c>$.messages[0].role</c>) as a contract field (<c>messages[0].role</c>).</summary>
    private static string Field(string? path, string? prefix)
    {
        var field = path is null or "$" ? string.Empty : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        if (prefix is not null)
        {
            return field.Length == 0 ? prefix : $"{prefix}.{field}";
        }

        return field.Length == 0 ? "input" : field;
    }

    private static string Join(string path, string name) => path == "input" ? name : $"{path}.{name}";

    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        // The reader's advice ("Change the reader options.") is for programmers, not for whoever wrote the file.
        return (cut < 0 ? message : message[..cut]).Replace(" Change the reader options.", string.Empty, StringComparison.Ordinal).TrimEnd().TrimEnd('.', '|').TrimEnd();
    }

    private static string? Known(string typeName)
    {
        var type = typeName switch
        {
            "SkMemory.MemoryExtractionRequest" => typeof(MemoryExtractionRequest),
            "SkMemory.MemoryMessage" => typeof(MemoryMessage),
            "SkMemory.MemoryToolOutput" => typeof(MemoryToolOutput),
            "SkMemory.MemoryDocument" => typeof(MemoryDocument),
            "SkMemory.MemoryScope" => typeof(MemoryScope),
            _ => null,
        };
        return type is null
            ? null
            : string.Join(", ", Options.GetTypeInfo(type).Properties.Where(p => p.Set is not null).Select(p => p.Name));
    }

    private static bool IsBlank(ReadOnlySpan<byte> content) => content.Trim(" \t\r\n"u8).IsEmpty;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(MemoryJson.Options)
        {
            TypeInfoResolver = MemoryJsonContext.Default.WithAddedModifier(info =>
            {
                if (info.Type == typeof(MemoryExtractionRequest) || info.Type == typeof(MemoryMessage) || info.Type == typeof(MemoryToolOutput)
                    || info.Type == typeof(MemoryDocument) || info.Type == typeof(MemoryScope))
                {
                    info.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
                }

                if (info.Type == typeof(MemoryExtractionRequest))
                {
                    foreach (var property in info.Properties)
                    {
                        if (property.Name == "tenant")
                        {
                            // The tenant comes from --tenant; Read checks one the input names.
                            property.IsRequired = false;
                        }
                        else if (property.Name == "scope")
                        {
                            property.CustomConverter = new ScopeConverter();
                        }
                    }
                }
            }),
        };
        options.MakeReadOnly();
        return options;
    }

    [GeneratedRegex(@"missing required properties including: (?<names>'[^']+'(\s*,\s*'[^']+')*)", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"The JSON property '(?<name>[^']+)' could not be mapped to any \.NET member contained in type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex Unmapped();

    /// <summary>Reads a scope as the contract's object or as the CLI's shorthand (<c>personal</c>, <c>public</c>, <c>team:&lt;name&gt;</c>).</summary>
    private sealed class ScopeConverter : JsonConverter<MemoryScope>
    {
        public override MemoryScope? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                var text = reader.GetString()!;
                try
                {
                    return ValueParsers.Scope(text, null, null);
                }
                catch (CliException)
                {
                    throw new JsonException($"'{text}' is not a scope.");
                }
            }

            return JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<MemoryScope>)options.GetTypeInfo(typeof(MemoryScope)));
        }

        public override void Write(Utf8JsonWriter writer, MemoryScope value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, (JsonTypeInfo<MemoryScope>)options.GetTypeInfo(typeof(MemoryScope)));
    }
}
