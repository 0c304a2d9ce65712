using System.Text.Json;
using SkMemory.Embeddings;
using SkMemory.Postgres.Tests;
using SkMemory.Storage.Sqlite;
using SkMemory.Tests;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>
/// <c>skmem reindex</c>, <c>skmem model list</c> and embedder specs, against a fake OpenAI-compatible server; memories are
/// first embedded with the real offline MiniLM model, the default.
/// </summary>
public sealed class ReindexCommandTests(PostgresFixture postgres) : IDisposable
{
    private const string FakeModel = "openai:fake-embed";
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Reindex_switches_to_an_OpenAI_compatible_model_and_recall_follows_the_store()
    {
        await using var server = FakeOpenAIEmbeddingServer.Start();
        var oat = await _cli.RememberAsync("Ana prefers oat milk in her coffee");
        await _cli.RememberAsync("Ana lives in Lisbon near the river");
        await _cli.RememberAsync("Ana's sister plays the cello in an orchestra");

        var run = (await _cli.RunAsync("reindex", "--model", $"{FakeModel}@{server.BaseUrl}", "--batch-size", "2", "--json")).ShouldSucceed();
        var result = run.Json();
        Assert.Equal(FakeModel, result.GetProperty("model").GetString());
        Assert.Equal(TestEmbeddingGenerator.Dimensions, result.GetProperty("dimensions").GetInt32());
        Assert.Equal(3, result.GetProperty("embedded_this_run").GetInt64());
        Assert.Equal(3, result.GetProperty("embedded").GetInt64());
        Assert.Equal(3, result.GetProperty("active").GetInt64());
        Assert.True(result.GetProperty("activated").GetBoolean());
        Assert.Equal(MiniLmModel.ModelId, result.GetProperty("previous_model").GetString());
        Assert.Equal(JsonValueKind.Number, result.GetProperty("elapsed_ms").ValueKind);
        Assert.Contains($"reindexing: 3/3 memories embedded with {FakeModel}", run.Error, StringComparison.Ordinal);

        // A dimension probe, then the three memories in batches of two.
        Assert.Equal(3, server.RequestCount);
        Assert.Equal(4, server.InputCount);

        var models = (await _cli.RunAsync("model", "list", "--json")).ShouldSucceed().Json().EnumerateArray().ToList();
        var fake = Assert.Single(models, m => m.GetProperty("model").GetString() == FakeModel);
        Assert.Equal("serving", fake.GetProperty("state").GetString());
        Assert.Equal(TestEmbeddingGenerator.Dimensions, fake.GetProperty("dimensions").GetInt32());
        Assert.Equal(3, fake.GetProperty("embedded").GetInt64());
        Assert.Equal(3, fake.GetProperty("active").GetInt64());
        Assert.True(fake.GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.String, fake.GetProperty("updated_at").ValueKind);
        var miniLm = Assert.Single(models, m => m.GetProperty("model").GetString() == MiniLmModel.ModelId);
        Assert.Equal("retired", miniLm.GetProperty("state").GetString());
        Assert.Equal(MiniLmModel.Dimensions, miniLm.GetProperty("dimensions").GetInt32());
        Assert.Equal(FakeModel, models[0].GetProperty("model").GetString());

        var table = (await _cli.RunAsync("model", "list")).ShouldSucceed().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("STATE", table[0], StringComparison.Ordinal);
        Assert.Contains(table, line => line.StartsWith(FakeModel, StringComparison.Ordinal) && line.Contains("serving", StringComparison.Ordinal) && line.Contains("3/3", StringComparison.Ordinal));
        Assert.Contains(table, line => line.StartsWith(MiniLmModel.ModelId, StringComparison.Ordinal) && line.Contains("retired", StringComparison.Ordinal));

        // No --embedder: the store's serving model decides, and its server comes from $OPENAI_BASE_URL.
        var before = server.RequestCount;
        var recall = await WithEnvironmentAsync(server.BaseUrl, null, () => _cli.RunAsync("recall", "oat milk coffee", "--subject", "ana", "--json"));
        var results = recall.ShouldSucceed().Json().GetProperty("results");
        Assert.Equal(before + 1, server.RequestCount);
        Assert.Equal(oat, results[0].GetProperty("record").GetProperty("id").GetGuid());
        Assert.Equal(FakeModel, results[0].GetProperty("breakdown").GetProperty("embedding_model").GetString());
        Assert.Equal(1, results[0].GetProperty("breakdown").GetProperty("semantic_rank").GetInt32());

        // Without a server URL or a key, the error says the model came from the store, and how to choose another.
        var keyless = (await WithEnvironmentAsync(null, null, () => _cli.RunAsync("recall", "oat milk coffee", "--subject", "ana"))).ShouldFail(ExitCodes.Usage);
        Assert.Contains($"OPENAI_API_KEY is not set (the store serves {FakeModel}; see 'skmem model list')", keyless.Error, StringComparison.Ordinal);
        Assert.Contains("or pass --embedder to use another model", keyless.Error, StringComparison.Ordinal);

        // A second run finds nothing missing.
        var again = (await _cli.RunAsync("reindex", "--model", $"{FakeModel}@{server.BaseUrl}")).ShouldSucceed();
        Assert.StartsWith($"reindexed 0 memories with {FakeModel} in ", again.Out, StringComparison.Ordinal);
        Assert.Contains($"{FakeModel} already served", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_activate_builds_the_model_but_minilm_keeps_serving_until_a_second_run_switches()
    {
        await using var server = FakeOpenAIEmbeddingServer.Start();
        var oat = await _cli.RememberAsync("Ana prefers oat milk in her coffee");
        await _cli.RememberAsync("Ana lives in Lisbon near the river");

        var built = (await _cli.RunAsync("reindex", "--model", $"{FakeModel}@{server.BaseUrl}", "--no-activate", "--json")).ShouldSucceed().Json();
        Assert.Equal(2, built.GetProperty("embedded_this_run").GetInt64());
        Assert.False(built.GetProperty("activated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, built.GetProperty("previous_model").ValueKind);

        var models = (await _cli.RunAsync("model", "list", "--json")).ShouldSucceed().Json().EnumerateArray().ToList();
        Assert.Equal("serving", Assert.Single(models, m => m.GetProperty("model").GetString() == MiniLmModel.ModelId).GetProperty("state").GetString());
        var building = Assert.Single(models, m => m.GetProperty("model").GetString() == FakeModel);
        Assert.Equal("building", building.GetProperty("state").GetString());
        Assert.Equal(2, building.GetProperty("embedded").GetInt64());

        // MiniLM still answers: the fake server sees no query.
        var requests = server.RequestCount;
        var recall = (await _cli.RunAsync("recall", "oat milk", "--subject", "ana", "--json")).ShouldSucceed().Json().GetProperty("results");
        Assert.Equal(requests, server.RequestCount);
        Assert.Equal(oat, recall[0].GetProperty("record").GetProperty("id").GetGuid());
        Assert.Equal(MiniLmModel.ModelId, recall[0].GetProperty("breakdown").GetProperty("embedding_model").GetString());

        // A memory written meanwhile (with MiniLM only) is picked up by the next run, which then switches.
        await _cli.RememberAsync("Ana's sister plays the cello");
        var switched = (await _cli.RunAsync("reindex", "--model", $"{FakeModel}@{server.BaseUrl}")).ShouldSucceed();
        Assert.StartsWith($"reindexed 1 memory with {FakeModel} in ", switched.Out, StringComparison.Ordinal);
        Assert.EndsWith($"{FakeModel} now serves (was {MiniLmModel.ModelId})", switched.Out.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_fails_clearly_and_nothing_switches()
    {
        await _cli.RememberAsync("Ana prefers oat milk in her coffee");
        var url = $"http://127.0.0.1:{TestPorts.Free()}/v1";

        var failed = (await _cli.RunAsync("reindex", "--model", $"{FakeModel}@{url}")).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains($"error: cannot reach the embedder {FakeModel} at {url}", failed.Error, StringComparison.Ordinal);
        Assert.Contains("hint: check that the server is running", failed.Error, StringComparison.Ordinal);

        var models = (await _cli.RunAsync("model", "list", "--json")).ShouldSucceed().Json().EnumerateArray().ToList();
        var only = Assert.Single(models);
        Assert.Equal(MiniLmModel.ModelId, only.GetProperty("model").GetString());
        Assert.Equal("serving", only.GetProperty("state").GetString());

        var recall = (await _cli.RunAsync("recall", "oat milk", "--subject", "ana", "--json")).ShouldSucceed().Json().GetProperty("results");
        Assert.Equal(MiniLmModel.ModelId, recall[0].GetProperty("breakdown").GetProperty("embedding_model").GetString());
    }

    [Fact]
    public async Task A_cancelled_reindex_keeps_what_it_saved_and_the_next_run_resumes()
    {
        await using var server = FakeOpenAIEmbeddingServer.Start();
        await _cli.RememberAsync("Ana prefers oat milk in her coffee");
        await _cli.RememberAsync("Ana lives in Lisbon near the river");
        await _cli.RememberAsync("Ana's sister plays the cello");

        // Request 1 probes the dimension, 2 embeds the first memory; Ctrl+C arrives while 3 is in flight, and 3 is answered
        // only after the command has returned, so its embedding can never be saved.
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.BeforeResponse = async number =>
        {
            if (number == 3)
            {
                await interrupt.CancelAsync();
                await returned.Task;
            }
        };
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode;
        try
        {
            exitCode = await SkMemoryCli.InvokeAsync(["reindex", "--model", $"{FakeModel}@{server.BaseUrl}", "--batch-size", "1", "--store", _cli.StorePath], output, error, interrupt.Token);
        }
        finally
        {
            returned.TrySetResult();
        }

        var cancelled = new CliResult(exitCode, output.ToString(), error.ToString()).ShouldFail(ExitCodes.Cancelled);
        Assert.Contains($"error: reindex cancelled after saving 1 embedding of {FakeModel}; {MiniLmModel.ModelId} still serves", cancelled.Error, StringComparison.Ordinal);
        Assert.Contains("it resumes where this run stopped", cancelled.Error, StringComparison.Ordinal);

        var building = Assert.Single((await _cli.RunAsync("model", "list", "--json")).ShouldSucceed().Json().EnumerateArray(), m => m.GetProperty("model").GetString() == FakeModel);
        Assert.Equal("building", building.GetProperty("state").GetString());
        Assert.Equal(1, building.GetProperty("embedded").GetInt64());

        server.BeforeResponse = null;
        var resumed = (await _cli.RunAsync("reindex", "--model", $"{FakeModel}@{server.BaseUrl}", "--batch-size", "1", "--json")).ShouldSucceed().Json();
        Assert.Equal(2, resumed.GetProperty("embedded_this_run").GetInt64());
        Assert.Equal(3, resumed.GetProperty("embedded").GetInt64());
        Assert.True(resumed.GetProperty("activated").GetBoolean());
    }

    [Fact]
    public async Task A_served_model_skmem_cannot_load_asks_for_an_embedder()
    {
        // A store switched by a program to a model of its own (here the test generator), not by skmem.
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = _cli.StorePath }, cancellationToken: TestContext.Current.CancellationToken))
        {
            await store.WriteAsync(
                new MemoryWriteRequest { Tenant = "default", Type = MemoryTypes.Fact, Subject = "ana", Actor = MemoryActor.User("cli"), Value = "Ana prefers oat milk" },
                TestContext.Current.CancellationToken);
            var index = (IMemoryEmbeddingIndex)store.GetService(typeof(IMemoryEmbeddingIndex))!;
            using var generator = new TestEmbeddingGenerator();
            await index.ReindexAsync(generator, cancellationToken: TestContext.Current.CancellationToken);
        }

        var failed = (await _cli.RunAsync("recall", "oat milk", "--subject", "ana")).ShouldFail(ExitCodes.Usage);
        Assert.Contains($"the store serves embeddings of '{TestEmbeddingGenerator.ModelId}'", failed.Error, StringComparison.Ordinal);
        Assert.Contains("hint: pass --embedder", failed.Error, StringComparison.Ordinal);

        // Listing names the model without loading it; an explicit embedder still works.
        Assert.Contains(TestEmbeddingGenerator.ModelId, (await _cli.RunAsync("model", "list")).ShouldSucceed().Out, StringComparison.Ordinal);
        (await _cli.RunAsync("recall", "oat milk", "--subject", "ana", "--embedder", "none")).ShouldSucceed();
    }

    [Theory]
    [InlineData("openai:", "names no model", "openai:text-embedding-3-small")]
    [InlineData("ollama:", "names no model", "ollama:nomic-embed-text")]
    [InlineData("foo:bar", "unknown embedder 'foo:bar'", "ollama:<model>[@<host>]")]
    [InlineData("openai:x@not a url", "is not an http:// or https:// URL", "base URL")]
    [InlineData("openai:x@ftp://host/v1", "is not an http:// or https:// URL", "base URL")]
    [InlineData("minilm:small", "takes no model name", "minilm")]
    [InlineData("none", "cannot reindex with 'none'", "name the model")]
    public async Task Bad_model_specs_exit_2_with_a_hint(string spec, string problem, string hint)
    {
        var result = (await _cli.RunAsync("reindex", "--model", spec)).ShouldFail(ExitCodes.Usage);
        Assert.Contains($"error: model: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
        Assert.Contains(hint, result.Error.Split("hint: ")[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai:")]
    [InlineData("foo:bar")]
    [InlineData("openai:x@not a url")]
    public async Task Bad_embedder_specs_exit_2_before_the_store_is_touched(string spec)
    {
        var store = _cli.NewStorePath();
        var result = (await CliRunner.RunOnAsync(store, "remember", "Ana prefers oat milk", "--subject", "ana", "--embedder", spec)).ShouldFail(ExitCodes.Usage);
        Assert.Contains("error: embedder: ", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(store));
    }

    [Fact]
    public async Task Batch_size_must_be_between_1_and_4096()
    {
        var result = (await _cli.RunAsync("reindex", "--model", "openai:x@http://127.0.0.1:1/v1", "--batch-size", "0")).ShouldFail(ExitCodes.Usage);
        Assert.Contains("batch_size: 0 is not between 1 and 4096", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("minilm", "MiniLm", null, null, "all-MiniLM-L6-v2-q4", "minilm")]
    [InlineData(" MiniLM ", "MiniLm", null, null, "all-MiniLM-L6-v2-q4", "minilm")]
    [InlineData("none", "None", null, null, null, "none")]
    [InlineData("openai:text-embedding-3-small", "OpenAI", "text-embedding-3-small", null, "openai:text-embedding-3-small", "openai:text-embedding-3-small")]
    [InlineData("OpenAI:text-embedding-3-large@https://res.openai.azure.com/openai/v1/", "OpenAI", "text-embedding-3-large", "https://res.openai.azure.com/openai/v1", "openai:text-embedding-3-large", "openai:text-embedding-3-large@https://res.openai.azure.com/openai/v1")]
    [InlineData("openai:bge-m3@http://127.0.0.1:8000/v1", "OpenAI", "bge-m3", "http://127.0.0.1:8000/v1", "openai:bge-m3", "openai:bge-m3@http://127.0.0.1:8000/v1")]
    [InlineData("ollama:nomic-embed-text", "Ollama", "nomic-embed-text", null, "ollama:nomic-embed-text", "ollama:nomic-embed-text")]
    [InlineData("ollama:qwen3-embedding:0.6b@gpu-box", "Ollama", "qwen3-embedding:0.6b", "http://gpu-box:11434/v1", "ollama:qwen3-embedding:0.6b", "ollama:qwen3-embedding:0.6b@http://gpu-box:11434/v1")]
    [InlineData("ollama:all-minilm@http://gpu-box:8080/", "Ollama", "all-minilm", "http://gpu-box:8080/v1", "ollama:all-minilm", "ollama:all-minilm@http://gpu-box:8080/v1")]
    public void EmbedderSpec_parses_and_its_stored_model_maps_back(string text, string kind, string? model, string? endpoint, string? stored, string canonical)
    {
        var spec = EmbedderSpec.Parse(text);

        Assert.Equal(Enum.Parse<EmbedderKind>(kind), spec.Kind);
        Assert.Equal(model, spec.Model);
        Assert.Equal(endpoint, spec.Endpoint?.ToString().TrimEnd('/'));
        Assert.Equal(stored, spec.StoredModel);
        Assert.Equal(canonical, spec.ToString().TrimEnd('/'));
        if (stored is not null)
        {
            // The stored name maps back to the same embedder, minus the URL (the environment supplies it).
            Assert.Equal(spec with { Endpoint = null }, EmbedderSpec.FromStoredModel(stored));
        }

        if (spec.IsRemote)
        {
            // ... and is itself a spec.
            Assert.Equal(spec with { Endpoint = null }, EmbedderSpec.Parse(stored));
        }
    }

    [Theory]
    [InlineData("test-hash-256")]
    [InlineData("text-embedding-3-small")]
    [InlineData("openai:")]
    [InlineData("openai:a@b")]
    [InlineData("")]
    public void EmbedderSpec_maps_only_names_it_writes(string stored) =>
        Assert.Null(EmbedderSpec.FromStoredModel(stored));

    [Fact]
    public void EmbedderSpec_finds_servers_in_the_environment_and_needs_a_key_only_for_OpenAI_itself()
    {
        var none = new Dictionary<string, string>();
        var ollama = EmbedderSpec.Parse("ollama:nomic-embed-text");
        Assert.Equal("http://localhost:11434/v1", ollama.ResolveEndpoint("embedder", none.GetValueOrDefault)!.ToString());
        Assert.Equal("http://0.0.0.0:11500/v1", ollama.ResolveEndpoint("embedder", new Dictionary<string, string> { ["OLLAMA_HOST"] = "0.0.0.0:11500" }.GetValueOrDefault)!.ToString());
        using (ollama.CreateRemote("embedder", none.GetValueOrDefault))
        {
        }

        var openai = EmbedderSpec.Parse("openai:text-embedding-3-small");
        Assert.Null(openai.ResolveEndpoint("embedder", none.GetValueOrDefault));
        var missing = Assert.Throws<CliException>(() => openai.CreateRemote("embedder", none.GetValueOrDefault));
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("OPENAI_API_KEY is not set", missing.Message, StringComparison.Ordinal);
        Assert.Contains("OPENAI_BASE_URL", missing.Hint, StringComparison.Ordinal);

        using (openai.CreateRemote("embedder", new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" }.GetValueOrDefault))
        {
        }

        var local = new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "http://127.0.0.1:8000/v1/" };
        Assert.Equal("http://127.0.0.1:8000/v1", openai.ResolveEndpoint("embedder", local.GetValueOrDefault)!.ToString());
        using (openai.CreateRemote("embedder", local.GetValueOrDefault))
        {
        }

        var bad = Assert.Throws<CliException>(() => openai.ResolveEndpoint("embedder", new Dictionary<string, string> { ["OPENAI_BASE_URL"] = "localhost:8000" }.GetValueOrDefault));
        Assert.Contains("$OPENAI_BASE_URL", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reindex_on_postgres_switches_the_serving_model()
    {
        await using var server = FakeOpenAIEmbeddingServer.Start();
        var schema = postgres.NewSchema();
        Task<CliResult> Run(params string[] args) => CliRunner.RunOnAsync(postgres.ConnectionString, [.. args, "--schema", schema]);
        var fake = $"{FakeModel}@{server.BaseUrl}";

        var oat = (await Run("remember", "Ana prefers oat milk in her coffee", "--subject", "ana", "--json")).ShouldSucceed().Json().GetProperty("id").GetGuid();
        (await Run("remember", "Ana lives in Lisbon near the river", "--subject", "ana")).ShouldSucceed();

        var result = (await Run("reindex", "--model", fake, "--batch-size", "1", "--json")).ShouldSucceed().Json();
        Assert.Equal(2, result.GetProperty("embedded_this_run").GetInt64());
        Assert.True(result.GetProperty("activated").GetBoolean());
        Assert.Equal(MiniLmModel.ModelId, result.GetProperty("previous_model").GetString());

        var models = (await Run("model", "list", "--json")).ShouldSucceed().Json().EnumerateArray().ToList();
        Assert.Equal("serving", Assert.Single(models, m => m.GetProperty("model").GetString() == FakeModel).GetProperty("state").GetString());
        Assert.Equal("retired", Assert.Single(models, m => m.GetProperty("model").GetString() == MiniLmModel.ModelId).GetProperty("state").GetString());

        var requests = server.RequestCount;
        var recall = (await Run("recall", "oat milk coffee", "--subject", "ana", "--embedder", fake, "--json")).ShouldSucceed().Json().GetProperty("results");
        Assert.Equal(requests + 1, server.RequestCount);
        Assert.Equal(oat, recall[0].GetProperty("record").GetProperty("id").GetGuid());
        Assert.Equal(FakeModel, recall[0].GetProperty("breakdown").GetProperty("embedding_model").GetString());

        // --drop-previous on a switch back deletes the fake model's embeddings.
        var back = (await Run("reindex", "--model", "minilm", "--drop-previous")).ShouldSucceed();
        Assert.Contains($"{MiniLmModel.ModelId} now serves (was {FakeModel})", back.Out, StringComparison.Ordinal);
        Assert.Contains($"dropped the embeddings of {FakeModel}", back.Out, StringComparison.Ordinal);
        var after = (await Run("model", "list", "--json")).ShouldSucceed().Json().EnumerateArray().ToList();
        Assert.Equal(MiniLmModel.ModelId, Assert.Single(after).GetProperty("model").GetString());
    }

    private static async Task<CliResult> WithEnvironmentAsync(string? baseUrl, string? apiKey, Func<Task<CliResult>> run)
    {
        // Only this class's tests read these variables, and xUnit runs a class's tests one at a time.
        (string Name, string? Value)[] variables = [(EmbedderSpec.OpenAIBaseUrlVariable, baseUrl), (EmbedderSpec.OpenAIKeyVariable, apiKey)];
        var saved = variables.Select(v => (v.Name, Value: Environment.GetEnvironmentVariable(v.Name))).ToList();
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            return await run();
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
