using Microsoft.Agents.AI;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using SkMemory;
using SkMemory.AgentFramework;
using SkMemory.Capture;
using SkMemory.Context;
using SkMemory.Storage.Sqlite;
using SkMemory.Samples;

namespace AgentFrameworkAgent;

/// <summary>
/// Two sessions with one user: in the first the user says who they are and what they like, and SkMemory captures it after
/// the run; in the second (a new agent instance and a new session, as after a restart) the memories are recalled and
/// injected into the model's instructions. Prints what was remembered and what was injected.
/// </summary>
internal static class RememberingAgentSample
{
    public const string Tenant = "demo";
    public const string User = "ada";

    /// <summary>Runs the sample.</summary>
    /// <returns>0 when the second session recalled what the first one taught, else 1.</returns>
    public static async Task<int> RunAsync(SampleSettings settings, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        var temporary = settings.DatabasePath is null ? Directory.CreateTempSubdirectory("skmemory-af-sample-").FullName : null;
        var path = settings.DatabasePath ?? Path.Combine(temporary!, "memory.db");
        try
        {
            using var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = path }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var capture = new MemoryCaptureQueue(new MemoryCapturePipeline(store, new RuleBasedMemoryExtractor()));
            await using (capture.ConfigureAwait(false))
            {
                using var model = settings.RealModel?.Invoke() ?? new ScriptedModel();
                await output.WriteLineAsync($"Model: {settings.ModelDescription}. Memories: {path}").ConfigureAwait(false);

                // Session 1: the user introduces themselves. Capture runs after the run, in the background.
                var (agent, _) = CreateAgent(model, store, capture);
                var first = await agent.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
                await TurnAsync(agent, first, "Hi! I'm Ada. I prefer oat milk in my coffee and I live in Lisbon.", output, cancellationToken).ConfigureAwait(false);
                await capture.FlushAsync(cancellationToken).ConfigureAwait(false);

                var remembered = (await store.ReadAsync(new MemoryQuery { Tenant = Tenant, Subject = User }, cancellationToken).ConfigureAwait(false)).Items;
                await output.WriteLineAsync($"Remembered after session 1 ({remembered.Count}):").ConfigureAwait(false);
                foreach (var memory in remembered)
                {
                    await output.WriteLineAsync($"  [{memory.Type}] {memory.Value.Text}  (id {memory.Id}, evidence {string.Join(", ", memory.Provenance.MessageIds)})").ConfigureAwait(false);
                }

                // Session 2: a new agent instance and a new session; the memories come back through the instructions.
                var (agent2, provider2) = CreateAgent(model, store, capture);
                var second = await agent2.CreateSessionAsync(cancellationToken).ConfigureAwait(false);
                await TurnAsync(agent2, second, "What do you remember about me? Which milk goes in my coffee?", output, cancellationToken).ConfigureAwait(false);
                var injected = provider2.GetSessionState(second).LastInjected;
                await output.WriteLineAsync($"Injected into session 2 ({injected.Count}):").ConfigureAwait(false);
                foreach (var id in injected)
                {
                    var memory = await store.GetAsync(Tenant, id, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"  {memory?.Value.Text}  (id {id})").ConfigureAwait(false);
                }

                await capture.FlushAsync(cancellationToken).ConfigureAwait(false);
                return injected.Count > 0 ? 0 : 1;
            }
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

    private static (ChatClientAgent Agent, SkMemoryContextProvider Memory) CreateAgent(IChatClient model, IMemoryStore store, MemoryCaptureQueue capture)
    {
        // The scopes come from the application (who is signed in), never from the model.
        var memory = new SkMemoryContextProvider(
            store,
            new SkMemoryContextProviderOptions
            {
                Storage = new AgentMemoryStorageScope { Tenant = Tenant, Subject = User },
                Search = new AgentMemorySearchScope { Tenant = Tenant, Subject = User, ScopeKinds = [MemoryScopeKind.Personal, MemoryScopeKind.Public] },
                Context = new MemoryContextOptions { TokenBudget = 400 },
                UserSpeaker = "Ada",
            },
            capture);
        var agent = model.AsAIAgent(new ChatClientAgentOptions
        {
            Name = "assistant",
            ChatOptions = new ChatOptions { Instructions = "You are a friendly barista assistant. Use what you remember about the user." },
        }.AddSkMemory(memory));
        return (agent, memory);
    }

    private static async Task TurnAsync(ChatClientAgent agent, AgentSession session, string text, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"User: {text}").ConfigureAwait(false);
        var response = await agent.RunAsync(text, session, cancellationToken: cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Agent: {response.Text}").ConfigureAwait(false);
    }
}
