using System.CommandLine;
using System.Globalization;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem forget &lt;id&gt; --reason "..."</c>: deletes a memory; the reason is kept in the record and the log.</summary>
internal static class ForgetCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The memory id." };
        var reason = new Option<string>("--reason", "-r") { Description = "Why it is forgotten (required; kept in the audit log).", Required = true, HelpName = "text" };
        var expectedVersion = new Option<long?>("--expected-version") { Description = "Only delete if the memory is still at this version.", HelpName = "version" };
        var actor = new Option<string?>("--actor") { Description = "Who is deleting, kind:id (default: user:$USER).", HelpName = "kind:id" };
        var command = new Command("forget", "Delete a memory, with a reason. It stays in history and in exports.") { id, reason, expectedVersion, actor };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var request = new MemoryDeleteRequest
            {
                Tenant = context.Tenant,
                Id = ValueParsers.Id(parseResult.GetValue(id)!),
                Reason = parseResult.GetValue(reason)!,
                ExpectedVersion = parseResult.GetValue(expectedVersion),
                Actor = parseResult.GetValue(actor) is { } actorText ? ValueParsers.Actor(actorText) : ValueParsers.DefaultActor(),
            };
            return async store =>
            {
                var record = await store.DeleteAsync(request, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WriteString("id", record.Id);
                        w.WriteString("status", MemoryJson.EnumName(record.Status));
                        w.WriteNumber("version", record.Version);
                        JsonOutput.WriteRecord(w, "record", record);
                    });
                }
                else
                {
                    context.Out.WriteLine($"forgot {record.Id} (now {MemoryJson.EnumName(record.Status)}, version {record.Version.ToString(CultureInfo.InvariantCulture)}): {record.DeletionReason}");
                }

                return ExitCodes.Ok;
            };
        });
        return command;
    }
}
