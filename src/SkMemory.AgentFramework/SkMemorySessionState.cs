namespace SkMemory.AgentFramework;

/// <summary>
/// What <see cref="SkMemoryContextProvider"/> keeps per agent session, in the session's state bag: it is serialized with
/// the session (<c>AIAgent.SerializeSessionAsync</c>) and restored with it, so a new agent instance continues it.
/// </summary>
public sealed class SkMemorySessionState
{
    /// <summary>Gets or sets the session id used for capture (recorded on each captured message) and for session narrowing.</summary>
    public string SessionId { get; set; } = string.Empty;

    /// <summary>Gets or sets how many runs the provider has seen in this session.</summary>
    public int Turns { get; set; }

    /// <summary>Gets or sets how many runs' messages were queued for capture in this session.</summary>
    public int CapturedTurns { get; set; }

    /// <summary>Gets or sets the ids of the memories injected into the last run, in packet order.</summary>
    public List<Guid> LastInjected { get; set; } = [];

    /// <summary>Gets or sets the ids of the messages queued for capture by the last captured run.</summary>
    public List<string> LastCapturedMessageIds { get; set; } = [];
}
