using System.CommandLine;
using System.Text.Json;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem list</c>: memories by filter, one line each, a page at a time (or every page with --all).</summary>
internal static class ListCommand
{
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
        var all = new Option<bool>("--all", "-a")
        {
            Description = "Follow the cursors to the last page. Pages are printed as they are read; with --json, an error after "
                + "the first page leaves the document unterminated and prints the error object on the next line.",
        };

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
        var json = new JsonPages(context);
        await using var jsonScope = json.ConfigureAwait(false);

        // Fixed widths, so the lines of every page line up while --all streams them.
        var table = new TextTable(("ID", 36, false), ("STATUS", 10, false), ("TYPE", 12, false), ("SUBJECT", 16, false), ("SCOPE", 16, false), ("TEXT", 72, false));
        long count = 0;
        var pages = 0;
        string? next;
        do
        {
            var page = await store.ReadAsync(query, context.CancellationToken).ConfigureAwait(false);
            pages++;
            if (context.Json)
            {
                await json.WritePageAsync(page.Items, context.CancellationToken).ConfigureAwait(false);
                count += page.Items.Count;
            }
            else
            {
                foreach (var record in page.Items)
                {
                    if (count == 0)
                    {
                        table.WriteFixedHeader(context.Out);
                    }

                    table.WriteFixed(context.Out, record.Id.ToString(), MemoryJson.EnumName(record.Status), record.Type, record.Subject, record.Scope.ToString(), record.Value.Text);
                    count++;
                }
            }

            next = page.NextCursor;
            query = query with { Cursor = next };
            progress?.Update(count, HumanFormat.Count(count, "memory", "memories"));
        }
        while (followAll && next is not null);

        if (context.Json)
        {
            await json.CompleteAsync(next, count, context.CancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// The --json document, <c>{"items":[...],"next_cursor":...,"count":n}</c> on one line, written to stdout a page at a
    /// time (stdout is opened with the first page: unused, it writes nothing). Nothing is written before the first page is read, so an error there leaves stdout to the error object. An
    /// error on a later page (--all) leaves the document unterminated, so it does not parse as JSON, and ends its line:
    /// the error object follows on a line of its own, and the exit code is not 0.
    /// </summary>
    private sealed class JsonPages(CliContext context) : IAsyncDisposable
    {
        private Stream? _stream;
        private Utf8JsonWriter? _writer;

        public async Task WritePageAsync(IReadOnlyList<MemoryRecord> items, CancellationToken cancellationToken)
        {
            var writer = Start();
            foreach (var record in items)
            {
                JsonSerializer.Serialize(writer, record, MemoryJsonContext.Default.MemoryRecord);
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task CompleteAsync(string? nextCursor, long count, CancellationToken cancellationToken)
        {
            var writer = Start();
            writer.WriteEndArray();
            writer.WriteString("next_cursor", nextCursor);
            writer.WriteNumber("count", count);
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            if (_writer is null || _stream is null)
            {
                return;
            }

            // Commits what is left, then ends the line: after the document, or after the unterminated part of it.
            await _writer.DisposeAsync().ConfigureAwait(false);
            await _stream.WriteAsync("\n"u8.ToArray()).ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        private Utf8JsonWriter Start()
        {
            if (_writer is null)
            {
                _stream = context.OpenOutputStream();
                _writer = JsonOutput.CreateWriter(_stream);
                _writer.WriteStartObject();
                _writer.WriteStartArray("items");
            }

            return _writer;
        }
    }
}
