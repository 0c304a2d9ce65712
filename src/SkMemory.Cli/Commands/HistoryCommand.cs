using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem history &lt;id&gt;</c>: every event of one memory, oldest first.</summary>
internal static class HistoryCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The memory id." };
        var command = new Command("history", "Show a memory's events: sequence, type, time, actor, reason and chain hash.") { id };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var memoryId = ValueParsers.Id(parseResult.GetValue(id)!);
            return async store =>
            {
                var events = await store.GetHistoryAsync(context.Tenant, memoryId, context.CancellationToken).ConfigureAwait(false);
                if (events.Count == 0)
                {
                    throw new MemoryNotFoundException(context.Tenant, memoryId);
                }

                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WriteString("id", memoryId);
                        w.WritePropertyName("events");
                        JsonSerializer.Serialize(w, events, MemoryJsonContext.Default.IReadOnlyListMemoryEvent);
                    });
                    return ExitCodes.Ok;
                }

                var table = new TextTable(
                    ("SEQ", 20, true),
                    ("EVENT", 15, false),
                    ("VER", 10, true),
                    ("TIME", 20, false),
                    ("ACTOR", 32, false),
                    ("HASH", 12, false),
                    ("REASON", 80, false));
                foreach (var e in events)
                {
                    table.Add(
                        e.Sequence.ToString(CultureInfo.InvariantCulture),
                        MemoryJson.EnumName(e.EventType),
                        e.StreamVersion.ToString(CultureInfo.InvariantCulture),
                        HumanFormat.Time(e.OccurredAt),
                        $"{MemoryJson.EnumName(e.Actor.Kind)}:{e.Actor.Id}",
                        e.Hash[..Math.Min(12, e.Hash.Length)],
                        e.Reason ?? (e.Payload is null ? "(payload erased)" : "-"));
                }

                table.Write(context.Out);
                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
