using System.CommandLine;
using SkMemory.Capture;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem ingest &lt;file|-&gt;</c>: turns a conversation (messages, tool outputs, documents) into memories through the
/// capture pipeline (extract, gate, evolve) as an ingestion job; <c>skmem ingest status|run|list</c> show, run and list jobs.
/// </summary>
/// <remarks>
/// A job whose run failed exits with <see cref="ExitCodes.JobFailed"/> (8): the job keeps its input, and
/// <c>skmem ingest run &lt;job-id&gt;</c> runs it again once the cause is fixed.
/// </remarks>
internal static class IngestCommand
{
    /// <summary>How many jobs <c>skmem ingest list</c> shows when --limit is not given.</summary>
    public const int DefaultListLimit = 20;

    /// <summary>The most jobs one list returns (the job store's limit).</summary>
    public const int MaxListLimit = 1000;

    public static Command Create(CommandRunner runner)
    {
        var file = new Argument<string>("file")
        {
            Description = "The input: a JSON document " + IngestInput.DocumentShape + ", or JSON Lines of messages (one message object a line); - reads stdin.",
        };
        var subject = new Option<string?>("--subject", "-s")
        {
            Description = "Who the memories are about; overrides the input's \"subject\". Without either, each speaker is the subject of what they say.",
            HelpName = "subject",
        };
        var defer = new Option<bool>("--defer") { Description = "Store the input raw and print the pending job's id; 'skmem ingest run <job-id>' extracts it later." };
        var settings = new PipelineOptions();
        var command = new Command(
            "ingest",
            "Extract memories from a conversation, tool outputs and documents: each candidate is gated (transient, speculative, "
            + "evidence-less or low-confidence ones are rejected with a reason) and evolves the store (add, merge, supersede or no-op). "
            + "Runs as an ingestion job; prints its id first, then its stages, counts, rejections, decisions and errors. Items an "
            + "earlier job ingested unchanged are skipped, so ingesting the same file again creates nothing new. Exit code 8 when the job fails.")
        {
            file, subject, defer,
        };
        settings.AddTo(command);
        command.Subcommands.Add(CreateStatus(runner));
        command.Subcommands.Add(CreateRun(runner));
        command.Subcommands.Add(CreateList(runner));

        runner.SetStoreAction(command, StoreAccess.Write, (context, parseResult) =>
        {
            // Everything is read and checked before the store is opened: bad input creates nothing.
            var capture = settings.Read(parseResult);
            var path = parseResult.GetValue(file)!;
            var input = IngestInput.Read(path, context.Tenant);
            var subjectGiven = parseResult.GetValue(subject) is not null;
            if (subjectGiven)
            {
                input = input with { Subject = parseResult.GetValue(subject) };
            }

            var deferred = parseResult.GetValue(defer);
            return async store =>
            {
                using var pipeline = capture.Create(store, context);
                MemoryIngestionJob job;
                try
                {
                    // Created pending first, so the id is known (and printed) before any extraction runs.
                    job = await pipeline.Pipeline.IngestAsync(input, defer: true, context.CancellationToken).ConfigureAwait(false);
                }
                catch (MemoryValidationException ex)
                {
                    throw InputError(ex, path == "-" ? "stdin" : path, subjectGiven);
                }

                context.Error.WriteLine($"job {job.Id} created with {HumanFormat.Count(job.Counts.Items, "item")}{(deferred ? "; stored raw, not extracted" : string.Empty)}");
                if (!deferred)
                {
                    job = await RunAsync(pipeline.Pipeline, job.Id, context).ConfigureAwait(false);
                }

                return Report(context, job);
            };
        }, EmbedderUse.Load);
        return command;
    }

    private static Command CreateStatus(CommandRunner runner)
    {
        var id = new Argument<string>("job-id") { Description = "The job id (ing_…), as 'skmem ingest' or 'skmem ingest list' printed it." };
        var command = new Command("status", "Show an ingestion job: its state, stages, counts, rejections with their reasons, decisions and errors (--json: the whole job, input included).") { id };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var jobId = JobId(parseResult.GetValue(id));
            return async store =>
            {
                var job = await Jobs(store, context).GetJobAsync(context.Tenant, jobId, context.CancellationToken).ConfigureAwait(false)
                    ?? throw NotFound(context, jobId);
                Show(context, job);
                return ExitCodes.Ok;
            };
        });
        return command;
    }

    private static Command CreateRun(CommandRunner runner)
    {
        var id = new Argument<string>("job-id") { Description = "The job id (ing_…)." };
        var force = new Option<bool>("--force") { Description = "Run a job that is marked running (its process died mid-run); never while another process still runs it." };
        var settings = new PipelineOptions();
        var command = new Command(
            "run",
            "Run a pending job (stored with --defer) or a failed one again: extract, gate and evolve its stored input. Items another job "
            + "ingested since are skipped. A completed job is shown as it is. Exit code 8 when the run fails.")
        {
            id, force,
        };
        settings.AddTo(command);
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var jobId = JobId(parseResult.GetValue(id));
            var capture = settings.Read(parseResult);
            var forced = parseResult.GetValue(force);
            return async store =>
            {
                using var pipeline = capture.Create(store, context);
                var job = await pipeline.Pipeline.GetJobAsync(context.Tenant, jobId, context.CancellationToken).ConfigureAwait(false)
                    ?? throw NotFound(context, jobId);
                switch (job.State)
                {
                    case MemoryIngestionJobState.Completed:
                        context.Error.WriteLine($"job {job.Id} is already completed; nothing to run");
                        return Report(context, job);
                    case MemoryIngestionJobState.Running when !forced:
                        throw new CliException(
                            ExitCodes.Conflict,
                            $"job {job.Id} is running (since {HumanFormat.Time(job.UpdatedAt)})",
                            $"wait for it to finish ('skmem ingest status {job.Id}'); if the process that ran it died, run it again with --force");
                }

                return Report(context, await RunAsync(pipeline.Pipeline, job.Id, context, forced).ConfigureAwait(false));
            };
        }, EmbedderUse.Load);
        return command;
    }

    private static Command CreateList(CommandRunner runner)
    {
        var names = MemoryJson.EnumNamesOf<MemoryIngestionJobState>().ToArray();
        var state = new Option<string?>("--state") { Description = "Only jobs in this state.", HelpName = string.Join('|', names) };
        state.AcceptOnlyFromAmong(names);
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"The most jobs to show, 1..{MaxListLimit}.",
            DefaultValueFactory = _ => DefaultListLimit,
            HelpName = "n",
        };
        var command = new Command("list", "List the tenant's ingestion jobs, newest first (--json: the jobs without their input).") { state, limit };
        runner.SetStoreAction(command, StoreAccess.Read, (context, parseResult) =>
        {
            var count = parseResult.GetValue(limit);
            if (count is < 1 or > MaxListLimit)
            {
                throw CliException.Invalid("limit", $"must be between 1 and {MaxListLimit}; it is {count}", $"use for example --limit {DefaultListLimit}");
            }

            MemoryIngestionJobState? only = parseResult.GetValue(state) is { } name && MemoryJson.TryParseEnum<MemoryIngestionJobState>(name, out var parsed) ? parsed : null;
            return async store =>
            {
                var jobs = await Jobs(store, context).ListJobsAsync(context.Tenant, only, count, context.CancellationToken).ConfigureAwait(false);
                if (context.Json)
                {
                    context.Out.WriteLine(JsonOutput.Render(w =>
                    {
                        w.WriteStartArray();
                        foreach (var job in jobs)
                        {
                            w.WriteStartObject();
                            IngestJobView.WriteProperties(w, job, withInput: false);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    }));
                    return ExitCodes.Ok;
                }

                if (jobs.Count == 0)
                {
                    context.Out.WriteLine(only is { } s
                        ? $"no {MemoryJson.EnumName(s)} ingestion jobs in tenant '{context.Tenant}'"
                        : $"no ingestion jobs in tenant '{context.Tenant}'; 'skmem ingest <file>' creates one");
                    return ExitCodes.Ok;
                }

                var table = new TextTable(
                    ("JOB", 40, false),
                    ("STATE", 9, false),
                    ("CREATED", 20, false),
                    ("ITEMS", 7, true),
                    ("REPLAYED", 8, true),
                    ("ADDED", 6, true),
                    ("MERGED", 6, true),
                    ("SUPERSEDED", 10, true),
                    ("NO-OP", 6, true),
                    ("REJECTED", 8, true),
                    ("ERRORS", 6, true));
                foreach (var job in jobs)
                {
                    var c = job.Counts;
                    table.Add(
                        job.Id,
                        MemoryJson.EnumName(job.State),
                        HumanFormat.Time(job.CreatedAt),
                        HumanFormat.Count(c.Items),
                        HumanFormat.Count(c.Replayed),
                        HumanFormat.Count(c.Added),
                        HumanFormat.Count(c.Merged),
                        HumanFormat.Count(c.Superseded),
                        HumanFormat.Count(c.NoOp),
                        HumanFormat.Count(c.Rejected),
                        HumanFormat.Count(job.Errors.Count));
                }

                table.Write(context.Out);
                if (jobs.Count == count)
                {
                    context.Error.WriteLine($"showing the newest {HumanFormat.Count(count, "job")}; pass --limit for more");
                }

                return ExitCodes.Ok;
            };
        });
        return command;
    }

    /// <summary>Runs a job, showing progress on stderr; a cancelled run leaves the job failed with its input, to be run again.</summary>
    private static async Task<MemoryIngestionJob> RunAsync(MemoryCapturePipeline pipeline, string jobId, CliContext context, bool force = false)
    {
        var mode = ProgressDisplay.ModeFor(context, stdoutCarriesData: false);
        using var progress = new ProgressDisplay(context.Error, mode, "ingesting");
        try
        {
            var run = pipeline.RunAsync(context.Tenant, jobId, force, context.CancellationToken);
            if (mode == ProgressMode.Live)
            {
                // The pipeline reports no progress of its own: the live line shows the job and the time spent.
                while (!run.IsCompleted)
                {
                    progress.Update(0, $"job {jobId}: extracting, gating and evolving");
                    await Task.WhenAny(run, Task.Delay(200, CancellationToken.None)).ConfigureAwait(false);
                }
            }

            var job = await run.ConfigureAwait(false);
            progress.Complete(IngestJobView.Summary(job));
            return job;
        }
        catch (MemoryConflictException ex) when (ex.Code == MemoryErrorCode.InvalidState)
        {
            // Another process claimed the job between the status check and the run: the pipeline's claim is atomic.
            throw new CliException(ExitCodes.Conflict, ex.Message, $"see 'skmem ingest status {jobId}'");
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                ExitCodes.Cancelled,
                $"cancelled; job {jobId} is marked failed and keeps its input (memories already stored by it stay)",
                $"run 'skmem ingest run {jobId}' to finish it");
        }
    }

    /// <summary>Prints a job; a failed one is also an error (exit code 8) that says how to run it again.</summary>
    private static int Report(CliContext context, MemoryIngestionJob job)
    {
        if (job.State != MemoryIngestionJobState.Failed)
        {
            Show(context, job);
            if (job.Errors.Count > 0)
            {
                context.Error.WriteLine($"warning: {HumanFormat.Count(job.Errors.Count, "candidate was", "candidates were")} not stored; see the errors in the job");
            }

            return ExitCodes.Ok;
        }

        if (!context.Json)
        {
            IngestJobView.Write(context.Out, job);
        }

        var failed = job.Stages.LastOrDefault(s => s.FinishedAt is null);
        var error = new CliException(
            ExitCodes.JobFailed,
            failed is null ? $"ingestion job {job.Id} failed: {(job.Errors.Count > 0 ? job.Errors[^1] : "no reason recorded")}" : $"ingestion job {job.Id} failed at {failed.Name}: {failed.Error}",
            $"fix the cause, then run 'skmem ingest run {job.Id}' (the job kept its input)");
        return ErrorReporter.Report(error, context, w => IngestJobView.WriteProperties(w, job));
    }

    private static void Show(CliContext context, MemoryIngestionJob job)
    {
        if (context.Json)
        {
            IngestJobView.WriteJson(context.Out, job);
        }
        else
        {
            IngestJobView.Write(context.Out, job);
        }
    }

    private static IMemoryIngestionJobStore Jobs(IMemoryStore store, CliContext context) =>
        store.GetService(typeof(IMemoryIngestionJobStore)) as IMemoryIngestionJobStore
            ?? throw new CliException(
                ExitCodes.Usage,
                $"the store at {context.Target?.Display} keeps no ingestion jobs",
                "ingestion works on the embedded SQLite and PostgreSQL stores");

    private static string JobId(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? throw CliException.Invalid("job_id", "is blank", "copy the id (ing_…) from 'skmem ingest list'")
            : value.Trim();

    private static CliException NotFound(CliContext context, string jobId) =>
        new(
            ExitCodes.NotFound,
            $"tenant '{context.Tenant}' has no ingestion job '{jobId}'",
            $"run 'skmem ingest list' to see the tenant's jobs (jobs belong to one tenant: pass --tenant if it was created in another)",
            "job_id");

    /// <summary>An input the pipeline refused, named the way the input names it.</summary>
    private static CliException InputError(MemoryValidationException ex, string name, bool subjectGiven)
    {
        var hint = ex.Field switch
        {
            "subject" when subjectGiven => "fix --subject and run the command again",
            "tenant" => $"fix --tenant (or ${GlobalOptions.TenantVariable}) and run the command again",
            "input" => $"give at least one message, tool output or document: {IngestInput.DocumentShape}",
            _ => $"fix \"{ex.Field}\" in {name} and run the command again",
        };
        return new CliException(ExitCodes.Usage, ex.Message, $"{hint} (nothing was stored)", ex.Field, ex);
    }

    /// <summary>The options that choose how a job runs: the extractor (and its chat model) and the gate's confidence threshold.</summary>
    private sealed class PipelineOptions
    {
        private static readonly double DefaultMinConfidence = new MemoryGateRule().MinConfidence;

        private readonly Option<string> _extractor = new("--extractor", "-x")
        {
            Description = "Who extracts the candidates: rules (offline, deterministic) or chat (a chat model, see --chat-model).",
            DefaultValueFactory = _ => "rules",
            HelpName = "rules|chat",
        };

        private readonly Option<string?> _chatModel = new("--chat-model")
        {
            Description = $"The chat model of --extractor chat: openai:<model>[@<base-url>] (${EmbedderSpec.OpenAIKeyVariable}; any OpenAI-compatible server, "
                + $"or ${EmbedderSpec.OpenAIBaseUrlVariable}) or ollama:<model>[@<host>] (${EmbedderSpec.OllamaHostVariable}). Default: ${ChatModelSpec.Variable}.",
            HelpName = "openai:model[@url]|ollama:model[@host]",
        };

        private readonly Option<double?> _minConfidence = new("--min-confidence")
        {
            Description = $"The lowest confidence the gate promotes to memory, 0..1 (default {HumanFormat.Number(DefaultMinConfidence)}); the gate's default rule.",
            HelpName = "0..1",
        };

        public PipelineOptions() => _extractor.AcceptOnlyFromAmong("rules", "chat");

        public void AddTo(Command command)
        {
            command.Options.Add(_extractor);
            command.Options.Add(_chatModel);
            command.Options.Add(_minConfidence);
        }

        /// <summary>Reads and checks the options (before the store is opened).</summary>
        public CaptureSettings Read(ParseResult parseResult)
        {
            var extractor = parseResult.GetValue(_extractor)!;
            var named = parseResult.GetValue(_chatModel);
            ChatModelSpec? chat = null;
            if (extractor == "chat")
            {
                chat = ChatModelSpec.Named(named) ?? throw CliException.Invalid(
                    "chat_model",
                    "--extractor chat needs a chat model",
                    $"pass --chat-model {ChatModelSpec.Forms} (for example openai:gpt-4o-mini or ollama:llama3.2), or set {ChatModelSpec.Variable}");
            }
            else if (named is not null)
            {
                throw CliException.Invalid("chat_model", "is only used by --extractor chat", "add --extractor chat, or leave out --chat-model");
            }

            var gate = new MemoryGateOptions();
            if (parseResult.GetValue(_minConfidence) is { } min)
            {
                if (!double.IsFinite(min) || min is < 0 or > 1)
                {
                    throw CliException.Invalid("min_confidence", $"must be between 0 and 1; it is {HumanFormat.Number(min)}", $"use for example --min-confidence {HumanFormat.Number(DefaultMinConfidence)}");
                }

                gate.Default = gate.Default with { MinConfidence = min };
            }

            return new CaptureSettings(chat, gate);
        }
    }

    /// <summary>The checked options; creates the pipeline once the store is open.</summary>
    private sealed record CaptureSettings(ChatModelSpec? Chat, MemoryGateOptions Gate)
    {
        public OpenPipeline Create(IMemoryStore store, CliContext context)
        {
            _ = Jobs(store, context);
            var types = store.GetService(typeof(MemoryTypeRegistry)) as MemoryTypeRegistry ?? new MemoryTypeRegistry();
            var client = Chat?.Create();
            try
            {
                IMemoryExtractor extractor = client is null
                    ? new RuleBasedMemoryExtractor()
                    : new ChatClientMemoryExtractor(client, new ChatClientMemoryExtractorOptions { ModelId = Chat!.Model, Types = types });
                return new OpenPipeline(new MemoryCapturePipeline(store, extractor, new MemoryCaptureOptions { Gate = Gate, Types = types }), client);
            }
            catch
            {
                client?.Dispose();
                throw;
            }
        }
    }

    /// <summary>A pipeline and the chat client it owns.</summary>
    private sealed class OpenPipeline(MemoryCapturePipeline pipeline, IDisposable? owned) : IDisposable
    {
        public MemoryCapturePipeline Pipeline { get; } = pipeline;

        public void Dispose() => owned?.Dispose();
    }
}
