namespace SkMemory;

/// <summary>A document given to an extractor: a file the subject shared, a profile, notes, or a page fetched from the web.</summary>
public sealed record MemoryDocument
{
    /// <summary>Gets the document's name or path.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the document's text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets when it was read.</summary>
    public required DateTimeOffset ObservedAt { get; init; }

    /// <summary>
    /// Gets a value indicating whether the content comes from outside the subject (a web page, a search result): such
    /// content says nothing durable about the subject and is not promoted to memory about them.
    /// </summary>
    public bool External { get; init; }

    /// <summary>Gets the content hash candidates cite as evidence: <c>sha256:</c> and the lower-case hex SHA-256 of the UTF-8 text.</summary>
    public string ContentHash => "sha256:" + MemoryEventChain.Sha256Hex(Text);
}
