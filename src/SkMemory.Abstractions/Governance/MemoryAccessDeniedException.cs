namespace SkMemory;

/// <summary>The access policy refused an operation. The denial is also recorded in the audit log.</summary>
public sealed class MemoryAccessDeniedException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryAccessDeniedException"/> class.</summary>
    /// <param name="denial">What was denied, to whom, and why.</param>
    public MemoryAccessDeniedException(MemoryAccessDenial denial)
        : base(CodeOf(denial), (denial ?? throw new ArgumentNullException(nameof(denial))).Detail)
    {
        Denial = denial;
    }

    /// <summary>Gets what was denied, to whom, and why.</summary>
    public MemoryAccessDenial Denial { get; }

    private static MemoryErrorCode CodeOf(MemoryAccessDenial? denial) =>
        denial?.Reason is MemoryAccessDenialReason.ConsentMissing or MemoryAccessDenialReason.ConsentRevoked
            ? MemoryErrorCode.ConsentRequired
            : MemoryErrorCode.AccessDenied;
}
