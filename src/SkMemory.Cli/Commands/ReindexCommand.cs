using System.CommandLine;
using System.Globalization;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem reindex --model &lt;spec&gt;</c>: embeds every active memory with another model, in batches, while the current
/// model keeps serving, then switches the store to it. Resumable: a stopped run continues where it left off.
/// </summary>
internal static class ReindexCommand
{
    public const int DefaultBatchSize = 64;
    private const int MaxBatchSize = 4096;

    public static Command Create(CommandRunner runner)
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "The model to embed with: minilm, openai:<model>[@<base-url>] or ollama:<model>[@<host>]. Its embeddings are stored under the spec without the URL (for example openai:text-embedding-3-small).",
            HelpName = "spec",
            Required = true,
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = $"How many memories are embedded and saved together, 1..{MaxBatchSize}.",
            DefaultValueFactory = _ => DefaultBatchSize,
            HelpName = "n",
        };
        var noActivate = new Option<bool>("--no-activate") { Description = "Build the embeddings but keep the current model serving." };
        var dropPrevious = new Option<bool>("--drop-previous") { Description = "Delete the previous model's embeddings once the new model serves." };
        var command = new Command(
            "reindex",
            "Embed every active memory with another model, keeping the current one serving until every memory has the new embedding; "
            + "then the new model serves. Stopping (Ctrl+C) keeps what was saved, and the next run resumes.")
        {
            model, batchSize, noActivate, dropPrevious,
        };

        // The store is opened without loading its serving model: the store itself knows which one the switch retires.
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var spec = EmbedderSpec.Parse(parseResult.GetValue(model), "model");
            if (spec.Kind == EmbedderKind.None)
            {
                throw CliException.Invalid("model", "cannot reindex with 'none'", $"name the model to switch to: {EmbedderSpec.Forms}");
            }

            var size = parseResult.GetValue(batchSize);
            if (size is < 1 or > MaxBatchSize)
            {
                throw CliException.Invalid("batch_size", $"{size.ToString(CultureInfo.InvariantCulture)} is not between 1 and {MaxBatchSize.ToString(CultureInfo.InvariantCulture)}", $"use --batch-size {DefaultBatchSize.ToString(CultureInfo.InvariantCulture)} (the default)");
            }

            var activate = !parseResult.GetValue(noActivate);
            var drop = parseResult.GetValue(dropPrevious);
            if (drop && !activate)
            {
                throw CliException.Invalid("drop_previous", "--drop-previous needs the new model to serve", "remove --no-activate or --drop-previous");
            }

            return store => RunAsync(context, store, spec, new MemoryReindexOptions { Model = spec.StoredModel, BatchSize = size, Activate = activate, DropPrevious = drop });
        }, EmbedderUse.None);
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, IMemoryStore store, EmbedderSpec spec, MemoryReindexOptions options)
    {
        if (store.GetService(typeof(IMemoryEmbeddingIndex)) is not IMemoryEmbeddingIndex index)
        {
            throw new CliException(ExitCodes.Usage, $"the store at {context.Target} does not keep its own embeddings, so there is nothing to reindex", "reindex works on the embedded SQLite and PostgreSQL stores");
        }

        var name = spec.StoredModel!;
        var generator = await StoreOpener.EmbedderAsync(spec, context.Error, context.CancellationToken, "model").ConfigureAwait(false)
            ?? throw new InvalidOperationException("A reindex spec always has a generator.");
        using var owned = spec.IsRemote ? generator : null;
        using var display = new ProgressDisplay(context.Error, ProgressDisplay.ModeFor(context, stdoutCarriesData: false), "reindexing");
        var progress = new ReindexProgress(display);
        options.Progress = progress;
        MemoryReindexResult result;
        try
        {
            result = await index.ReindexAsync(generator, options, context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The progress line is cleared when 'display' is disposed, before the error is reported.
            // The model commands use when they name none (StoreOpener.ServeRecordedModelAsync): the recorded one, else MiniLM.
            var current = await index.GetRecordedServingModelAsync(CancellationToken.None).ConfigureAwait(false) ?? EmbedderSpec.MiniLm.StoredModel;
            throw new CliException(
                ExitCodes.Cancelled,
                $"reindex cancelled after saving {HumanFormat.Count(progress.SavedThisRun, "embedding")} of {name}; {current} still serves",
                $"run 'skmem reindex --model {spec}' again: it resumes where this run stopped");
        }

        var summary = $"reindexed {HumanFormat.Count(result.EmbeddedThisRun, "memory", "memories")} with {result.Model} in {Seconds(result.Elapsed)}";
        display.Complete($"reindexing: {HumanFormat.Count(result.Embedded)}/{HumanFormat.Count(result.Active)} memories embedded with {result.Model}");
        if (context.Json)
        {
            JsonOutput.Write(context.Out, w =>
            {
                w.WriteString("model", result.Model);
                w.WriteNumber("dimensions", result.Dimensions);
                w.WriteNumber("embedded_this_run", result.EmbeddedThisRun);
                w.WriteNumber("embedded", result.Embedded);
                w.WriteNumber("active", result.Active);
                w.WriteBoolean("activated", result.Activated);
                if (result.PreviousModel is { } previous)
                {
                    w.WriteString("previous_model", previous);
                }
                else
                {
                    w.WriteNull("previous_model");
                }

                w.WriteNumber("elapsed_ms", (long)result.Elapsed.TotalMilliseconds);
            });
            return ExitCodes.Ok;
        }

        var state = result switch
        {
            { Activated: true, PreviousModel: { } previous } => $"{result.Model} now serves (was {previous})",
            { AlreadyServing: true } => $"{result.Model} already served",
            { Activated: true } => $"{result.Model} now serves",
            _ => $"{result.Model} built, not serving (--no-activate){(index.ServingModel is { } current ? $"; {current} still serves" : string.Empty)}",
        };
        context.Out.WriteLine($"{summary}; {state}");
        if (options.DropPrevious && result.PreviousModel is { } dropped)
        {
            context.Out.WriteLine($"dropped the embeddings of {dropped}");
        }

        return ExitCodes.Ok;
    }

    private static string Seconds(TimeSpan elapsed) => HumanFormat.Number(elapsed.TotalSeconds, "0.0") + "s";

    /// <summary>Feeds a reindex's progress into the display and remembers how much this run saved.</summary>
    private sealed class ReindexProgress(ProgressDisplay display) : IProgress<MemoryReindexProgress>
    {
        private long _savedThisRun;

        public long SavedThisRun => Interlocked.Read(ref _savedThisRun);

        public void Report(MemoryReindexProgress value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Interlocked.Exchange(ref _savedThisRun, value.EmbeddedThisRun);
            display.Update(value.Embedded, $"{HumanFormat.Count(value.Embedded)}/{HumanFormat.Count(value.Active)} memories embedded with {value.Model}");
        }
    }
}
