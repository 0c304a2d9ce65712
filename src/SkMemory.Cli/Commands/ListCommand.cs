using System.CommandLine;
using System.Text;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem list</c>: memories by filter, one line each, a page at a time (or every page with --all).</summary>
internal static class ListCommand
{
    // Fixed widths, so the lines of every page line up while --all streams them.
    private const int StatusWidth = 10;
    private const int TypeWidth = 12;
    private const int SubjectWidth = 16;
    private const int ScopeWidth = 16;
    private const int TextWidth = 72;

    public static Command Create(CommandRunner runner)
    {
        var subject = new Option<string?>("--subject", "-s") { Description = "Only memories about this subject.", HelpName = "subject" };
        var type = new Option<string[]>("--type", "-t") { Description = "Only these memory types; repeat or separate with commas.", HelpName = "type" };
        var status = new Option<string[]>("--status")
        {
            Description = $"Only these statuses ({string.Join(", ", MemoryJson.EnumNamesOf<MemoryStatus>())}, or all); default active.",
            HelpName = "status",
        };
        var scope = new Option<string?>("--scope") { Description = "Only this scope: personal, public or team:<name>.", HelpName = "scope" };
        var pageSize = new Option<int>("--page-size") { Description = $"Memories per page, 1..{MemoryQuery.MaxPageSize}.", DefaultValueFactory = _ => 50, HelpName = "n" };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a previous page (printed at its end).", HelpName = "cursor" };
        var all = new Option<bool>("--all", "-a") { Description = "Follow the cursors to the last page." };

        var command = new Command("list", "List memories, one per line, in id order (ids are time-ordered UUIDs, so roughly creation order).")
        {
            subject, type, status, scope, pageSize, cursor, all,
        };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var (kinds, team) = ValueParsers.ScopeFilter(parseResult.GetValue(scope));
            var query = new MemoryQuery
            {
                Tenant = context.Tenant,
                Subject = parseResult.GetValue(subject),
                Types = ValueParsers.Types(parseResult.GetValue(type)),
                Statuses = ValueParsers.Statuses(parseResult.GetValue(status)),
                ScopeKinds = kinds,
                Team = team,
                PageSize = parseResult.GetValue(pageSize),
                Cursor = parseResult.GetValue(cursor),
            };
            var followAll = parseResult.GetValue(all);
            return store => RunAsync(context, store, query, followAll);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, IMemoryStore store, MemoryQuery query, bool followAll)
    {
        using var progress = followAll ? new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: true), "listing") : null;
        long count = 0;
        var pages = 0;
        string? next;
        if (context.Json)
        {
            context.Out.Write("{\"items\":[");
        }

        do
        {
            var page = await store.ReadAsync(query, context.CancellationToken).ConfigureAwait(false);
            pages++;
            foreach (var record in page.Items)
            {
                if (context.Json)
                {
                    context.Out.Write(count == 0 ? string.Empty : ",");
                    context.Out.Write(JsonOutput.RenderRecord(record));
                }
                else
                {
                    if (count == 0)
                    {
                        context.Out.WriteLine(Line("ID", "STATUS", "TYPE", "SUBJECT", "SCOPE", "TEXT"));
                    }

                    context.Out.WriteLine(Line(record.Id.ToString(), MemoryJson.EnumName(record.Status), record.Type, record.Subject, record.Scope.ToString(), record.Value.Text));
                }

                count++;
            }

            next = page.NextCursor;
            query = query with { Cursor = next };
            progress?.Update(count, HumanFormat.Count(count, "memory", "memories"));
        }
        while (followAll && next is not null);

        if (context.Json)
        {
            context.Out.Write("],\"next_cursor\":");
            context.Out.Write(next is null ? "null" : JsonOutput.Render(w => w.WriteStringValue(next)));
            context.Out.WriteLine($",\"count\":{count}}}");
        }
        else if (count == 0)
        {
            context.Out.WriteLine("no memories match");
        }

        progress?.Complete($"listed {HumanFormat.Count(count, "memory", "memories")} from {HumanFormat.Count(pages, "page")}");
        if (!followAll && next is not null && !context.Json)
        {
            context.Error.WriteLine($"more: run again with --cursor {next} (or use --all)");
        }

        return ExitCodes.Ok;
    }

    private static string Line(string id, string status, string type, string subject, string scope, string text) =>
        new StringBuilder()
            .Append(id.PadRight(36)).Append("  ")
            .Append(HumanFormat.OneLine(status, StatusWidth).PadRight(StatusWidth)).Append("  ")
            .Append(HumanFormat.OneLine(type, TypeWidth).PadRight(TypeWidth)).Append("  ")
            .Append(HumanFormat.OneLine(subject, SubjectWidth).PadRight(SubjectWidth)).Append("  ")
            .Append(HumanFormat.OneLine(scope, ScopeWidth).PadRight(ScopeWidth)).Append("  ")
            .Append(HumanFormat.OneLine(text, TextWidth))
            .ToString();
}
