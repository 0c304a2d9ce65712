namespace SkMemory.Evals;

/// <summary>One LoCoMo conversation: two speakers, their sessions of turns, and the questions about them.</summary>
/// <param name="Id">The conversation id, from the file name (for example <c>conv-26</c>).</param>
/// <param name="SpeakerA">The first speaker's name.</param>
/// <param name="SpeakerB">The second speaker's name.</param>
/// <param name="Sessions">The sessions, in order.</param>
/// <param name="Questions">The questions, in file order.</param>
public sealed record LoCoMoConversation(
    string Id,
    string SpeakerA,
    string SpeakerB,
    IReadOnlyList<LoCoMoSession> Sessions,
    IReadOnlyList<LoCoMoQuestion> Questions)
{
    /// <summary>Gets every turn of every session, in conversation order.</summary>
    public IEnumerable<LoCoMoTurn> Turns => Sessions.SelectMany(s => s.Turns);

    /// <summary>Gets the annotated observations about each speaker (<c>session_N_observation</c>), in session order.</summary>
    public IReadOnlyList<LoCoMoObservation> Observations { get; init; } = [];
}

/// <summary>One session of a conversation.</summary>
/// <param name="Number">The session number N (from <c>session_N</c>).</param>
/// <param name="DateTime">When the session took place (UTC; the data gives no time zone).</param>
/// <param name="Turns">The turns, in order.</param>
public sealed record LoCoMoSession(int Number, DateTimeOffset DateTime, IReadOnlyList<LoCoMoTurn> Turns);

/// <summary>One turn of a session.</summary>
/// <param name="DiaId">The turn id, <c>D&lt;session&gt;:&lt;index&gt;</c>.</param>
/// <param name="Session">The session number.</param>
/// <param name="Speaker">Who said it.</param>
/// <param name="Text">What was said.</param>
/// <param name="ImageCaption">The caption of the shared photo, if the turn shares one.</param>
public sealed record LoCoMoTurn(string DiaId, int Session, string Speaker, string Text, string? ImageCaption)
{
    /// <summary>Gets the memory text: <c>"&lt;speaker&gt;: &lt;text&gt;"</c>, with the photo's caption appended as in the README's BM25 setup.</summary>
    public string MemoryText =>
        ImageCaption is { Length: > 0 } caption
            ? $"{Speaker}: {Text} [shares {caption}]"
            : $"{Speaker}: {Text}";
}

/// <summary>One question with the turns that hold its answer.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">The answer as text (the adversarial trap for category 5), if any.</param>
/// <param name="Evidence">The evidence turn ids, normalized and limited to turns that exist in the conversation.</param>
/// <param name="Category">The category label, 1..5.</param>
public sealed record LoCoMoQuestion(string Question, string? Answer, IReadOnlyList<string> Evidence, int Category);

/// <summary>One observation LoCoMo's annotators wrote about a speaker, with the turns it rests on.</summary>
/// <param name="Session">The session it summarizes.</param>
/// <param name="Speaker">Who it is about.</param>
/// <param name="Text">The observation.</param>
/// <param name="Evidence">The turn ids it cites (normalized, only turns that exist).</param>
public sealed record LoCoMoObservation(int Session, string Speaker, string Text, IReadOnlyList<string> Evidence);
