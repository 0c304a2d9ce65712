namespace SkMemory;

/// <summary>Machine-readable error codes carried by <see cref="MemoryException"/>.</summary>
public enum MemoryErrorCode
{
    /// <summary>A request field is invalid.</summary>
    Validation,

    /// <summary>The memory does not exist in the tenant.</summary>
    NotFound,

    /// <summary>The memory changed since the caller read it (optimistic concurrency).</summary>
    VersionConflict,

    /// <summary>An idempotency key was reused for different content.</summary>
    IdempotencyKeyReused,

    /// <summary>The change would create a second active memory with the same content in the same scope and subject.</summary>
    DuplicateContent,

    /// <summary>The memory's status does not allow the change (for example updating a deleted memory).</summary>
    InvalidState,

    /// <summary>An import file is malformed, truncated or does not verify.</summary>
    ImportInvalid,

    /// <summary>An import does not fit the store's current state.</summary>
    ImportConflict,

    /// <summary>The backend does not support the operation.</summary>
    NotSupported,

    /// <summary>A service the operation needs (a chat model, an embedding endpoint) could not be reached; retry when it is back.</summary>
    Unavailable,

    /// <summary>The caller's identity does not allow the operation (<see cref="MemoryAccessDeniedException"/>).</summary>
    AccessDenied,

    /// <summary>The subject has not granted (or has revoked) the consent the write or read needs.</summary>
    ConsentRequired,

    /// <summary>Redaction found content its policy blocks; nothing was stored.</summary>
    Blocked,

    /// <summary>A legal hold covers the memory; it cannot be expired or purged until the hold is released.</summary>
    LegalHold,
}
