using System.CommandLine;
using System.Text.Json;

namespace SkMemory.Cli.Commands;

/// <summary><c>skmem recall &lt;query&gt; --subject S</c>: searches memories, best first, with each score's breakdown.</summary>
internal static class RecallCommand
{
    public static Command Create(CommandRunner runner)
    {
        var query = new Argument<string>("query") { Description = "What to look for, in words." };
        var subject = new Option<string>("--subject", "-s") { Description = "Whose memories to search.", Required = true, HelpName = "subject" };
        var top = new Option<int>("--top", "-k") { Description = "How many results, 1..100.", DefaultValueFactory = _ => 5, HelpName = "n" };
        var type = new Option<string[]>("--type", "-t") { Description = "Only these memory types; repeat or separate with commas.", HelpName = "type" };
        var mode = new Option<string?>("--mode") { Description = "hybrid (default: vector and full text fused), text, or vector (needs an embedding model).", HelpName = "hybrid|text|vector" };
        var scope = new Option<string?>("--scope") { Description = "Only this scope: personal, public or team:<name>.", HelpName = "scope" };

        var command = new Command("recall", "Search memories by meaning and words; prints ranked results with their score breakdown.")
        {
            query, subject, top, type, mode, scope,
        };

        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var (kinds, team) = ValueParsers.ScopeFilter(parseResult.GetValue(scope));
            var request = new MemorySearchRequest
            {
                Tenant = context.Tenant,
                Text = parseResult.GetValue(query)!,
                Subject = parseResult.GetValue(subject),
                Top = parseResult.GetValue(top),
                Types = ValueParsers.Types(parseResult.GetValue(type)),
                Mode = ValueParsers.Mode(parseResult.GetValue(mode)),
                ScopeKinds = kinds,
                Team = team,
            };

            return async store =>
            {
                var results = await store.SearchAsync(request, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    JsonOutput.Write(context.Out, w =>
                    {
                        w.WriteString("query", request.Text);
                        w.WriteString("mode", request.Mode.ToString().ToLowerInvariant());
                        w.WritePropertyName("results");
                        JsonSerializer.Serialize(w, results, MemoryJsonContext.Default.IReadOnlyListMemorySearchResult);
                    });
                    return ExitCodes.Ok;
                }

                if (results.Count == 0)
                {
                    context.Out.WriteLine($"no memories of {request.Subject} match \"{request.Text}\"");
                    return ExitCodes.Ok;
                }

                var table = new TextTable(
                    ("#", 3, true),
                    ("SCORE", 8, true),
                    ("TEXT MATCH", 16, false),
                    ("VECTOR MATCH", 16, false),
                    ("ID", 36, false),
                    ("TYPE", 12, false),
                    ("MEMORY", 72, false));
                for (var i = 0; i < results.Count; i++)
                {
                    var (record, score, breakdown) = results[i];
                    table.Add(
                        (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        HumanFormat.Number(score, "0.0000"),
                        breakdown.LexicalRank is { } textRank ? $"#{textRank} ({HumanFormat.Score(breakdown.Lexical ?? 0)})" : "-",
                        breakdown.SemanticRank is { } vectorRank ? $"#{vectorRank} ({HumanFormat.Score(breakdown.Semantic ?? 0)})" : "-",
                        record.Id.ToString(),
                        record.Type,
                        record.Value.Text);
                }

                table.Write(context.Out);
                if (results.Any(r => r.Breakdown.EmbeddingModel is not null))
                {
                    context.Out.WriteLine($"vector model: {string.Join(", ", results.Select(r => r.Breakdown.EmbeddingModel).OfType<string>().Distinct(StringComparer.Ordinal))}");
                }

                if (results.Select(r => r.Degradation).OfType<string>().Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } degradations)
                {
                    // Said after the table, where the eye lands: these results are not what a working embedder would rank.
                    context.Out.WriteLine($"degraded: {string.Join(", ", degradations)} (the embedder failed, so the results are ranked by words alone; memories written meanwhile are embedded once it works again)");
                }

                return ExitCodes.Ok;
            };
        }, embeds: true);
        return command;
    }
}
