using System.CommandLine;
using System.Globalization;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem show &lt;id&gt;</c>: the whole record, its status, validity and provenance.</summary>
internal static class ShowCommand
{
    private const int KeyWidth = 16;

    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The memory id." };
        var command = new Command("show", "Show one memory in full, in any status.") { id };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var memoryId = ValueParsers.Id(parseResult.GetValue(id)!);
            return async store =>
            {
                var record = await store.GetAsync(context.Tenant, memoryId, context.CancellationToken).ConfigureAwait(false)
                    ?? throw new MemoryNotFoundException(context.Tenant, memoryId);
                if (context.Json)
                {
                    context.Out.WriteLine(JsonOutput.RenderRecord(record));
                }
                else
                {
                    Write(context.Out, record);
                }

                return ExitCodes.Ok;
            };
        });
        return command;
    }

    /// <summary>Writes a record as aligned "key  value" lines.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="record">The record.</param>
    public static void Write(TextWriter output, MemoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(record);
        var now = DateTimeOffset.UtcNow;
        Line("id", record.Id.ToString());
        var status = MemoryJson.EnumName(record.Status);
        if (record.Status == MemoryStatus.Active && record.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            status += " (past its time to live)";
        }

        Line("status", status);
        Line("version", record.Version.ToString(CultureInfo.InvariantCulture));
        Line("tenant", record.Tenant);
        Line("type", record.Type);
        Line("subject", record.Subject);
        Line("scope", record.Scope.ToString());
        Line("text", record.Value.Text);
        if (record.Value.Structured is { } structured)
        {
            Line("structured", structured.GetRawText());
            Line("value schema", $"v{record.ValueSchemaVersion.ToString(CultureInfo.InvariantCulture)}");
        }

        Line("confidence", HumanFormat.Number(record.Confidence));
        Line("salience", HumanFormat.Number(record.Salience));
        Line("decay", record.DecayPolicy.Kind == MemoryDecayKind.Exponential && record.DecayPolicy.HalfLife is { } halfLife
            ? $"exponential, half-life {HumanFormat.Duration(halfLife)}"
            : MemoryJson.EnumName(record.DecayPolicy.Kind));
        Line("valid", $"from {HumanFormat.Time(record.ValidFrom)} to {HumanFormat.Time(record.ValidTo, "(still valid)")}");
        if (record.Ttl is { } ttl)
        {
            Line("ttl", $"{HumanFormat.Duration(ttl)} (expires {HumanFormat.Time(record.ExpiresAt)})");
        }

        Line("created", HumanFormat.Time(record.CreatedAt));
        Line("updated", $"{HumanFormat.Time(record.UpdatedAt)} by {MemoryJson.EnumName(record.Actor.Kind)}:{record.Actor.Id}");
        if (record.Supersedes is { } supersedes)
        {
            Line("supersedes", supersedes.ToString());
        }

        if (record.SupersededBy is { } supersededBy)
        {
            Line("superseded by", supersededBy.ToString());
        }

        if (record.DeletionReason is { } deletionReason)
        {
            Line("deletion reason", deletionReason);
        }

        if (record.IdempotencyKey is { } key)
        {
            Line("idempotency key", key);
        }

        var provenance = record.Provenance;
        Line("source", MemoryJson.EnumName(provenance.SourceKind) + (provenance.ObservedAt is { } observed ? $", observed {HumanFormat.Time(observed)}" : string.Empty));
        List("messages", provenance.MessageIds);
        List("tool calls", provenance.ToolCallIds);
        List("files", provenance.FileHashes);
        List("quotes", provenance.QuotedSpans.Select(q => $"\"{q}\"").ToList());
        foreach (var (name, value) in record.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Line("meta", $"{name}={value}");
        }

        Line("content hash", record.ContentHash);

        void Line(string name, string value) => output.WriteLine($"{name.PadRight(KeyWidth)}{value}");

        void List(string name, IReadOnlyList<string> values)
        {
            foreach (var value in values)
            {
                Line(name, value);
            }
        }
    }
}
