using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory.Capture;
using SkMemory.Evals;
using SkMemory.Evals.Suite;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem eval</c>: runs the memory eval suite (synthetic users with expected memory states) on a store, by default a
/// fresh temporary SQLite file, under one configuration or a list of them (<c>--configs</c>), checks the SLOs
/// (<c>--slo</c>) and writes reports (<c>--report</c>). <c>skmem eval generate</c> writes a synthetic dataset.
/// </summary>
internal static partial class EvalCommand
{
    /// <summary>The SLO file <c>--slo</c> reads when given no path (relative to the working folder: the repository root in CI).</summary>
    public const string DefaultSloFile = "evals/slo.json";

    /// <summary>The configuration list <c>--configs</c> reads when given no path or configuration names.</summary>
    public const string DefaultConfigsFile = "evals/configs.json";

    /// <summary>The folder <c>--report</c> writes to when given no path.</summary>
    public const string DefaultReportFolder = "evals/reports";

    /// <summary>The name a configuration gives the hashing embedder (<c>"embedder": "hashing"</c>): the deterministic hashed bag of words, no model, so drift between two embedders is measured offline.</summary>
    private const string HashingEmbedderName = "hashing";

    private const int DefaultTop = 10;
    private const int DefaultBudget = 1000;

    public static Command Create(CommandRunner runner)
    {
        var dataset = new Option<string?>("--dataset")
        {
            Description = "The suite's JSON Lines files, comma-separated (default: the built-in suite: generated users and hard cases; see evals/datasets/README.md).",
            HelpName = "a.jsonl,b.jsonl",
        };
        var slo = new Option<string?>("--slo")
        {
            Description = $"Check the service-level objectives of this file (default {DefaultSloFile}); exits {ExitCodes.SloMissed} when one is missed or not measured. With --configs, the first configuration is checked.",
            HelpName = "file.json",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var report = new Option<string?>("--report")
        {
            Description = $"Write eval-<config>-<backend>.md and .json, an SVG chart per metric and, with --configs, the comparison into this folder (default {DefaultReportFolder}).",
            HelpName = "folder",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var configs = new Option<string?>("--configs")
        {
            Description = $"Run the suite under each configuration of this file (default {DefaultConfigsFile}), or under the named ones of it (offline,offline-hashing), "
                + "and compare them: side-by-side metrics, deltas against the first, ranking and memory stability. Chat-model configurations whose environment is not set are skipped with the reason.",
            HelpName = "file.json|name,name",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var chatModel = new Option<string?>("--chat-model")
        {
            Description = $"Extract with this chat model instead of the offline rules: {ChatModelSpec.Forms} (${EmbedderSpec.OpenAIKeyVariable}, ${EmbedderSpec.OpenAIBaseUrlVariable}, ${EmbedderSpec.OllamaHostVariable}).",
            HelpName = "openai:model[@url]|ollama:model[@host]",
        };
        var backendLabel = new Option<string?>("--backend-label")
        {
            Description = "The backend's name in reports (default: embedded (SQLite), postgres or mem0 (<flavor>)).",
            HelpName = "name",
        };
        var top = BenchOptions.Number("--top", "Results each task's search asks for, 1..100.", DefaultTop);
        var budget = BenchOptions.Number("--budget", "Token budget of each task's packet, 50..100000.", DefaultBudget);
        var command = new Command(
            "eval",
            "Run the memory eval suite (recall, precision, forgetting, contamination, leakage, deletion, redaction, poisoning) on a fresh temporary "
            + "SQLite store, or on --store; --embedder minilm|hashing|none|openai:..|ollama:.., --chat-model for a chat extractor, --configs to compare "
            + "configurations, --slo to gate on objectives, --report to write markdown, JSON and SVG reports. See docs/evals.md.")
        {
            dataset, slo, report, configs, chatModel, backendLabel, top, budget,
        };
        command.Subcommands.Add(CreateGenerate(runner));
        runner.SetAction(command, async (context, parseResult) =>
        {
            var settings = new Settings(
                SplitList(parseResult.GetValue(dataset)),
                parseResult.GetResult(slo) is null ? null : parseResult.GetValue(slo) ?? DefaultSloFile,
                parseResult.GetResult(report) is null ? null : parseResult.GetValue(report) ?? DefaultReportFolder,
                parseResult.GetResult(configs) is null ? null : parseResult.GetValue(configs) ?? DefaultConfigsFile,
                parseResult.GetValue(chatModel),
                parseResult.GetValue(backendLabel),
                parseResult.GetValue(top),
                parseResult.GetValue(budget));
            return await RunAsync(context, settings).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateGenerate(CommandRunner runner)
    {
        var users = BenchOptions.Number("--users", "How many synthetic users, 1..100000.", 100);
        var seed = BenchOptions.Number("--seed", "The seed; the same seed writes the same users.", 1);
        var output = new Option<string>("--output", "-o") { Description = "The JSON Lines file to write.", HelpName = "file.jsonl", Required = true };
        var command = new Command("generate", "Write a synthetic eval dataset (JSON Lines, one user per line) with the deterministic generator.") { users, seed, output };
        runner.SetAction(command, async (context, parseResult) =>
        {
            var count = parseResult.GetValue(users);
            var path = parseResult.GetValue(output)!;
            if (count is < 1 or > 100_000)
            {
                throw CliException.Invalid("users", $"{count} users is out of range", "pass --users between 1 and 100000");
            }

            if (string.IsNullOrWhiteSpace(path))
            {
                throw CliException.Invalid("output", "no file given", "pass -o file.jsonl");
            }

            var full = Path.GetFullPath(path);
            context.Error.WriteLine($"generating {HumanFormat.Count(count, "user")} (seed {parseResult.GetValue(seed)})...");
            await EvalDatasetGenerator.WriteAsync(full, count, parseResult.GetValue(seed), context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                JsonOutput.Write(context.Out, w =>
                {
                    w.WriteString("file", full);
                    w.WriteNumber("users", count);
                    w.WriteNumber("seed", parseResult.GetValue(seed));
                });
            }
            else
            {
                context.Out.WriteLine($"wrote {HumanFormat.Count(count, "user")} to {full}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings)
    {
        var ct = context.CancellationToken;
        if (settings.Top is < 1 or > 100)
        {
            throw CliException.Invalid("top", $"top {settings.Top} is out of range", "pass --top between 1 and 100");
        }

        if (settings.Budget is < 50 or > 100_000)
        {
            throw CliException.Invalid("budget", $"a budget of {settings.Budget} is out of range", "pass --budget between 50 and 100000");
        }

        if (settings.Configs is not null && (settings.ChatModel is not null || context.Embedder is not null))
        {
            throw CliException.Invalid("configs", "--configs names the extractor and embedder of each configuration", "leave out --chat-model and --embedder with --configs (edit the configuration file instead)");
        }

        // Everything the command line names is checked before the suite is loaded or a store is opened.
        var sloSet = settings.Slo is null ? null : await LoadSloAsync(settings.Slo, ct).ConfigureAwait(false);
        var configurations = settings.Configs is null
            ? [SingleConfiguration(context.Embedder, settings.ChatModel)]
            : await EvalConfigurationFile.LoadAsync(settings.Configs, ct).ConfigureAwait(false);
        var target = context.StoreSpec is null ? null : context.ResolveStore();
        var backend = settings.BackendLabel ?? BackendName(target);

        var suite = await LoadSuiteAsync(context, settings.Datasets, ct).ConfigureAwait(false);
        context.Error.WriteLine($"suite {suite.Name}: {HumanFormat.Count(suite.Users.Count, "user")}; backend {backend}{(target is null ? " (a fresh temporary file)" : string.Empty)}");

        var runs = new List<EvalRunResult>();
        var skipped = new List<EvalSkippedConfiguration>();
        foreach (var configuration in configurations)
        {
            if (configuration.SkipReason is { } reason)
            {
                context.Error.WriteLine($"skipping {configuration.Name}: {reason}");
                skipped.Add(new EvalSkippedConfiguration(configuration.Name, reason));
                continue;
            }

            context.Error.WriteLine($"running {configuration.Name} (extractor {configuration.ExtractorName}, embedder {configuration.EmbedderName})...");
            runs.Add(await RunOneAsync(context, suite, configuration, target, backend, settings).ConfigureAwait(false));
        }

        if (runs.Count == 0)
        {
            throw new CliException(
                ExitCodes.Usage,
                "every configuration was skipped: " + string.Join("; ", skipped.Select(s => $"{s.Name}: {s.Reason}")),
                "set the environment the configurations name under \"requires\", or list an offline configuration",
                "configs");
        }

        var verdict = sloSet?.Check(runs[0]);
        var comparison = settings.Configs is null ? null : EvalComparison.Create(runs, skipped);
        if (context.Json)
        {
            context.Out.WriteLine(comparison is null
                ? EvalReportJson.Render(runs[0], verdict, indented: false)
                : EvalComparisonJson.Render(comparison, indented: false));
        }
        else
        {
            context.Out.Write(comparison is null ? Summary(runs[0]) : comparison.ToTable());
            if (verdict is not null)
            {
                context.Out.WriteLine();
                context.Out.Write(verdict.ToTable());
            }
        }

        if (settings.Report is { } folder)
        {
            var slos = verdict is null ? null : new Dictionary<EvalRunResult, EvalSloReport> { [runs[0]] = verdict };
            var written = await EvalReportWriter.WriteAsync(Path.GetFullPath(folder), runs, slos, comparison, ct).ConfigureAwait(false);
            context.Error.WriteLine($"wrote {HumanFormat.Count(written.Count, "report file")} to {Path.GetFullPath(folder)}");
        }

        if (verdict is { Passed: false })
        {
            context.Error.WriteLine($"error: {verdict.Summary()}");
            context.Error.WriteLine($"hint: the table above shows each objective; thresholds and their measured values are in {verdict.Source} (see docs/evals.md)");
            return ExitCodes.SloMissed;
        }

        return ExitCodes.Ok;
    }

    private static async Task<EvalRunResult> RunOneAsync(CliContext context, EvalSuite suite, EvalConfigurationSpec configuration, StoreTarget? target, string backend, Settings settings)
    {
        var ct = context.CancellationToken;
        var (generator, storedModel, ownsGenerator) = await configuration.CreateEmbedderAsync(context.Error, ct).ConfigureAwait(false);
        using var ownedGenerator = ownsGenerator ? generator : null;
        using var chatClient = configuration.CreateChatClient();
        var extractor = chatClient is null
            ? null
            : new ChatClientMemoryExtractor(chatClient, new ChatClientMemoryExtractorOptions { ModelId = configuration.ChatModel!.Model });
        var folder = target is null ? Directory.CreateTempSubdirectory("skmem-eval-").FullName : null;
        try
        {
            var storeTarget = target ?? new StoreTarget(StoreKind.Sqlite, Path.Combine(folder!, "eval.db"), string.Empty, IsDefault: false);
            using var store = await StoreOpener.OpenAsync(storeTarget, StoreAccess.Write, ct, generator, storedModel).ConfigureAwait(false);
            var options = new EvalRunOptions
            {
                Configuration = new EvalConfiguration(configuration.Name, configuration.ExtractorName, configuration.EmbedderName, configuration.ChatModel?.Model),
                Backend = backend,
                Extractor = extractor,
                Top = settings.Top,
                TokenBudget = settings.Budget,
            };
            return await EvalRunner.RunAsync(suite, store, options, new BenchCommand.SynchronousProgress(line => context.Error.WriteLine($"  [{configuration.Name}] {line}")), ct).ConfigureAwait(false);
        }
        finally
        {
            if (folder is not null)
            {
                SqliteConnection.ClearAllPools();
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless.
                }
            }
        }
    }

    private static EvalConfigurationSpec SingleConfiguration(string? embedder, string? chatModel)
    {
        var named = embedder ?? (Environment.GetEnvironmentVariable(StoreOpener.EmbedderVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        var embedderChoice = EvalConfigurationSpec.ParseEmbedder(named ?? "minilm", embedder is null && named is not null ? $"${StoreOpener.EmbedderVariable}" : "embedder");
        var chat = chatModel is null ? null : ChatModelSpec.Parse(chatModel);
        var name = chat is not null ? "chat-" + chat.Model : embedderChoice.Spec is null ? "offline-hashing" : embedderChoice.Spec is { Kind: EmbedderKind.MiniLm } ? "offline" : "offline-" + EvalReportFormat.Slug(embedderChoice.Name);
        return new EvalConfigurationSpec(name, embedderChoice, chat, null);
    }

    private static async Task<EvalSloSet> LoadSloAsync(string path, CancellationToken ct)
    {
        try
        {
            return await EvalSloSet.LoadAsync(path, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw CliException.Invalid("slo", $"the SLO file '{path}' does not exist (in {Environment.CurrentDirectory})", $"run from the repository root (for {DefaultSloFile}) or pass --slo <file>");
        }
        catch (FormatException ex)
        {
            throw CliException.Invalid("slo", ex.Message, "fix the file; its format is in docs/evals.md (\"SLO file\")");
        }
    }

    private static async Task<EvalSuite> LoadSuiteAsync(CliContext context, IReadOnlyList<string> datasets, CancellationToken ct)
    {
        if (datasets.Count == 0)
        {
            return await EvalSuiteLoader.LoadBuiltInAsync(ct).ConfigureAwait(false);
        }

        foreach (var path in datasets)
        {
            if (!File.Exists(path))
            {
                throw CliException.Invalid("dataset", $"the dataset '{path}' does not exist", "pass existing JSON Lines files, comma-separated, or leave out --dataset for the built-in suite");
            }
        }

        try
        {
            context.Error.WriteLine($"loading {string.Join(", ", datasets)}...");
            return await EvalSuiteLoader.LoadAsync(datasets, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException or ArgumentException)
        {
            throw CliException.Invalid("dataset", ex.Message, "fix the file; the schema is in evals/datasets/README.md");
        }
    }

    private static string BackendName(StoreTarget? target) =>
        target?.Kind switch
        {
            null or StoreKind.Sqlite => "embedded (SQLite)",
            StoreKind.Postgres => "postgres",
            StoreKind.Mem0 => $"mem0 ({StoreOpener.FlavorName(target.Flavor)})",
            _ => target.Kind.ToString().ToLowerInvariant(),
        };

    private static string Summary(EvalRunResult run)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"suite {run.Suite} ({run.Users} users), {run.Configuration.Name} on {run.Backend}, {run.Elapsed.TotalSeconds:0.0} s");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"metric",-22} {"value",8} {"samples",8}  better");
        foreach (var metric in EvalReportFormat.RunMetrics)
        {
            if (run.Overall(metric) is { } m)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{metric,-22} {EvalReportFormat.Number(Math.Round(m.Value, 4)),8} {m.Samples,8}  {(EvalReportFormat.LowerIsBetter(metric) ? "lower" : "higher")}");
            }
        }

        return text.ToString();
    }

    private static List<string> SplitList(string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private sealed record Settings(IReadOnlyList<string> Datasets, string? Slo, string? Report, string? Configs, string? ChatModel, string? BackendLabel, int Top, int Budget);

    /// <summary>An embedder of a configuration: <c>hashing</c> (the offline hashed bag of words) or an --embedder spec.</summary>
    /// <param name="Name">The name as given.</param>
    /// <param name="Spec">The spec of any other embedder; null for the hashing embedder.</param>
    internal sealed record EmbedderChoice(string Name, EmbedderSpec? Spec);

    /// <summary>One configuration to run: its embedder and, for a chat extractor, its chat model; or why it is skipped.</summary>
    /// <param name="Name">The configuration's name.</param>
    /// <param name="Embedder">The embedder (null when skipped before it could be parsed).</param>
    /// <param name="ChatModel">The chat model of a chat extractor, or null for the offline rules.</param>
    /// <param name="ApiKeyVariable">The variable holding the chat model's API key instead of OPENAI_API_KEY (Azure OpenAI), or null.</param>
    internal sealed record EvalConfigurationSpec(string Name, EmbedderChoice? Embedder, ChatModelSpec? ChatModel, string? ApiKeyVariable)
    {
        /// <summary>Gets why the configuration cannot run here, or null.</summary>
        public string? SkipReason { get; init; }

        public string ExtractorName => ChatModel is null ? "rules" : "chat:" + ChatModel.Model;

        public string EmbedderName => Embedder is { Spec: null } ? HashingEmbeddingGenerator.ModelId : Embedder?.Spec?.StoredModel ?? "none";

        public static EmbedderChoice ParseEmbedder(string text, string field) =>
            string.Equals(text.Trim(), HashingEmbedderName, StringComparison.OrdinalIgnoreCase)
                ? new EmbedderChoice(HashingEmbedderName, null)
                : new EmbedderChoice(text.Trim(), EmbedderSpec.Parse(text, field));

        /// <summary>Creates the embedder: the generator, the model name its vectors are stored under, and whether the caller disposes it.</summary>
        public async Task<(IEmbeddingGenerator<string, Embedding<float>>? Generator, string? StoredModel, bool Owned)> CreateEmbedderAsync(TextWriter log, CancellationToken cancellationToken)
        {
            if (Embedder is null or { Spec.Kind: EmbedderKind.None })
            {
                return (null, null, false);
            }

            if (Embedder.Spec is not { } spec)
            {
                return (new HashingEmbeddingGenerator(), HashingEmbeddingGenerator.ModelId, true);
            }

            var generator = await StoreOpener.EmbedderAsync(spec, log, cancellationToken).ConfigureAwait(false);
            return (generator, spec.StoredModel, spec.IsRemote);
        }

        /// <summary>Creates the chat client of a chat extractor (no request is sent yet), or null for the offline rules.</summary>
        public IChatClient? CreateChatClient()
        {
            if (ChatModel is null)
            {
                return null;
            }

            var keyVariable = ApiKeyVariable;
            return ChatModel.Create(
                "chat_model",
                keyVariable is null ? null : name => Environment.GetEnvironmentVariable(name == EmbedderSpec.OpenAIKeyVariable ? keyVariable : name));
        }
    }

    /// <summary>
    /// The configuration list of <c>--configs</c> (<c>evals/configs.json</c>): each configuration's name, extractor
    /// (<c>rules</c> or <c>chat</c> with a <c>chat_model</c>), embedder, and the environment variables it needs
    /// (<c>requires</c>; <c>${NAME}</c> in the specs is replaced by their values). A configuration whose variables are not
    /// set is skipped with the reason.
    /// </summary>
    internal static partial class EvalConfigurationFile
    {
        private static readonly HashSet<string> Properties = ["name", "description", "extractor", "embedder", "chat_model", "api_key_variable", "requires"];

        public static async Task<IReadOnlyList<EvalConfigurationSpec>> LoadAsync(string value, CancellationToken cancellationToken)
        {
            var isFile = value.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(value);
            var path = isFile ? value : DefaultConfigsFile;
            if (!File.Exists(path))
            {
                throw CliException.Invalid("configs", $"the configuration file '{path}' does not exist (in {Environment.CurrentDirectory})", $"run from the repository root (for {DefaultConfigsFile}) or pass --configs <file.json>");
            }

            var all = Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path, Environment.GetEnvironmentVariable);
            if (isFile)
            {
                return all;
            }

            var chosen = new List<EvalConfigurationSpec>();
            foreach (var name in SplitList(value))
            {
                chosen.Add(all.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
                    ?? throw CliException.Invalid("configs", $"'{name}' is not a configuration of {path}", $"use one of {string.Join(", ", all.Select(c => c.Name))}, or pass a configuration file"));
            }

            return chosen.Count > 0 ? chosen : throw CliException.Invalid("configs", "no configuration named", "pass --configs name,name or a configuration file");
        }

        /// <summary>Parses a configuration file.</summary>
        /// <param name="json">The text.</param>
        /// <param name="source">The file, for errors.</param>
        /// <param name="environment">Reads environment variables.</param>
        /// <returns>The configurations, in file order.</returns>
        /// <exception cref="CliException">The file is invalid (exit code 2); the message names the configuration and the field.</exception>
        public static IReadOnlyList<EvalConfigurationSpec> Parse(string json, string source, Func<string, string?> environment)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                throw Invalid($"{source}: not valid JSON ({ex.Message})");
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetRawText() != "1")
                {
                    throw Invalid($"{source}: the file must be an object with \"version\": 1 and \"configurations\"");
                }

                if (!root.TryGetProperty("configurations", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
                {
                    throw Invalid($"{source}: \"configurations\" must be a non-empty array");
                }

                var result = new List<EvalConfigurationSpec>();
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    index++;
                    var spec = ParseOne(item, $"{source}: configuration {index.ToString(CultureInfo.InvariantCulture)}", environment);
                    if (result.Any(r => r.Name == spec.Name))
                    {
                        throw Invalid($"{source}: the configuration name '{spec.Name}' appears twice");
                    }

                    result.Add(spec);
                }

                return result;
            }
        }

        private static EvalConfigurationSpec ParseOne(JsonElement item, string where, Func<string, string?> environment)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"{where}: must be an object like {{\"name\": \"offline\", \"extractor\": \"rules\", \"embedder\": \"minilm\"}}");
            }

            foreach (var property in item.EnumerateObject())
            {
                if (!Properties.Contains(property.Name))
                {
                    throw Invalid($"{where}: unknown field \"{property.Name}\" (known: {string.Join(", ", Properties)})");
                }
            }

            var name = Text(item, "name", where) ?? throw Invalid($"{where}: \"name\" is missing");
            where = $"{where} ('{name}')";
            var extractor = Text(item, "extractor", where) ?? "rules";
            var embedder = Text(item, "embedder", where) ?? "minilm";
            var chatModel = Text(item, "chat_model", where);
            var keyVariable = Text(item, "api_key_variable", where);
            if (extractor is not ("rules" or "chat"))
            {
                throw Invalid($"{where}: \"extractor\" must be \"rules\" or \"chat\", not \"{extractor}\"");
            }

            if ((extractor == "chat") != (chatModel is not null))
            {
                throw Invalid(extractor == "chat" ? $"{where}: a chat extractor needs \"chat_model\" ({ChatModelSpec.Forms})" : $"{where}: \"chat_model\" is only used by \"extractor\": \"chat\"");
            }

            var requires = new List<string>();
            if (item.TryGetProperty("requires", out var required))
            {
                if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(r.GetString())))
                {
                    throw Invalid($"{where}: \"requires\" must be an array of environment variable names");
                }

                requires.AddRange(required.EnumerateArray().Select(r => r.GetString()!.Trim()));
            }

            if (keyVariable is not null && !requires.Contains(keyVariable))
            {
                requires.Add(keyVariable);
            }

            foreach (var text in new[] { embedder, chatModel })
            {
                foreach (Match match in VariablePattern().Matches(text ?? string.Empty))
                {
                    if (!requires.Contains(match.Groups[1].Value))
                    {
                        throw Invalid($"{where}: uses ${{{match.Groups[1].Value}}} without listing {match.Groups[1].Value} under \"requires\"");
                    }
                }
            }

            var missing = requires.Where(r => string.IsNullOrWhiteSpace(environment(r))).ToList();
            if (missing.Count > 0)
            {
                var reason = $"{string.Join(", ", missing.Select(m => "$" + m))} {(missing.Count == 1 ? "is" : "are")} not set";
                return new EvalConfigurationSpec(name, null, null, keyVariable) { SkipReason = reason };
            }

            string Expand(string text) => VariablePattern().Replace(text, m => environment(m.Groups[1].Value)!.Trim());
            try
            {
                var embedderChoice = EvalConfigurationSpec.ParseEmbedder(Expand(embedder), "embedder");
                var chat = chatModel is null ? null : ChatModelSpec.Parse(Expand(chatModel));
                return new EvalConfigurationSpec(name, embedderChoice, chat, keyVariable);
            }
            catch (CliException ex)
            {
                throw new CliException(ExitCodes.Usage, $"{where}: {ex.Message}", ex.Hint, "configs", ex);
            }
        }

        private static string? Text(JsonElement item, string name, string where)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
                ? value.GetString()!.Trim()
                : throw Invalid($"{where}: \"{name}\" must be a non-empty string");
        }

        private static CliException Invalid(string problem) =>
            new(ExitCodes.Usage, problem, "fix the configuration file; its format is in docs/evals.md (\"Multi-configuration runs\")", "configs");

        [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
        private static partial Regex VariablePattern();
    }
}

