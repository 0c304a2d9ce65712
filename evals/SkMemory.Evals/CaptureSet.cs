namespace SkMemory.Evals;

/// <summary>
/// A labelled capture set: conversations, and for each the durable memories a careful human would store from it and the
/// turns that must not become memory. The capture benchmark scores an extractor, gate and evolve step against it.
/// </summary>
/// <param name="Name">The set's name (<c>seeded</c> for the one shipped with the evals).</param>
/// <param name="Description">What the set is.</param>
/// <param name="Conversations">The conversations.</param>
public sealed record CaptureSet(string Name, string Description, IReadOnlyList<CaptureConversation> Conversations)
{
    /// <summary>Gets the number of turns in all conversations.</summary>
    public int MessageCount => Conversations.Sum(c => c.Messages.Count());
}

/// <summary>One conversation of a capture set, in sessions, with its labels.</summary>
/// <param name="Id">The conversation id, unique in the set.</param>
/// <param name="Description">What it covers.</param>
/// <param name="Subject">
/// Who every memory is about (a one-user assistant), or null when each memory is about the speaker who stated it (people
/// talking to each other); passed as <see cref="MemoryExtractionRequest.Subject"/>.
/// </param>
/// <param name="Sessions">The sessions, oldest first.</param>
/// <param name="Memories">The durable memories expected.</param>
/// <param name="Rejections">The turns expected to stay out of memory, with the reason.</param>
public sealed record CaptureConversation(
    string Id,
    string Description,
    string? Subject,
    IReadOnlyList<CaptureSession> Sessions,
    IReadOnlyList<CaptureMemoryLabel> Memories,
    IReadOnlyList<CaptureRejectionLabel> Rejections)
{
    /// <summary>Gets every turn, in conversation order.</summary>
    public IEnumerable<MemoryMessage> Messages => Sessions.SelectMany(s => s.Messages);
}

/// <summary>One session of a conversation: the unit the benchmark ingests as one job.</summary>
/// <param name="Id">The session id, unique in the conversation.</param>
/// <param name="Messages">The turns, oldest first, with their times.</param>
public sealed record CaptureSession(string Id, IReadOnlyList<MemoryMessage> Messages);

/// <summary>A durable memory a careful human would store.</summary>
/// <param name="Type">The memory type.</param>
/// <param name="Subject">Who it is about.</param>
/// <param name="Evidence">
/// The message ids it rests on; two or more when a later session restates it (a corroboration: one memory should end up
/// citing all of them).
/// </param>
/// <param name="Key">The slot it fills (<c>email</c>, <c>home_city</c>), for slots that hold one value at a time; informational.</param>
/// <param name="Status">How it should end: <see cref="MemoryStatus.Active"/>, or <see cref="MemoryStatus.Superseded"/> when a later value replaces it.</param>
/// <param name="Text">What should be remembered, for people reading a report.</param>
/// <param name="ValidFrom">For events, the day or days the event happened on (relative dates grounded against the session date).</param>
public sealed record CaptureMemoryLabel(
    string Type,
    string Subject,
    IReadOnlyList<string> Evidence,
    string? Key,
    MemoryStatus Status,
    string Text,
    CaptureDateRange? ValidFrom = null);

/// <summary>An inclusive range of days (UTC).</summary>
/// <param name="Earliest">The first day.</param>
/// <param name="Latest">The last day.</param>
public sealed record CaptureDateRange(DateOnly Earliest, DateOnly Latest)
{
    /// <summary>Whether an instant falls on one of the days (in UTC).</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>True when it does.</returns>
    public bool Contains(DateTimeOffset instant)
    {
        var day = DateOnly.FromDateTime(instant.UtcDateTime);
        return day >= Earliest && day <= Latest;
    }
}

/// <summary>A turn that must not become durable memory.</summary>
/// <param name="MessageId">The turn.</param>
/// <param name="Reason">The reason a gate should give.</param>
/// <param name="Why">A note for people reading a report.</param>
public sealed record CaptureRejectionLabel(string MessageId, MemoryRejectionReason Reason, string Why);
