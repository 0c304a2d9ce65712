using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Npgsql;
using SemanticKernelAgent;
using SkMemory;
using SkMemory.Context;
using SkMemory.Mem0;
using SkMemory.Samples;
using SkMemory.SemanticKernel;
using SkMemory.Storage.Postgres;
using SkMemory.Storage.Sqlite;

namespace BackendSwap;

/// <summary>
/// One agent function, <see cref="RunAgentAsync"/>, run unchanged against each backend: the embedded SQLite store, then
/// PostgreSQL (when <see cref="PostgresVariable"/> holds a connection string), then Mem0 (when <see cref="Mem0Variable"/>
/// holds its address). Only the line that opens the store differs. Before session 2 on PostgreSQL and on Mem0 the SQLite
/// store's canonical export is imported, so each recalls what session 1 on SQLite learned.
/// </summary>
public static class BackendSwapSample
{
    /// <summary>The environment variable holding the PostgreSQL connection string (server with pgvector); unset = skipped.</summary>
    public const string PostgresVariable = "SKMEMORY_SAMPLE_POSTGRES";

    /// <summary>The environment variable holding the Mem0 address (Platform or self-hosted server); unset = skipped.</summary>
    public const string Mem0Variable = "SKMEMORY_SAMPLE_MEM0";

    /// <summary>The environment variable naming the Mem0 API: <c>platform</c> (default) or <c>oss</c> (the self-hosted server).</summary>
    public const string Mem0FlavorVariable = "SKMEMORY_SAMPLE_MEM0_FLAVOR";

    /// <summary>The environment variable holding the Mem0 API key (required by the Platform).</summary>
    public const string Mem0KeyVariable = "MEM0_API_KEY";

    private const string Tenant = "demo";
    private const string Subject = "ana";
    private const string FirstMessage = "Hi, I'm Ana. I prefer oat milk in my coffee, and I live in Lisbon.";
    private const string SecondMessage = "Good morning! Can you order my usual coffee with milk?";

    /// <summary>The entry point: runs the agent on every configured backend and prints what was remembered and injected.</summary>
    /// <param name="args">The command-line arguments (none are used).</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="output">Where to print.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>0 on success, 2 when a setting is invalid.</returns>
    public static async Task<int> MainAsync(string[] args, Func<string, string?> environment, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        if (await SampleSettings.FromEnvironmentOrUsageAsync(environment, output).ConfigureAwait(false) is not { } settings)
        {
            return 2;
        }

        Func<IChatClient> model = settings.RealModel ?? (() => new ScriptedModel());
        await output.WriteLineAsync($"Model: {settings.ModelDescription}").ConfigureAwait(false);

        // 1. The embedded store: SQLite in a file.
        var temporary = settings.DatabasePath is null ? Directory.CreateTempSubdirectory("skmemory-backend-swap-").FullName : null;
        var path = settings.DatabasePath ?? Path.Combine(temporary!, "memories.db");
        try
        {
            using var export = new MemoryStream();
            await output.WriteLineAsync($"== Backend: embedded SQLite ({path})").ConfigureAwait(false);
            using (var sqlite = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                await RunAgentAsync(sqlite, model, "session-1", FirstMessage, output, cancellationToken).ConfigureAwait(false);
                await RunAgentAsync(sqlite, model, "session-2", SecondMessage, output, cancellationToken).ConfigureAwait(false);

                // The canonical export (JSON Lines: the event log and the current objects) is what carries memories between backends.
                var exported = await sqlite.ExportAsync(export, cancellationToken: cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Exported from SQLite: {exported.Events} events, {exported.Objects} memories ({export.Length} bytes of JSON Lines)").ConfigureAwait(false);
            }

            // 2. PostgreSQL with pgvector, in a new schema dropped at the end.
            if (environment(PostgresVariable) is { Length: > 0 } connectionString)
            {
                var schema = "skmemory_backend_swap_" + Guid.NewGuid().ToString("N")[..12];
                await output.WriteLineAsync($"== Backend: PostgreSQL (schema {schema})").ConfigureAwait(false);
                try
                {
                    using var postgres = await PostgresMemoryStore.OpenAsync(new PostgresMemoryStoreOptions { ConnectionString = connectionString, Schema = schema }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    export.Position = 0;
                    var imported = await postgres.ImportAsync(export, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"Imported the SQLite export into PostgreSQL: {imported.Events} events, {imported.Objects} memories").ConfigureAwait(false);
                    await RunAgentAsync(postgres, model, "session-2-on-postgres", SecondMessage, output, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await DropSchemaAsync(connectionString, schema, output).ConfigureAwait(false);
                }
            }
            else
            {
                await output.WriteLineAsync($"== Backend: PostgreSQL skipped: set {PostgresVariable} to the connection string of a server with pgvector.").ConfigureAwait(false);
            }

            // 3. Mem0, every change mirrored to a canonical SQLite file beside the first one.
            if (environment(Mem0Variable) is { Length: > 0 } address)
            {
                if (!Uri.TryCreate(address, UriKind.Absolute, out var baseAddress))
                {
                    await output.WriteLineAsync($"{Mem0Variable} must be an absolute http(s) address, such as http://localhost:8888; it is '{address}'.").ConfigureAwait(false);
                    return 2;
                }

                var flavor = string.Equals(environment(Mem0FlavorVariable), "oss", StringComparison.OrdinalIgnoreCase) ? Mem0ApiFlavor.OpenSource : Mem0ApiFlavor.Platform;
                var mirrorPath = Path.Combine(Path.GetDirectoryName(path)!, $"mem0-mirror-{Guid.NewGuid():N}.db");
                await output.WriteLineAsync($"== Backend: Mem0 ({flavor} at {baseAddress}, canonical mirror {mirrorPath})").ConfigureAwait(false);
                try
                {
                    var mirror = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = mirrorPath }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    using var mem0 = new Mem0MemoryStore(new Mem0Client(new Mem0ClientOptions { BaseAddress = baseAddress, ApiKey = environment(Mem0KeyVariable), Flavor = flavor }), mirror);
                    export.Position = 0;
                    var imported = await mem0.ImportAsync(export, cancellationToken: cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"Imported the SQLite export into Mem0 (and its mirror): {imported.Events} events, {imported.Objects} memories").ConfigureAwait(false);
                    await RunAgentAsync(mem0, model, "session-2-on-mem0", SecondMessage, output, cancellationToken).ConfigureAwait(false);
                }
                catch (MemoryException ex) when (ex.Code is MemoryErrorCode.Unavailable or MemoryErrorCode.AccessDenied)
                {
                    await output.WriteLineAsync($"Mem0 failed: {ex.Message}").ConfigureAwait(false);
                    return 1;
                }
            }
            else
            {
                await output.WriteLineAsync($"== Backend: Mem0 skipped: set {Mem0Variable} to a Mem0 address ({Mem0KeyVariable} for the Platform; {Mem0FlavorVariable}=oss for a self-hosted server).").ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            if (temporary is not null)
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    /// <summary>
    /// The agent: one session of a Semantic Kernel concierge over <paramref name="store"/>, whatever backend it is. It sets
    /// up the memory stack, runs one user turn (the model may call <c>memory_remember</c>; the packet is injected into every
    /// model call; capture runs after the turn) and prints what the store remembers about the user and what was injected.
    /// </summary>
    /// <param name="store">The store; borrowed, not disposed.</param>
    /// <param name="model">Creates the chat model (the scripted offline one, or a real one).</param>
    /// <param name="session">The conversation id.</param>
    /// <param name="userMessage">What the user says.</param>
    /// <param name="output">Where to print.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session's outcome.</returns>
    public static async Task<AgentSessionResult> RunAgentAsync(IMemoryStore store, Func<IChatClient> model, string session, string userMessage, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        var sample = new SampleKernel(new BorrowedStore(store), model());
        await using var disposeSample = sample.ConfigureAwait(false);
        var (kernel, chat) = (sample.Kernel, sample.Chat);
        sample.Sessions.Session = MemorySession.ForAgent(Tenant, Subject, "concierge", session);

        await output.WriteLineAsync($"-- {session}").ConfigureAwait(false);
        var history = new ChatHistory("You are a friendly concierge. Use the memory functions to remember durable facts the user tells you.");
        history.AddUserMessage(userMessage);
        await output.WriteLineAsync($"user> {userMessage}").ConfigureAwait(false);
        var reply = await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }, kernel, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"agent> {reply.Content}").ConfigureAwait(false);
        await sample.Capture.FlushAsync(cancellationToken).ConfigureAwait(false);

        await output.WriteLineAsync("Injected into the model call:").ConfigureAwait(false);
        await output.WriteLineAsync(sample.Injected ?? "(nothing)").ConfigureAwait(false);
        await output.WriteLineAsync($"Remembered about {Subject}:").ConfigureAwait(false);
        var page = await sample.Store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = Subject }, cancellationToken).ConfigureAwait(false);
        foreach (var memory in page.Items)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  [{memory.Id}] {memory.Type}: \"{memory.Value.Text}\" by {memory.Actor}")).ConfigureAwait(false);
        }

        return new AgentSessionResult(reply.Content ?? string.Empty, sample.Injected, page.Items.Select(m => m.Value.Text).ToList());
    }

    private static async Task DropSchemaAsync(string connectionString, string schema, TextWriter output)
    {
        try
        {
            var connection = new NpgsqlConnection(connectionString);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync().ConfigureAwait(false);
                var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
        }
        catch (NpgsqlException ex)
        {
            await output.WriteLineAsync($"Could not drop schema {schema}: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>The agent's container disposes its store; the caller owns this one, so the agent borrows it.</summary>
    private sealed class BorrowedStore(IMemoryStore inner) : DelegatingMemoryStore(inner)
    {
#pragma warning disable CA2215 // Not calling base.Dispose is the point: it would dispose the borrowed store.
        protected override void Dispose(bool disposing)
#pragma warning restore CA2215
        {
            // The caller disposes the store.
        }
    }
}

/// <summary>What one agent session did.</summary>
/// <param name="Reply">The agent's answer.</param>
/// <param name="Injected">The memory packet injected into the model call, or null when none was.</param>
/// <param name="Remembered">The texts of the user's memories after the session.</param>
public sealed record AgentSessionResult(string Reply, string? Injected, IReadOnlyList<string> Remembered);
