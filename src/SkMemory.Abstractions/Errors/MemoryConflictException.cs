namespace SkMemory;

/// <summary>
/// The change conflicts with the store's state: an idempotency key reused for other content, a duplicate of another active
/// memory, or a status that does not allow the change. Nothing was written.
/// </summary>
public sealed class MemoryConflictException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryConflictException"/> class.</summary>
    /// <param name="code">
    /// <see cref="MemoryErrorCode.IdempotencyKeyReused"/>, <see cref="MemoryErrorCode.DuplicateContent"/> or <see cref="MemoryErrorCode.InvalidState"/>.
    /// </param>
    /// <param name="message">What conflicts.</param>
    /// <param name="existingId">The memory the change conflicts with.</param>
    public MemoryConflictException(MemoryErrorCode code, string message, Guid? existingId)
        : base(code, message)
    {
        ExistingId = existingId;
    }

    /// <summary>Gets the memory the change conflicts with.</summary>
    public Guid? ExistingId { get; }
}
