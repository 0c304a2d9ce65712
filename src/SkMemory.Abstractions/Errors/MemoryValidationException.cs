namespace SkMemory;

/// <summary>A request field is invalid. Nothing was written.</summary>
public sealed class MemoryValidationException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryValidationException"/> class.</summary>
    /// <param name="field">The invalid field, in JSON (snake_case) naming, for example <c>value.text</c>.</param>
    /// <param name="message">What is wrong and what is allowed.</param>
    public MemoryValidationException(string field, string message)
        : base(MemoryErrorCode.Validation, $"{field}: {message}")
    {
        Field = field;
    }

    /// <summary>Gets the invalid field.</summary>
    public string Field { get; }
}
