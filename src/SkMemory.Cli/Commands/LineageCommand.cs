using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SkMemory.Governance;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem lineage &lt;id&gt;</c>: why the agent knows something — the memory, every write behind it, what it replaced,
/// and every read of it. <c>skmem denials</c>: the operations the access policy refused.
/// </summary>
internal static class LineageCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The memory id." };
        var command = new Command("lineage", "Show why the agent knows a memory: its writes (actor, reason, provenance), what it superseded, and every read (who, how, task, score, injected).") { id };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var memoryId = ValueParsers.Id(parseResult.GetValue(id)!);
            return async store =>
            {
                var lineage = await Governed(store).GetLineageAsync(context.Tenant, memoryId, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WritePropertyName("lineage");
                        JsonSerializer.Serialize(w, lineage, MemoryJsonContext.Default.MemoryLineage);
                    });
                    return ExitCodes.Ok;
                }

                var record = lineage.Record;
                context.Out.WriteLine($"memory {record.Id} ({record.Type}, {record.Scope}, subject {record.Subject}, {MemoryJson.EnumName(record.Status)})");
                context.Out.WriteLine($"  {HumanFormat.OneLine(record.Value.Text, 100)}");
                var evidence = record.Provenance;
                context.Out.WriteLine($"  evidence: {MemoryJson.EnumName(evidence.SourceKind)}, messages [{string.Join(", ", evidence.MessageIds)}], observed {HumanFormat.Time(evidence.ObservedAt)}");
                foreach (var older in lineage.Supersedes)
                {
                    context.Out.WriteLine($"  replaced {older.Id}: {HumanFormat.OneLine(older.Value.Text, 80)}");
                }

                context.Out.WriteLine();
                context.Out.WriteLine($"writes ({lineage.Writes.Count})");
                var writes = new TextTable(("SEQ", 20, true), ("EVENT", 15, false), ("TIME", 20, false), ("ACTOR", 32, false), ("REASON", 80, false));
                foreach (var e in lineage.Writes)
                {
                    writes.Add(e.Sequence.ToString(CultureInfo.InvariantCulture), MemoryJson.EnumName(e.EventType), HumanFormat.Time(e.OccurredAt), e.Actor.ToString(), e.Reason ?? "-");
                }

                writes.Write(context.Out);
                context.Out.WriteLine();
                context.Out.WriteLine($"reads ({lineage.Reads.Count})");
                var reads = new TextTable(("TIME", 20, false), ("READER", 32, false), ("HOW", 8, false), ("SCORE", 8, true), ("INJECTED", 8, false), ("TASK", 60, false));
                foreach (var read in lineage.Reads)
                {
                    reads.Add(HumanFormat.Time(read.ReadAt), read.Reader.ToString(), read.Operation, read.Score is { } s ? HumanFormat.Score(s) : "-", read.Injected ? "yes" : "no", read.Task ?? "-");
                }

                reads.Write(context.Out);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    public static Command CreateDenials(CommandRunner runner)
    {
        var limit = ReadLimit();
        var command = new Command("denials", "List the operations the access policy refused in the tenant, newest first: who, what, and why.") { limit };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var count = parseResult.GetValue(limit);
            return async store =>
            {
                var denials = await Governed(store).GetDenialsAsync(context.Tenant, count, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WritePropertyName("denials");
                        JsonSerializer.Serialize(w, denials, MemoryJsonContext.Default.IReadOnlyListMemoryAccessDenial);
                    });
                    return ExitCodes.Ok;
                }

                var table = new TextTable(("TIME", 20, false), ("ACTOR", 32, false), ("OPERATION", 10, false), ("REASON", 16, false), ("DETAIL", 100, false));
                foreach (var d in denials)
                {
                    table.Add(HumanFormat.Time(d.DeniedAt), d.Actor.ToString(), d.Operation, MemoryJson.EnumName(d.Reason), d.Detail);
                }

                table.Write(context.Out);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Option<int> ReadLimit() => new("--limit")
    {
        Description = "The most rows to show (newest first), 1 to 10000. Default 100.",
        DefaultValueFactory = _ => 100,
    };

    private static AccessControlledMemoryStore Governed(IMemoryStore store) =>
        store.GetService(typeof(AccessControlledMemoryStore)) as AccessControlledMemoryStore
        ?? throw new InvalidOperationException("The CLI opens every store under access control.");
}
