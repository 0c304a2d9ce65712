namespace SkMemory.SemanticKernel;

/// <summary>
/// Who a conversation is with and who acts in it: the tenant, the subject whose memories are read and written, the actor
/// that writes, and the agent, session and task that narrow it. The application sets it from its own identity (never from
/// the model): in the kernel's <see cref="Microsoft.SemanticKernel.Kernel.Data"/> or <see cref="Microsoft.SemanticKernel.KernelArguments"/>
/// under <see cref="Key"/>, in <c>ChatOptions.AdditionalProperties</c> or <c>PromptExecutionSettings.ExtensionData</c> under
/// the same key, or through <see cref="MemorySessionAccessor"/>. Only a <see cref="MemorySession"/> object counts, so a model's
/// (JSON) arguments can never supply one.
/// </summary>
public sealed record MemorySession
{
    /// <summary>The key under which a session is passed in kernel data, kernel arguments, chat options and execution settings.</summary>
    public const string Key = "skmemory.session";

    /// <summary>The key that turns memory injection and capture off for one call when its value is <see langword="true"/>.</summary>
    public const string DisabledKey = "skmemory.disabled";

    /// <summary>The key that turns only capture off for one call when its value is <see langword="true"/>.</summary>
    public const string CaptureDisabledKey = "skmemory.capture.disabled";

    /// <summary>Gets the tenant: every read and write stays inside it.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the subject: whose memories are recalled, injected and written.</summary>
    public required string Subject { get; init; }

    /// <summary>Gets the actor that writes (the agent, or the user), recorded on every memory it writes.</summary>
    public required MemoryActor Actor { get; init; }

    /// <summary>Gets the scope new memories are written in; personal by default.</summary>
    public MemoryScope Scope { get; init; } = MemoryScope.Personal;

    /// <summary>Gets the agent's name, or null.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the conversation's id, or null; recorded on captured messages.</summary>
    public string? Session { get; init; }

    /// <summary>Gets the task the memories are read for, recorded in the read audit; or null.</summary>
    public string? Task { get; init; }

    /// <summary>Creates a session for an agent acting for a user.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The user (subject) id.</param>
    /// <param name="agent">The agent id, recorded as the actor.</param>
    /// <param name="session">The conversation id, or null.</param>
    /// <returns>The session.</returns>
    public static MemorySession ForAgent(string tenant, string subject, string agent, string? session = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentException.ThrowIfNullOrWhiteSpace(agent);
        return new MemorySession { Tenant = tenant, Subject = subject, Actor = MemoryActor.Agent(agent), Agent = agent, Session = session };
    }

    /// <summary>
    /// Gets the caller the access policy sees for this session: the actor in the tenant, acting for the subject when the
    /// actor is not the subject itself.
    /// </summary>
    /// <returns>The caller.</returns>
    public MemoryCaller ToCaller() => new()
    {
        Tenant = Tenant,
        Actor = Actor,
        ActingFor = string.Equals(Actor.Id, Subject, StringComparison.Ordinal) ? [] : [Subject],
        Task = Task,
    };
}
