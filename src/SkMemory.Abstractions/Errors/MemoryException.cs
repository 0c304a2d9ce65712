namespace SkMemory;

/// <summary>The base of every error the memory contract defines. <see cref="Code"/> says which.</summary>
public class MemoryException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="MemoryException"/> class.</summary>
    public MemoryException()
        : this(MemoryErrorCode.Validation, "A memory operation failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MemoryException"/> class.</summary>
    /// <param name="message">The message.</param>
    public MemoryException(string message)
        : this(MemoryErrorCode.Validation, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MemoryException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryException(string message, Exception? innerException)
        : this(MemoryErrorCode.Validation, message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MemoryException"/> class.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryException(MemoryErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Gets the error code.</summary>
    public MemoryErrorCode Code { get; }
}
