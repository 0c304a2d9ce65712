namespace SkMemory;

/// <summary>What an extractor reads: conversation turns, tool outputs and documents, for one tenant and scope.</summary>
public sealed record MemoryExtractionRequest
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>
    /// Gets who the memories are about. When null, each memory is about the speaker who stated it (multi-party
    /// conversations); when set, every memory is about this subject (a one-user assistant).
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>Gets the scope the memories are written in; personal by default.</summary>
    public MemoryScope Scope { get; init; } = MemoryScope.Personal;

    /// <summary>Gets the conversation turns, oldest first.</summary>
    public IReadOnlyList<MemoryMessage> Messages { get; init; } = [];

    /// <summary>Gets the tool outputs.</summary>
    public IReadOnlyList<MemoryToolOutput> ToolOutputs { get; init; } = [];

    /// <summary>Gets the documents.</summary>
    public IReadOnlyList<MemoryDocument> Documents { get; init; } = [];

    /// <summary>Gets extra instructions for extractors that take them ("only remember dietary facts").</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets who a message's memories are about: <see cref="Subject"/> when set, else the message's speaker.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The subject.</returns>
    public string SubjectOf(MemoryMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Subject ?? message.Speaker.Trim();
    }
}
