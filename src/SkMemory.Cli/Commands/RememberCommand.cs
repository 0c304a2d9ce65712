using System.CommandLine;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem remember &lt;text&gt; --subject S</c>: writes a memory.</summary>
internal static class RememberCommand
{
    // The request's own defaults, named in the help; the options override them only when given.
    private static readonly MemoryWriteRequest Defaults = new()
    {
        Tenant = GlobalOptions.DefaultTenant,
        Type = MemoryTypes.Fact,
        Subject = string.Empty,
        Actor = MemoryActor.User(string.Empty),
        Value = string.Empty,
    };

    public static Command Create(CommandRunner runner)
    {
        var text = new Argument<string>("text") { Description = "What to remember, as text." };
        var subject = new Option<string>("--subject", "-s") { Description = "Who or what the memory is about.", Required = true, HelpName = "subject" };
        var type = new Option<string>("--type", "-t")
        {
            Description = $"The memory type: {string.Join(", ", MemoryTypes.BuiltIn)}.",
            DefaultValueFactory = _ => MemoryTypes.Fact,
            HelpName = "type",
        };
        var scope = new Option<string?>("--scope") { Description = "Who shares it: personal (default), public or team:<name>.", HelpName = "personal|public|team:<name>" };
        var agent = new Option<string?>("--agent") { Description = "Narrow the memory to one agent.", HelpName = "agent" };
        var session = new Option<string?>("--session") { Description = "Narrow the memory to one session.", HelpName = "session" };
        var confidence = new Option<double?>("--confidence") { Description = $"How sure the writer is, 0..1 (default {HumanFormat.Number(Defaults.Confidence)}).", HelpName = "0..1" };
        var salience = new Option<double?>("--salience") { Description = $"How important it is to recall, 0..1 (default {HumanFormat.Number(Defaults.Salience)}).", HelpName = "0..1" };
        var meta = new Option<string[]>("--meta", "-m") { Description = "Metadata entry; repeat for more.", HelpName = "key=value" };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "Writing the same key again returns the first memory instead of writing a second.", HelpName = "key" };
        var validFrom = new Option<string?>("--valid-from") { Description = "When the fact became true, ISO 8601 (default: now).", HelpName = "time" };
        var ttl = new Option<string?>("--ttl") { Description = "Time to live from --valid-from: 30d, 12h, 90m, 45s, 2w or combined (1d12h).", HelpName = "duration" };
        var actor = new Option<string?>("--actor") { Description = "Who is writing, kind:id (default: user:$USER).", HelpName = "kind:id" };
        var reason = new Option<string?>("--reason") { Description = "Why the memory is written; kept in the audit log.", HelpName = "text" };

        var command = new Command("remember", "Write a memory. Prints its id and whether it was created, an idempotent replay, or a duplicate of an existing memory.")
        {
            text, subject, type, scope, agent, session, confidence, salience, meta, idempotencyKey, validFrom, ttl, actor, reason,
        };

        runner.SetStoreAction(command, StoreAccess.Write, (context, parseResult) =>
        {
            var request = new MemoryWriteRequest
            {
                Tenant = context.Tenant,
                Type = parseResult.GetValue(type)!,
                Scope = ValueParsers.Scope(parseResult.GetValue(scope), parseResult.GetValue(agent), parseResult.GetValue(session)),
                Subject = parseResult.GetValue(subject)!,
                Actor = parseResult.GetValue(actor) is { } actorText ? ValueParsers.Actor(actorText) : context.Caller.Actor,
                Value = new MemoryValue(parseResult.GetValue(text)!),
                ValidFrom = parseResult.GetValue(validFrom) is { } from ? ValueParsers.Time(from, "valid_from") : null,
                Ttl = parseResult.GetValue(ttl) is { } ttlText ? ValueParsers.Ttl(ttlText) : null,
                Metadata = ValueParsers.Metadata(parseResult.GetValue(meta)),
                IdempotencyKey = parseResult.GetValue(idempotencyKey),
                Reason = parseResult.GetValue(reason),
            };
            if (parseResult.GetValue(confidence) is { } confidenceValue)
            {
                request = request with { Confidence = confidenceValue };
            }

            if (parseResult.GetValue(salience) is { } salienceValue)
            {
                request = request with { Salience = salienceValue };
            }

            return async store =>
            {
                var result = await store.WriteAsync(request, context.CancellationToken).ConfigureAwait(false);
                var record = result.Record;
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WriteString("id", record.Id);
                        w.WriteString("outcome", MemoryJson.EnumName(result.Outcome));
                        w.WriteNumber("version", record.Version);
                        JsonOutput.WriteRecord(w, "record", record);
                    });
                    return ExitCodes.Ok;
                }

                var what = $"{record.Type} about {record.Subject}, {record.Scope}";
                context.Out.WriteLine(result.Outcome switch
                {
                    MemoryWriteOutcome.IdempotentReplay =>
                        $"idempotent replay: {record.Id} ({what}) was already written with idempotency key '{record.IdempotencyKey}'; nothing was written",
                    MemoryWriteOutcome.DuplicateContent =>
                        $"duplicate: {record.Id} ({what}) already holds this content; nothing was written",
                    _ => $"created {record.Id} ({what})",
                });
                return ExitCodes.Ok;
            };
        }, embeds: true);
        return command;
    }
}
