using SkMemory.Context;

namespace SkMemory.AgentFramework;

/// <summary>Options of <see cref="SkMemoryContextProvider"/>: where memories are written, what is recalled, and how much is injected.</summary>
/// <remarks>Every scope here comes from the developer's configuration, never from the model.</remarks>
public sealed class SkMemoryContextProviderOptions
{
    /// <summary>The default key of the provider's state in the session's state bag.</summary>
    public const string DefaultStateKey = "SkMemory";

    /// <summary>Gets or sets where captured memories are written. Required when a capture queue is given.</summary>
    public AgentMemoryStorageScope? Storage { get; set; }

    /// <summary>Gets or sets what is recalled before each run. Required.</summary>
    public AgentMemorySearchScope? Search { get; set; }

    /// <summary>
    /// Gets or sets the packet's token budget, tokenizer model, search depth and mode. Leave its
    /// <see cref="MemoryContextOptions.ScopeKinds"/> unset: the scope kinds come from <see cref="AgentMemorySearchScope.ScopeKinds"/>.
    /// </summary>
    public MemoryContextOptions Context { get; set; } = new();

    /// <summary>Gets or sets who reads, in the read audit; <see langword="null"/> for the agent (<c>agent:&lt;name or id&gt;</c>).</summary>
    public MemoryActor? Reader { get; set; }

    /// <summary>Gets or sets the task recorded in the read audit; <see langword="null"/> for <c>agent-run:&lt;agent name or id&gt;</c>.</summary>
    public string? Task { get; set; }

    /// <summary>Gets or sets the speaker recorded for the user's messages when they carry no author name; <see langword="null"/> for the storage subject.</summary>
    public string? UserSpeaker { get; set; }

    /// <summary>Gets or sets the key of the provider's state in the session's state bag; change it only to put two providers on one agent.</summary>
    public string StateKey { get; set; } = DefaultStateKey;

    /// <summary>
    /// Gets or sets a value indicating whether a failed recall (store down, access denied) fails the run. Off by default:
    /// the run goes on without memories and the failure is logged as a warning.
    /// </summary>
    public bool ThrowOnRecallFailure { get; set; }

    /// <summary>Gets or sets the clock that stamps captured messages without a creation time. Tests set a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options; the provider calls it when it is created.</summary>
    /// <param name="captures">Whether a capture queue is given (then <see cref="Storage"/> is required).</param>
    /// <exception cref="ArgumentException">An option is missing or invalid; the message names it and says what to set.</exception>
    public void Validate(bool captures = true)
    {
        if (Search is null)
        {
            throw Invalid("SkMemoryContextProviderOptions.Search is required: set the tenant and subject whose memories the agent recalls (new AgentMemorySearchScope { Tenant = ..., Subject = ... }).", nameof(Search));
        }

        Require(Search.Tenant, "Search.Tenant");
        Require(Search.Subject, "Search.Subject");
        if (Search.Agent is not null)
        {
            Require(Search.Agent, "Search.Agent");
        }

        if (Search.ScopeKinds is { Count: 0 })
        {
            throw Invalid("SkMemoryContextProviderOptions.Search.ScopeKinds is empty, so nothing would be recalled; leave it null for every kind or list the kinds.", nameof(Search));
        }

        if (captures && Storage is null)
        {
            throw Invalid("SkMemoryContextProviderOptions.Storage is required when a capture queue is given: set the tenant, subject and scope the captured memories are written in.", nameof(Storage));
        }

        if (Storage is not null)
        {
            Require(Storage.Tenant, "Storage.Tenant");
            Require(Storage.Subject, "Storage.Subject");
            if (Storage.Scope is null)
            {
                throw Invalid("SkMemoryContextProviderOptions.Storage.Scope is null; leave it unset for personal, or set a scope.", nameof(Storage));
            }

            if (Storage.Scope.Session is not null)
            {
                throw Invalid("SkMemoryContextProviderOptions.Storage.Scope.Session is set; the session comes from the agent session: set Storage.NarrowToSession instead.", nameof(Storage));
            }

            if (Storage.Scope.Kind == MemoryScopeKind.Team && string.IsNullOrWhiteSpace(Storage.Scope.Team))
            {
                throw Invalid("SkMemoryContextProviderOptions.Storage.Scope is a team scope without a team; use MemoryScope.ForTeam(\"name\").", nameof(Storage));
            }
        }

        if (Context is null)
        {
            throw Invalid("SkMemoryContextProviderOptions.Context is null; leave it unset for the defaults.", nameof(Context));
        }

        if (Context.ScopeKinds is not null)
        {
            throw Invalid("SkMemoryContextProviderOptions.Context.ScopeKinds is set; set the scope kinds recalled in SkMemoryContextProviderOptions.Search.ScopeKinds instead.", nameof(Context));
        }

        Context.Validate();
        if (string.IsNullOrWhiteSpace(StateKey))
        {
            throw Invalid("SkMemoryContextProviderOptions.StateKey is empty; leave it unset for the default, or give each provider of one agent its own key.", nameof(StateKey));
        }

        if (TimeProvider is null)
        {
            throw Invalid("SkMemoryContextProviderOptions.TimeProvider is null; leave it unset for the system clock.", nameof(TimeProvider));
        }
    }

    private static ArgumentException Invalid(string message, string option) => new(message, option);

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"SkMemoryContextProviderOptions.{name} is required and must not be empty; set it from your own configuration (never from the model's text).", name);
        }
    }
}
