using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using SkMemory.Governance;

namespace SkMemory.AgentFramework.Tests;

/// <summary>
/// The provider on a real <see cref="ChatClientAgent"/>, a real SQLite store and a scripted model that records what it saw.
/// </summary>
public sealed class SkMemoryContextProviderTests : IAsyncLifetime
{
    private MemoryHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await MemoryHost.OpenAsync(Ct);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task The_packet_arrives_in_instructions_quoted_with_ids_within_budget_and_not_in_chat_history()
    {
        var milk = await _host.RememberAsync("ada", "Ada prefers oat milk in her coffee", cancellationToken: Ct);
        var seat = await _host.RememberAsync("ada", "Ada prefers window seats on flights", cancellationToken: Ct);
        var model = new ScriptedChatClient();
        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent, history) = MemoryHost.Agent(model, provider);
        var session = await agent.CreateSessionAsync(Ct);

        await agent.RunAsync("What milk should you put in my coffee?", session, cancellationToken: Ct);

        var call = Assert.Single(model.Calls);
        Assert.NotNull(call.Instructions);
        Assert.StartsWith("You are a helpful assistant.", call.Instructions, StringComparison.Ordinal);
        Assert.Contains("<memories>", call.Instructions, StringComparison.Ordinal);
        Assert.Contains("quoted as data", call.Instructions, StringComparison.Ordinal);
        Assert.Contains($"[memory:{milk.Id:D}]", call.Instructions, StringComparison.Ordinal);
        Assert.Contains("\"Ada prefers oat milk in her coffee\"", call.Instructions, StringComparison.Ordinal);
        var state = provider.GetSessionState(session);
        Assert.Contains(milk.Id, state.LastInjected);
        Assert.Equal(1, state.Turns);

        // Only the user's message reaches the model as a message; the packet is never a message, and never persisted.
        Assert.DoesNotContain(call.Messages, m => m.Text.Contains("<memories>", StringComparison.Ordinal));
        var persisted = history.GetMessages(session);
        Assert.Equal([ChatRole.User, ChatRole.Assistant], persisted.Select(m => m.Role));
        Assert.DoesNotContain(persisted, m => m.Text.Contains("memory:", StringComparison.Ordinal));

        // A second turn: the history holds two turns, still no packet, and the new packet is in the new instructions only.
        await agent.RunAsync("And which seat do I like?", session, cancellationToken: Ct);
        Assert.Contains($"[memory:{seat.Id:D}]", model.Calls[1].Instructions, StringComparison.Ordinal);
        Assert.Equal(4, history.GetMessages(session).Count);
        Assert.DoesNotContain(history.GetMessages(session), m => m.Text.Contains("<memories>", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Calls[1].Messages, m => m.Text.Contains("<memories>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_packet_stays_within_its_token_budget()
    {
        for (var i = 0; i < 30; i++)
        {
            await _host.RememberAsync("ada", $"Ada prefers coffee blend number {i} with a long description of its roast, origin and tasting notes", cancellationToken: Ct);
        }

        var options = MemoryHost.Options(budget: 120);
        var model = new ScriptedChatClient();
        var provider = new SkMemoryContextProvider(_host.Store, options, _host.Capture);
        var (agent, _) = MemoryHost.Agent(model, provider);
        var session = await agent.CreateSessionAsync(Ct);

        await agent.RunAsync("Which coffee blend do I prefer?", session, cancellationToken: Ct);

        var packet = model.Calls[0].Instructions![model.Calls[0].Instructions!.IndexOf("<memories>", StringComparison.Ordinal)..];
        var tokens = SkMemory.Packing.MemoryPacketOptions.ForModel("gpt-4o", 120).Tokenizer.CountTokens(packet);
        Assert.InRange(tokens, 1, 120);
        var injected = provider.GetSessionState(session).LastInjected;
        Assert.InRange(injected.Count, 1, 29);
        Assert.All(injected, id => Assert.Contains($"[memory:{id:D}]", packet, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Storage_and_search_scopes_are_honoured_separately_and_another_subject_is_never_injected()
    {
        var adas = await _host.RememberAsync("ada", "Ada prefers green tea", cancellationToken: Ct);
        var bobs = await _host.RememberAsync("bob", "Bob prefers green tea with honey", cancellationToken: Ct);
        var options = MemoryHost.Options();
        options.Storage = new AgentMemoryStorageScope { Tenant = MemoryHost.Tenant, Subject = "ada", Scope = MemoryScope.Personal with { Agent = "barista" } };
        options.Search = new AgentMemorySearchScope { Tenant = MemoryHost.Tenant, Subject = "ada", ScopeKinds = [MemoryScopeKind.Personal] };
        var model = new ScriptedChatClient();
        var provider = new SkMemoryContextProvider(_host.Store, options, _host.Capture);
        var (agent, history) = MemoryHost.Agent(model, provider);
        var session = await agent.CreateSessionAsync(Ct);

        await agent.RunAsync("I prefer oat milk. Which tea do I like?", session, cancellationToken: Ct);
        await _host.Capture.FlushAsync(Ct);

        // Search: Ada's memories only.
        Assert.Contains($"[memory:{adas.Id:D}]", model.Calls[0].Instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(bobs.Id.ToString("D"), model.Calls[0].Instructions, StringComparison.Ordinal);
        Assert.DoesNotContain("honey", model.Calls[0].Instructions, StringComparison.Ordinal);

        // Storage: the captured memory is Ada's, narrowed to the barista agent, with the user message's id as evidence.
        var captured = Assert.Single(await _host.AllAsync(Ct), r => r.Value.Text.Contains("oat milk", StringComparison.Ordinal));
        Assert.Equal("ada", captured.Subject);
        Assert.Equal(MemoryScopeKind.Personal, captured.Scope.Kind);
        Assert.Equal("barista", captured.Scope.Agent);
        Assert.Null(captured.Scope.Session);
        var userMessage = history.GetMessages(session)[0];
        Assert.NotNull(userMessage.MessageId);
        Assert.Equal([userMessage.MessageId], captured.Provenance.MessageIds);

        // A search scope narrowed to another agent never sees the barista's memory, though storage wrote it.
        var narrowed = MemoryHost.Options();
        narrowed.Search = new AgentMemorySearchScope { Tenant = MemoryHost.Tenant, Subject = "ada", Agent = "sommelier" };
        var otherModel = new ScriptedChatClient();
        var (other, _) = MemoryHost.Agent(otherModel, new SkMemoryContextProvider(_host.Store, narrowed, _host.Capture));
        await other.RunAsync("Do I like oat milk?", await other.CreateSessionAsync(Ct), cancellationToken: Ct);
        Assert.DoesNotContain(captured.Id.ToString("D"), otherModel.Calls[0].Instructions ?? string.Empty, StringComparison.Ordinal);

        // Bob's agent, with Bob's scopes, never gets Ada's memories.
        var bobModel = new ScriptedChatClient();
        var (bobAgent, _) = MemoryHost.Agent(bobModel, new SkMemoryContextProvider(_host.Store, MemoryHost.Options("bob"), _host.Capture));
        await bobAgent.RunAsync("Which tea and milk do I like?", await bobAgent.CreateSessionAsync(Ct), cancellationToken: Ct);
        Assert.Contains($"[memory:{bobs.Id:D}]", bobModel.Calls[0].Instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(adas.Id.ToString("D"), bobModel.Calls[0].Instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(captured.Id.ToString("D"), bobModel.Calls[0].Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_happens_after_a_run_and_not_when_the_run_threw()
    {
        var model = new ScriptedChatClient { Throw = new InvalidOperationException("model down") };
        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent, _) = MemoryHost.Agent(model, provider);
        var session = await agent.CreateSessionAsync(Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("I prefer oat milk.", session, cancellationToken: Ct));
        await _host.Capture.FlushAsync(Ct);
        Assert.Empty(await _host.AllAsync(Ct));
        Assert.Equal(0, provider.GetSessionState(session).CapturedTurns);

        model.Throw = null;
        await agent.RunAsync("I prefer oat milk.", session, cancellationToken: Ct);
        await _host.Capture.FlushAsync(Ct);
        var captured = Assert.Single(await _host.AllAsync(Ct));
        Assert.Contains("oat milk", captured.Value.Text, StringComparison.Ordinal);
        Assert.Equal("ada", captured.Subject);
        var state = provider.GetSessionState(session);
        Assert.Equal(1, state.CapturedTurns);
        Assert.Equal(2, state.LastCapturedMessageIds.Count);
        Assert.Equal(0, _host.Capture.Pending);
    }

    [Fact]
    public async Task A_streaming_run_injects_and_captures_too()
    {
        var tea = await _host.RememberAsync("ada", "Ada prefers green tea", cancellationToken: Ct);
        var model = new ScriptedChatClient();
        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent, history) = MemoryHost.Agent(model, provider);
        var session = await agent.CreateSessionAsync(Ct);

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("I prefer oat milk. Which tea do I like?", session, cancellationToken: Ct))
        {
            updates.Add(update);
        }

        await _host.Capture.FlushAsync(Ct);
        Assert.NotEmpty(updates);
        Assert.Contains($"[memory:{tea.Id:D}]", model.Calls[0].Instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(history.GetMessages(session), m => m.Text.Contains("<memories>", StringComparison.Ordinal));
        Assert.Contains(await _host.AllAsync(Ct), r => r.Value.Text.Contains("oat milk", StringComparison.Ordinal));
        Assert.Equal(1, provider.GetSessionState(session).CapturedTurns);
    }

    [Fact]
    public async Task A_run_can_skip_capture()
    {
        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent, _) = MemoryHost.Agent(new ScriptedChatClient(), provider);
        var session = await agent.CreateSessionAsync(Ct);
        var skip = new ChatClientAgentRunOptions { AdditionalProperties = new() { [SkMemoryContextProvider.SkipCaptureKey] = true } };

        await agent.RunAsync("I prefer oat milk.", session, skip, Ct);
        await _host.Capture.FlushAsync(Ct);

        Assert.Empty(await _host.AllAsync(Ct));
        Assert.Equal(1, provider.GetSessionState(session).Turns);
        Assert.Equal(0, provider.GetSessionState(session).CapturedTurns);
    }

    [Fact]
    public async Task State_round_trips_through_session_serialization_and_a_new_agent_instance_continues_it()
    {
        var model = new ScriptedChatClient();
        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent, _) = MemoryHost.Agent(model, provider);
        var session = await agent.CreateSessionAsync(Ct);
        await agent.RunAsync("I prefer oat milk.", session, cancellationToken: Ct);
        await _host.Capture.FlushAsync(Ct);
        var before = provider.GetSessionState(session);
        Assert.StartsWith("ses_", before.SessionId, StringComparison.Ordinal);

        var json = await agent.SerializeSessionAsync(session, cancellationToken: Ct);
        Assert.True(json.GetProperty("stateBag").TryGetProperty(SkMemoryContextProviderOptions.DefaultStateKey, out var saved));
        Assert.Equal(before.SessionId, saved.GetProperty("sessionId").GetString());

        // A new process: a new provider, agent and model; the session comes back from JSON.
        var json2 = JsonDocument.Parse(json.GetRawText()).RootElement;
        var model2 = new ScriptedChatClient();
        var provider2 = new SkMemoryContextProvider(_host.Store, MemoryHost.Options(), _host.Capture);
        var (agent2, history2) = MemoryHost.Agent(model2, provider2);
        var restored = await agent2.DeserializeSessionAsync(json2, cancellationToken: Ct);
        await agent2.RunAsync("What milk do I like?", restored, cancellationToken: Ct);
        await _host.Capture.FlushAsync(Ct);

        var after = provider2.GetSessionState(restored);
        Assert.Equal(before.SessionId, after.SessionId);
        Assert.Equal(2, after.Turns);
        Assert.Equal(2, after.CapturedTurns);
        Assert.Equal(4, history2.GetMessages(restored).Count);
        var milk = Assert.Single(await _host.AllAsync(Ct));
        Assert.Equal([milk.Id], after.LastInjected);
        Assert.Contains($"[memory:{milk.Id:D}]", model2.Calls[0].Instructions, StringComparison.Ordinal);

        // The captured messages carry the session id kept in the state.
        var job = await _host.Pipeline.GetJobAsync(MemoryHost.Tenant, milk.Metadata["capture.job"], Ct);
        Assert.NotNull(job);
        Assert.All(job.Input.Messages, m => Assert.Equal(before.SessionId, m.Session));
    }

    [Fact]
    public async Task The_read_audit_records_each_injection_as_the_agents_caller()
    {
        var milk = await _host.RememberAsync("ada", "Ada prefers oat milk", cancellationToken: Ct);
        var caller = new MemoryCaller { Tenant = MemoryHost.Tenant, Actor = MemoryActor.Agent("assistant"), ActingFor = ["ada"] };
        var governed = new MemoryStoreBuilder(_host.Store).UseAccessControl(MemoryCallerAccessor.Fixed(caller)).Build();
        var options = MemoryHost.Options();
        options.Task = "coffee-order";
        var provider = new SkMemoryContextProvider(governed, options, _host.Capture);
        var (agent, _) = MemoryHost.Agent(new ScriptedChatClient(), provider);

        await agent.RunAsync("Which milk do I like?", await agent.CreateSessionAsync(Ct), cancellationToken: Ct);

        var audit = (IMemoryAuditLog)_host.Store.GetService(typeof(IMemoryAuditLog))!;
        var reads = await audit.GetReadsAsync(MemoryHost.Tenant, milk.Id, cancellationToken: Ct);
        var injected = Assert.Single(reads, r => r.Injected);
        Assert.Equal("inject", injected.Operation);
        Assert.Equal(MemoryActor.Agent("assistant"), injected.Reader);
        Assert.NotNull(injected.Score);
    }

    [Fact]
    public async Task A_failed_recall_does_not_fail_the_run_unless_asked()
    {
        await _host.RememberAsync("ada", "Ada prefers oat milk", cancellationToken: Ct);
        var down = new UnavailableSearchStore(_host.Store); // not disposed: the inner store belongs to the host
        var model = new ScriptedChatClient();
        var (agent, _) = MemoryHost.Agent(model, new SkMemoryContextProvider(down, MemoryHost.Options()));

        var response = await agent.RunAsync("Which milk do I like?", await agent.CreateSessionAsync(Ct), cancellationToken: Ct);

        Assert.NotEmpty(response.Text);
        Assert.DoesNotContain("<memories>", model.Calls[0].Instructions ?? string.Empty, StringComparison.Ordinal);

        var strict = MemoryHost.Options();
        strict.ThrowOnRecallFailure = true;
        var (strictAgent, _) = MemoryHost.Agent(new ScriptedChatClient(), new SkMemoryContextProvider(down, strict));
        await Assert.ThrowsAsync<MemoryException>(() => strictAgent.RunAsync("Which milk do I like?", cancellationToken: Ct));
    }

    /// <summary>The real store with its search down (an outage), everything else passed through; never disposed, as the host owns the store.</summary>
    private sealed class UnavailableSearchStore(IMemoryStore inner) : DelegatingMemoryStore(inner)
    {
        public override Task<IReadOnlyList<MemorySearchResult>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default) =>
            throw new MemoryException(MemoryErrorCode.Unavailable, "search is down");
    }
}
