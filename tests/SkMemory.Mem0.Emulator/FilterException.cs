namespace SkMemory.Mem0.Emulator;

/// <summary>A filter the emulated API rejects with 400.</summary>
internal sealed class FilterException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="FilterException"/> class.</summary>
    public FilterException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FilterException"/> class.</summary>
    /// <param name="message">The error text returned to the client.</param>
    public FilterException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FilterException"/> class.</summary>
    /// <param name="message">The error text returned to the client.</param>
    /// <param name="innerException">The cause.</param>
    public FilterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
