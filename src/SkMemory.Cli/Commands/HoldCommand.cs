using System.CommandLine;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem hold place|release|list</c>: legal holds. While a hold is active, the memories it covers (one memory, or all of
/// one subject's) are never expired or purged; <c>skmem sweep</c> skips and counts them.
/// </summary>
internal static class HoldCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command(
            "hold",
            "Place, release and list legal holds. A held memory (or every memory of a held subject) is never expired or purged; "
            + "'skmem sweep' skips and counts it until the hold is released. Needs the " + MemoryRoles.Admin + " or " + MemoryRoles.Operator + " role.");
        command.Subcommands.Add(CreatePlace(runner));
        command.Subcommands.Add(CreateRelease(runner));
        command.Subcommands.Add(CreateList(runner));
        return command;
    }

    private static Command CreatePlace(CommandRunner runner)
    {
        var id = new Option<string?>("--id") { Description = "The hold's id, such as a matter number (default: hold- and a new unique suffix). Ids are never reused.", HelpName = "id" };
        var subject = new Option<string?>("--subject", "-s") { Description = "Hold every memory of this subject.", HelpName = "subject" };
        var memory = new Option<string?>("--memory") { Description = "Hold this one memory.", HelpName = "memory-id" };
        var reason = new Option<string>("--reason", "-r") { Description = "Why (a matter number, a regulator's request); required.", Required = true, HelpName = "text" };
        var command = new Command("place", "Place a legal hold on a subject (--subject) or one memory (--memory).") { id, subject, memory, reason };
        runner.SetStoreAction(command, StoreAccess.Write, (context, parseResult) =>
        {
            var caller = Authorized(context, "place");
            var who = parseResult.GetValue(subject);
            var memoryText = parseResult.GetValue(memory);
            if ((who is null) == (memoryText is null))
            {
                throw CliException.Invalid("subject", "name exactly one of --subject (hold all of a subject's memories) or --memory (hold one memory)", "add --subject <subject> or --memory <memory-id>");
            }

            var hold = new MemoryLegalHold
            {
                Tenant = context.Tenant,
                Id = parseResult.GetValue(id) ?? "hold-" + Guid.CreateVersion7().ToString("N")[..16],
                Subject = who,
                MemoryId = memoryText is null ? null : ValueParsers.Id(memoryText),
                Reason = parseResult.GetValue(reason)!,
                PlacedBy = caller.Actor,
                PlacedAt = DateTimeOffset.UtcNow,
            };
            return async store =>
            {
                await Holds(store).PlaceAsync(hold, context.CancellationToken).ConfigureAwait(false);
                Write(context, [hold], $"placed hold {hold.Id} on {(hold.Subject is { } s ? $"subject '{s}'" : $"memory {hold.MemoryId}")}: nothing it covers is expired or purged until 'skmem hold release {hold.Id}'");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command CreateRelease(CommandRunner runner)
    {
        var id = new Argument<string>("hold-id") { Description = "The hold's id, as 'skmem hold list' shows it." };
        var command = new Command("release", "Release an active legal hold; the next 'skmem sweep' applies the retention policy to what it covered.") { id };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var caller = Authorized(context, "release");
            var holdId = parseResult.GetValue(id)!;
            return async store =>
            {
                var released = await Holds(store).ReleaseAsync(context.Tenant, holdId, caller.Actor, context.CancellationToken).ConfigureAwait(false);
                Write(context, [released], $"released hold {released.Id}");
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command CreateList(CommandRunner runner)
    {
        var all = new Option<bool>("--all") { Description = "Include released holds." };
        var command = new Command("list", "List the tenant's active legal holds (--all: released ones too).") { all };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var includeReleased = parseResult.GetValue(all);
            return async store =>
            {
                var holds = await Holds(store).ListAsync(context.Tenant, includeReleased, context.CancellationToken).ConfigureAwait(false);
                Write(context, holds, holds.Count == 0 ? $"no {(includeReleased ? string.Empty : "active ")}legal holds in tenant '{context.Tenant}'" : null);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static MemoryCaller Authorized(CliContext context, string operation)
    {
        var caller = context.Caller;
        return caller.HasRole(MemoryRoles.Admin) || caller.HasRole(MemoryRoles.Operator)
            ? caller
            : throw new CliException(ExitCodes.Denied, $"{caller.Actor} cannot {operation} legal holds", $"run with the {MemoryRoles.Admin} or {MemoryRoles.Operator} role");
    }

    private static IMemoryLegalHoldStore Holds(IMemoryStore store) =>
        store.GetService(typeof(IMemoryLegalHoldStore)) as IMemoryLegalHoldStore
            ?? throw new CliException(ExitCodes.Usage, "this store keeps no legal holds", "use an embedded (SQLite) or PostgreSQL store");

    private static void Write(CliContext context, IReadOnlyList<MemoryLegalHold> holds, string? summary)
    {
        if (context.Json)
        {
            context.Out.WriteLine(JsonOutput.Render(w =>
            {
                w.WriteStartArray();
                foreach (var h in holds)
                {
                    w.WriteStartObject();
                    w.WriteString("tenant", h.Tenant);
                    w.WriteString("id", h.Id);
                    w.WriteString("subject", h.Subject);
                    if (h.MemoryId is { } memoryId)
                    {
                        w.WriteString("memory_id", memoryId);
                    }
                    else
                    {
                        w.WriteNull("memory_id");
                    }

                    w.WriteString("reason", h.Reason);
                    w.WriteString("placed_by", h.PlacedBy.ToString());
                    w.WriteString("placed_at", MemoryEventChain.FormatTimestamp(h.PlacedAt));
                    if (h.ReleasedAt is { } releasedAt)
                    {
                        w.WriteString("released_at", MemoryEventChain.FormatTimestamp(releasedAt));
                    }
                    else
                    {
                        w.WriteNull("released_at");
                    }

                    w.WriteString("released_by", h.ReleasedBy?.ToString());
                    w.WriteBoolean("active", h.ReleasedAt is null);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
            return;
        }

        if (summary is not null)
        {
            context.Out.WriteLine(summary);
        }

        if (holds.Count == 0)
        {
            return;
        }

        var table = new TextTable(("HOLD", 40, false), ("COVERS", 48, false), ("PLACED", 20, false), ("BY", 24, false), ("RELEASED", 20, false), ("REASON", 40, false));
        foreach (var h in holds)
        {
            table.Add(h.Id, h.Subject is { } s ? "subject " + s : "memory " + h.MemoryId, HumanFormat.Time(h.PlacedAt), h.PlacedBy.ToString(), HumanFormat.Time(h.ReleasedAt, "active"), h.Reason);
        }

        table.Write(context.Out);
    }
}
